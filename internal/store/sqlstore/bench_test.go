package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// BenchmarkSignIn runs complete guest sign-ins in parallel (16 per core),
// each with the store calls the web flow makes: start (reads and a flow),
// send a code (one transaction), verify it and open a session (one
// transaction), deliver the mail (claim, mark sent), and read the session.
// It reports sign-ins per second, with and without the prepared statement
// cache; any error, such as "database is locked", fails it.
func BenchmarkSignIn(b *testing.B) {
	for _, cache := range []bool{false, true} {
		b.Run(fmt.Sprintf("cache=%v", cache), func(b *testing.B) {
			ctx := b.Context()
			s, err := open(ctx, filepath.Join(b.TempDir(), "bench.db"), Options{Migrate: true}, cache)
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			tenant := &core.Tenant{ID: "t", DisplayName: "T", InitialDomain: "t.test",
				DefaultLanguage: "en", EmailOTP: core.OTPDefault, CreatedAt: time.Unix(1, 0)}
			if err := s.CreateTenant(ctx, tenant); err != nil {
				b.Fatal(err)
			}
			var seq atomic.Int64
			b.SetParallelism(16)
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := signIn(ctx, s, seq.Add(1)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signins/s")
		})
	}
}

func signIn(ctx context.Context, s *Store, n int64) error {
	now := time.Unix(1_750_000_000, 0).Add(time.Duration(n) * time.Millisecond)
	id := fmt.Sprint(n)
	mailKey := "guest" + id + "@example.com"
	if _, err := s.TenantByDomain(ctx, "t.test"); err != nil {
		return err
	}
	if _, err := s.UserByMail(ctx, "t", mailKey); err != nil && !errors.Is(err, core.ErrNotFound) {
		return err
	}
	flow := &core.Flow{TenantID: "t", ID: "f" + id, Email: mailKey, Step: core.FlowStarted,
		CreatedAt: now, ExpiresAt: now.Add(time.Hour)}
	if err := s.CreateFlow(ctx, flow); err != nil {
		return err
	}
	code := &core.Passcode{TenantID: "t", ID: "p" + id, FlowID: flow.ID, MailKey: mailKey,
		Seed: make([]byte, 32), CodeHash: make([]byte, 32), CreatedAt: now, ExpiresAt: now.Add(10 * time.Minute)}
	if err := sendCode(ctx, s, flow, code, now); err != nil {
		return err
	}
	if err := verifyCode(ctx, s, flow, code, now); err != nil {
		return err
	}
	msgs, err := s.ClaimMail(ctx, now, time.Minute, 1)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		if err := s.MarkMailSent(ctx, m.ID, now, false); err != nil {
			return err
		}
	}
	_, err = s.GetSession(ctx, "t", "s"+code.ID, now)
	return err
}

// sendCode is the passcode service's Send transaction.
func sendCode(ctx context.Context, s *Store, flow *core.Flow, code *core.Passcode, now time.Time) error {
	return s.InTx(ctx, func(tx store.Tx) error {
		if err := tx.Lock(ctx, "t", "otp:"+code.MailKey); err != nil {
			return err
		}
		if _, _, err := tx.CountEvents(ctx, "t", "otp-send:"+code.MailKey, now.Add(-time.Hour)); err != nil {
			return err
		}
		if err := tx.RecordEvent(ctx, "t", "otp-send:"+code.MailKey, now); err != nil {
			return err
		}
		if _, err := tx.LivePasscodes(ctx, "t", flow.ID, now); err != nil {
			return err
		}
		if err := tx.CreatePasscode(ctx, code); err != nil {
			return err
		}
		return tx.EnqueueMail(ctx, &core.OutboxMessage{ID: "m" + code.ID, TenantID: "t",
			Kind: core.MailPasscode, To: []string{code.MailKey}, Subject: "Your code",
			TextBody: "123456", HTMLBody: "<p>123456</p>", Sensitive: true, CreatedAt: now})
	})
}

// verifyCode is the passcode service's Verify transaction, opening the
// session on success.
func verifyCode(ctx context.Context, s *Store, flow *core.Flow, code *core.Passcode, now time.Time) error {
	return s.InTx(ctx, func(tx store.Tx) error {
		if _, _, err := tx.CountEvents(ctx, "t", "otp-attempt:"+code.MailKey, now.Add(-time.Hour)); err != nil {
			return err
		}
		if _, err := tx.LivePasscodes(ctx, "t", flow.ID, now); err != nil {
			return err
		}
		if err := tx.UsePasscode(ctx, "t", code.ID, now); err != nil {
			return err
		}
		if err := tx.SetFlowStep(ctx, "t", flow.ID, core.FlowStarted, core.FlowVerified); err != nil {
			return err
		}
		return tx.CreateSession(ctx, &core.Session{TenantID: "t", ID: "s" + code.ID, UserID: "u",
			AMR: "otp", CreatedAt: now, ExpiresAt: now.Add(8 * time.Hour)})
	})
}
