package main

import (
	"testing"
	"time"

	"github.com/alecthomas/kong"

	"guestlist/internal/idp/google"
	"guestlist/internal/server"
)

// TestPasscodeLimitFlags: the passcode throttles an operator sets, by flag
// or GUESTLIST_* variable, reach the server's configuration; unset, they
// are the documented defaults (SPEC R23).
func TestPasscodeLimitFlags(t *testing.T) {
	parse := func(t *testing.T, args ...string) *cli {
		t.Helper()
		var c cli
		p, err := kong.New(&c, kong.Name("guestlist"), kong.DefaultEnvars("GUESTLIST"), kong.Exit(func(int) { t.Fatal("exit") }))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Parse(args); err != nil {
			t.Fatal(err)
		}
		return &c
	}
	t.Run("defaults", func(t *testing.T) {
		cfg := parse(t, "serve").Serve.serverConfig()
		if p := cfg.Passcode; p.ClientHourlySends != 5 || p.HourlySends != 30 || p.ClientAttempts != 30 {
			t.Errorf("defaults: %+v", p)
		}
	})
	t.Run("flags and environment", func(t *testing.T) {
		t.Setenv("GUESTLIST_OTP_MAILS_PER_ADDRESS", "12")
		cfg := parse(t, "serve", "--otp-mails-per-client=2", "--otp-attempts-per-client=7").Serve.serverConfig()
		if p := cfg.Passcode; p.ClientHourlySends != 2 || p.HourlySends != 12 || p.ClientAttempts != 7 {
			t.Errorf("set: %+v", p)
		}
	})
	t.Run("otp auto-enable date", func(t *testing.T) {
		if cfg := parse(t, "serve").Serve.serverConfig(); !cfg.OTPAutoEnable.IsZero() {
			t.Errorf("default OTPAutoEnable = %v, want zero (always on)", cfg.OTPAutoEnable)
		}
		cfg := parse(t, "serve", "--otp-auto-enable-date=2026-10-01").Serve.serverConfig()
		if want := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC); !cfg.OTPAutoEnable.Equal(want) {
			t.Errorf("OTPAutoEnable = %v, want %v", cfg.OTPAutoEnable, want)
		}
		var d dateFlag
		if err := d.UnmarshalText([]byte("1.10.2026")); err == nil {
			t.Errorf("1.10.2026 accepted as %v, want an error", d.Time)
		}
	})
}

// TestFederationFlags: the federation settings reach the server's
// configuration by flag or GUESTLIST_* variable, with the documented
// defaults when unset.
func TestFederationFlags(t *testing.T) {
	parse := func(t *testing.T, args ...string) server.FederationConfig {
		t.Helper()
		var c cli
		p, err := kong.New(&c, kong.Name("guestlist"), kong.DefaultEnvars("GUESTLIST"), kong.Exit(func(int) { t.Fatal("exit") }))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Parse(args); err != nil {
			t.Fatal(err)
		}
		return c.Serve.serverConfig().Federation
	}
	t.Run("defaults", func(t *testing.T) {
		want := server.FederationConfig{Timeout: 5 * time.Second, MetadataRefresh: 12 * time.Hour, ClockSkew: 2 * time.Minute,
			GoogleDiscoveryURL: google.DiscoveryURL}
		if got := parse(t, "serve"); got != want {
			t.Errorf("defaults: %+v, want %+v", got, want)
		}
	})
	t.Run("flags and environment", func(t *testing.T) {
		t.Setenv("GUESTLIST_FEDERATION_TIMEOUT", "300ms")
		t.Setenv("GUESTLIST_FEDERATION_ALLOW_HTTP", "true")
		got := parse(t, "serve", "--federation-metadata-refresh=1h", "--saml-clock-skew=30s",
			"--google-discovery-url=http://127.0.0.1:9/.well-known/openid-configuration")
		want := server.FederationConfig{Timeout: 300 * time.Millisecond, MetadataRefresh: time.Hour, ClockSkew: 30 * time.Second,
			GoogleDiscoveryURL: "http://127.0.0.1:9/.well-known/openid-configuration", AllowInsecureHTTP: true}
		if got != want {
			t.Errorf("set: %+v, want %+v", got, want)
		}
	})
}
