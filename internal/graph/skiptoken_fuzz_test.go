package graph

import (
	"errors"
	"testing"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

// FuzzSkipToken: any $skiptoken either decodes or is Graph's 400; only a
// token this key issued decodes (a forger cannot make the MAC), so one
// that decodes is exactly what encoding its state gives back, and a
// state always survives the round trip.
func FuzzSkipToken(f *testing.F) {
	keys, err := platform.NewKeyring([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		f.Fatal(err)
	}
	valid := pageState{Tenant: "t-1", Collection: "users", Query: "%24filter=userType+eq+%27Guest%27", Top: 3, After: 1741964966535897, AfterID: "u-9"}
	tok := encodeSkipToken(keys, valid)
	for _, s := range []string{tok, tok[:len(tok)-1], tok + "A", "", "e30", "!!", "eyJ0IjoidC0xIn0", tok[1:]} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		s, err := decodeSkipToken(keys, token)
		if err != nil {
			pub, ok := core.PublicError(err)
			if !ok || !errors.Is(err, core.ErrInvalid) || pub.Message == "" {
				t.Fatalf("decodeSkipToken(%q): error %v is not a bad request", token, err)
			}
			return
		}
		if again := encodeSkipToken(keys, s); again != token {
			t.Fatalf("decodeSkipToken(%q) accepted a token it would not issue (%q)", token, again)
		}
		if s.Top < 1 || s.Top > maxPageSize || s.AfterID == "" {
			t.Fatalf("decodeSkipToken(%q): state %+v", token, s)
		}
		back, err := decodeSkipToken(keys, encodeSkipToken(keys, s))
		if err != nil || back != s {
			t.Fatalf("round trip of %+v: %+v, %v", s, back, err)
		}
	})
}
