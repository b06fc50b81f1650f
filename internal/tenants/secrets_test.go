package tenants

import (
	"bytes"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/platform"
)

func TestCheckSecret(t *testing.T) {
	ring, err := platform.NewKeyring(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	const app = "5f0c2b4e-1d2a-4c3b-9e8f-0123456789ab"
	forever, s1 := NewAppSecret(ring, "t", app, "first", now.Add(-time.Hour), time.Time{})
	expiring, s2 := NewAppSecret(ring, "t", app, "second", now.Add(-time.Hour), now.Add(time.Minute))
	expired, s3 := NewAppSecret(ring, "t", app, "old", now.Add(-time.Hour), now)
	if forever.Hint != string(s1)[:3] || forever.KeyID == expiring.KeyID || bytes.Contains(forever.Hash, []byte(s1)) {
		t.Errorf("NewAppSecret: %+v", forever)
	}
	all := []core.AppSecret{*forever, *expiring, *expired}
	for _, tc := range []struct {
		name    string
		secrets []core.AppSecret
		appID   string
		secret  string
		want    bool
	}{
		{"first", all, app, string(s1), true},
		{"second", all, app, string(s2), true},
		{"expired at now", all, app, string(s3), false},
		{"removed", all[1:], app, string(s1), false},
		{"empty", all, app, "", false},
		{"wrong", all, app, string(s1) + "x", false},
		{"another application's id", all, "6f0c2b4e-1d2a-4c3b-9e8f-0123456789ab", string(s1), false},
		{"no secrets", nil, app, string(s1), false},
	} {
		if got := CheckSecret(ring, tc.secrets, tc.appID, tc.secret, now); got != tc.want {
			t.Errorf("%s: CheckSecret = %v, want %v", tc.name, got, tc.want)
		}
	}
}
