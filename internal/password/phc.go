package password

import (
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
)

// ErrMalformed is wrapped by every error about a stored string that is not
// an Argon2id PHC string this package accepts.
var ErrMalformed = errors.New("password: malformed PHC string")

// b64 is the PHC string format's encoding: standard alphabet, no padding.
// Strict refuses non-zero trailing bits, so each salt and hash has exactly
// one spelling.
var b64 = base64.RawStdEncoding.Strict()

// encodePHC writes $argon2id$v=19$m=<KiB>,t=<n>,p=<n>$<salt>$<hash>, the
// layout of the PHC string format and of the Argon2 reference encoder.
func encodePHC(p Params, salt, key []byte) string {
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key))
}

// decodePHC parses a stored string strictly: only argon2id, only version 19
// (0x13, the version x/crypto implements; RFC 9106 section 3.1), parameters
// in the reference order m,t,p with no extras, and everything within the
// limits of Params.Validate. It never runs the hash.
func decodePHC(s string) (Params, []byte, []byte, error) {
	fields := strings.Split(s, "$")
	// A leading "$" makes fields[0] empty.
	if len(fields) != 6 || fields[0] != "" {
		return Params{}, nil, nil, fmt.Errorf("%w: want 5 $-separated fields", ErrMalformed)
	}
	if fields[1] != "argon2id" {
		return Params{}, nil, nil, fmt.Errorf("%w: algorithm %q is not argon2id", ErrMalformed, fields[1])
	}
	if fields[2] != "v="+strconv.Itoa(argon2.Version) {
		return Params{}, nil, nil, fmt.Errorf("%w: version %q is not v=%d", ErrMalformed, fields[2], argon2.Version)
	}
	p, err := decodeCost(fields[3])
	if err != nil {
		return Params{}, nil, nil, err
	}
	salt, err := b64.DecodeString(fields[4])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: salt: %v", ErrMalformed, err)
	}
	key, err := b64.DecodeString(fields[5])
	if err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: hash: %v", ErrMalformed, err)
	}
	p.SaltLen, p.KeyLen = uint32(len(salt)), uint32(len(key))
	if err := p.Validate(); err != nil {
		return Params{}, nil, nil, fmt.Errorf("%w: %w", ErrMalformed, err)
	}
	return p, salt, key, nil
}

// decodeCost parses "m=<KiB>,t=<n>,p=<n>". Numbers are plain decimal without
// sign or leading zeros (the PHC string format's rule for decimal values).
func decodeCost(s string) (Params, error) {
	parts := strings.Split(s, ",")
	if len(parts) != 3 {
		return Params{}, fmt.Errorf("%w: want m=,t=,p=", ErrMalformed)
	}
	var vals [3]uint64
	for i, name := range []string{"m=", "t=", "p="} {
		digits, ok := strings.CutPrefix(parts[i], name)
		if !ok || !canonicalDecimal(digits) {
			return Params{}, fmt.Errorf("%w: parameter %q", ErrMalformed, parts[i])
		}
		v, err := strconv.ParseUint(digits, 10, 32)
		if err != nil {
			return Params{}, fmt.Errorf("%w: parameter %q: %v", ErrMalformed, parts[i], err)
		}
		vals[i] = v
	}
	if vals[2] > 255 {
		return Params{}, fmt.Errorf("%w: p=%d exceeds 255", ErrMalformed, vals[2])
	}
	return Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2])}, nil
}

func canonicalDecimal(s string) bool {
	if s == "" || len(s) > 10 || (len(s) > 1 && s[0] == '0') {
		return false
	}
	for _, c := range []byte(s) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
