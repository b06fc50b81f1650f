package server

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// interimHasher and interimCheck stand in for the password package until
// it is part of this branch; they are TEMPORARY and go when it lands.
// They store the same Argon2id PHC strings (RFC 9106's second
// recommended parameters) and apply the length rules of NIST SP 800-63B
// 5.1.1.2 and the account's own words, so a member created now signs in
// after the switch.
type interimHasher struct{}

func (interimHasher) Hash(_ context.Context, plain string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	const t, m, p = 3, 64 * 1024, 4
	key := argon2.IDKey([]byte(plain), salt, t, m, p, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, m, t, p, enc.EncodeToString(salt), enc.EncodeToString(key)), nil
}

func interimCheck(plain string, context ...string) error {
	n := utf8.RuneCountInString(plain)
	switch {
	case !utf8.ValidString(plain):
		return errors.New("it is not valid text")
	case n < 8:
		return errors.New("it is shorter than 8 characters")
	case n > 256:
		return errors.New("it is longer than 256 characters")
	}
	lower := strings.ToLower(plain)
	for _, common := range []string{"password", "12345678", "qwertyui", "iloveyou", "letmein"} {
		if strings.Contains(lower, common) {
			return errors.New("it is too common")
		}
	}
	for _, w := range context {
		if len(w) >= 3 && strings.Contains(lower, strings.ToLower(w)) {
			return errors.New("it contains the account's name or address")
		}
	}
	return nil
}
