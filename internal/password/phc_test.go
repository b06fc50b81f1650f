package password

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// hostile are stored strings that must be refused before any hashing.
var hostile = map[string]string{
	"empty":              "",
	"argon2i":            "$argon2i$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"argon2d":            "$argon2d$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"bcrypt":             "$2a$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ012",
	"v=16":               "$argon2id$v=16$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"no version":         "$argon2id$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"huge m":             "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"m overflows":        "$argon2id$v=19$m=99999999999,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"huge t":             "$argon2id$v=19$m=256,t=1000,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"t=0":                "$argon2id$v=19$m=256,t=0,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"p=0":                "$argon2id$v=19$m=256,t=2,p=0$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"p=256":              "$argon2id$v=19$m=4096,t=2,p=256$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"m below 8p":         "$argon2id$v=19$m=16,t=2,p=4$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"negative m":         "$argon2id$v=19$m=-256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"plus sign":          "$argon2id$v=19$m=+256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"leading zero":       "$argon2id$v=19$m=0256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"reordered params":   "$argon2id$v=19$t=2,m=256,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"extra param":        "$argon2id$v=19$m=256,t=2,p=1,keyid=x$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"missing param":      "$argon2id$v=19$m=256,t=2$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"bad base64 salt":    "$argon2id$v=19$m=256,t=2,p=1$c29tZXN!bHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"padded salt":        "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ=$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"url base64 hash":    "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR_uIPnA4rEsF5h7TKyQwu9U1bMCHGi_4",
	"short salt":         "$argon2id$v=19$m=256,t=2,p=1$c2FsdA$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"too short hash":     "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQ",
	"empty hash":         "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$",
	"no hash":            "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ",
	"trailing field":     "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4$",
	"no leading dollar":  "argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
	"non-zero tail bits": "$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHR$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
}

func TestVerifyRefusesMalformed(t *testing.T) {
	h := NewHasher(cheap)
	for name, phc := range hostile {
		t.Run(name, func(t *testing.T) {
			ok, rehash, err := h.Verify(context.Background(), "password", phc)
			if !errors.Is(err, ErrMalformed) || ok || rehash {
				t.Errorf("Verify(%q) = %v, %v, %v; want false, false, ErrMalformed", phc, ok, rehash, err)
			}
		})
	}
}

// FuzzVerify feeds Verify arbitrary stored strings: it must return an error
// or a result, never panic, and never accept a string whose parameters are
// outside the limits.
func FuzzVerify(f *testing.F) {
	for _, phc := range hostile {
		f.Add(phc)
	}
	f.Add("$argon2id$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4")
	h := NewHasher(cheap)
	f.Fuzz(func(t *testing.T, phc string) {
		p, _, _, perr := decodePHC(phc)
		// The fuzzer is allowed to find legal but expensive costs; run only
		// the cheap ones so a fuzz run stays fast.
		if perr == nil && uint64(p.Memory)*uint64(p.Time) > 1<<14 {
			return
		}
		ok, _, err := h.Verify(context.Background(), "password", phc)
		if (err == nil) != (perr == nil) {
			t.Fatalf("Verify error %v, decodePHC error %v", err, perr)
		}
		if err == nil && !strings.HasPrefix(phc, "$argon2id$v=19$") {
			t.Fatalf("accepted %q", phc)
		}
		if ok && err != nil {
			t.Fatalf("ok with error %v", err)
		}
	})
}
