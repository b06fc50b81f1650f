package password

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/trustelem/zxcvbn/frequency"
	"golang.org/x/text/unicode/norm"
)

// Length limits in Unicode code points after NFKC normalisation. NIST SP
// 800-63B section 5.1.1.2: memorized secrets SHALL be at least 8 characters;
// verifiers SHOULD permit at least 64 and MAY set a maximum, here 256.
const (
	MinLength = 8
	MaxLength = 256
)

// commonCount is how many of the most frequent entries of zxcvbn's
// "passwords" list (ranked by frequency in leaked password dumps) are
// refused. NIST SP 800-63B section 5.1.1.2 asks for a list of commonly used
// or compromised values; the top 20,000 covers the ones guessing attacks try
// first while keeping the list short enough that it does not refuse
// ordinary passphrases. The list ships inside the zxcvbn module, so none of
// it is copied here.
const commonCount = 20000

// Reason says why Check refused a password, so pages can show a localized
// message.
type Reason int

const (
	// TooShort: fewer than Min code points.
	TooShort Reason = iota + 1
	// TooLong: more than Max code points.
	TooLong
	// Common: on the list of commonly used passwords.
	Common
	// Context: equal to a word from the account's context (email address,
	// its local part, display name, product name).
	Context
	// Invalid: not UTF-8, or containing control characters.
	Invalid
)

func (r Reason) String() string {
	switch r {
	case TooShort:
		return "too short"
	case TooLong:
		return "too long"
	case Common:
		return "commonly used"
	case Context:
		return "derived from the account's own details"
	case Invalid:
		return "invalid characters"
	}
	return fmt.Sprintf("Reason(%d)", int(r))
}

// Rejected is the error Check returns. Min and Max are the length limits, for
// messages such as "at least %d characters".
type Rejected struct {
	Reason   Reason
	Min, Max int
}

// Error is English, for logs; pages translate Reason instead.
func (e *Rejected) Error() string {
	switch e.Reason {
	case TooShort:
		return fmt.Sprintf("password rejected: shorter than %d characters", e.Min)
	case TooLong:
		return fmt.Sprintf("password rejected: longer than %d characters", e.Max)
	}
	return "password rejected: " + e.Reason.String()
}

func reject(r Reason) error { return &Rejected{Reason: r, Min: MinLength, Max: MaxLength} }

// commonSet is built once, on first use, and only read afterwards. Lowercase
// keys: the match is case-insensitive so "Password" and "PASSWORD" count as
// the common password they are.
var commonSet = sync.OnceValue(func() map[string]struct{} {
	list := frequency.FrequencyLists["passwords"]
	list = list[:min(commonCount, len(list))]
	set := make(map[string]struct{}, len(list))
	for _, w := range list {
		set[strings.ToLower(w)] = struct{}{}
	}
	return set
})

// Check applies NIST SP 800-63B section 5.1.1.2 to a new password: after
// NFKC normalisation it must be valid UTF-8 without control characters
// (spaces are fine), 8 to 256 code points long, not a commonly used
// password, and not equal (ignoring case) to any of context, which the
// caller fills with the email address, its local part, the display name and
// the product name. There are deliberately no composition rules (section
// 5.1.1.2: verifiers SHOULD NOT impose them). It returns nil or *Rejected.
func Check(plain string, context ...string) error {
	if !utf8.ValidString(plain) {
		return reject(Invalid)
	}
	// Refused before normalising, so Check's cost stays bounded, and so
	// anything Check accepts, Hash accepts too.
	if len(plain) > maxInputBytes {
		return reject(TooLong)
	}
	n := norm.NFKC.String(plain)
	count := 0
	for _, r := range n {
		if unicode.IsControl(r) {
			return reject(Invalid)
		}
		count++
	}
	if count < MinLength {
		return reject(TooShort)
	}
	if count > MaxLength {
		return reject(TooLong)
	}
	if _, ok := commonSet()[strings.ToLower(n)]; ok {
		return reject(Common)
	}
	for _, c := range context {
		c = strings.TrimSpace(norm.NFKC.String(c))
		if c != "" && strings.EqualFold(n, c) {
			return reject(Context)
		}
	}
	return nil
}
