package password

import (
	"errors"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	email := []string{"ada.lovelace@example.org", "ada.lovelace", "Ada Lovelace", "Guestlist"}
	for _, tc := range []struct {
		name  string
		plain string
		ctx   []string
		want  Reason // 0: accepted
	}{
		{"7 code points", "abcdefg", nil, TooShort},
		{"8 code points", "abcdefgh", nil, 0},
		{"7 runes of 2 bytes", strings.Repeat("é", 7), nil, TooShort},
		{"8 runes of 2 bytes", strings.Repeat("é", 8), nil, 0},
		// NFKC composes e + U+0301 into one é: 7 code points, not 14.
		{"decomposed counts composed", strings.Repeat("e\u0301", 7), nil, TooShort},
		{"256 code points", strings.Repeat("ab", 128), nil, 0},
		{"257 code points", strings.Repeat("ab", 128) + "c", nil, TooLong},
		{"256 four-byte runes", strings.Repeat("🦆", 256), nil, 0},
		{"257 four-byte runes", strings.Repeat("🦆", 257), nil, TooLong},
		{"far too many bytes", strings.Repeat("x", 100000), nil, TooLong},
		{"spaces allowed", "correct horse battery staple violet", nil, 0},
		{"only lowercase allowed", "thequickbrownfox", nil, 0},
		{"common password", "password", nil, Common},
		{"common digits", "123456789", nil, Common},
		{"common keyboard walk", "qwertyuiop", nil, Common},
		{"common, case differs", "Password1", nil, Common},
		{"common, upper case", "PASSWORD", nil, Common},
		{"common iloveyou", "iloveyou", nil, Common},
		{"email address", "ada.lovelace@example.org", email, Context},
		{"email, other case", "Ada.Lovelace@Example.org", email, Context},
		{"local part", "ada.lovelace", email, Context},
		{"display name", "ada lovelace", email, Context},
		{"contains the name is fine", "ada lovelace wrote the first program", email, 0},
		{"empty context ignored", "a long enough one", []string{"", "  "}, 0},
		{"invalid UTF-8", "abcdefgh\xff", nil, Invalid},
		{"NUL", "abcd\x00efgh", nil, Invalid},
		{"newline", "abcdefgh\n", nil, Invalid},
		{"tab", "abcd\tefgh", nil, Invalid},
		{"DEL", "abcdefgh\x7f", nil, Invalid},
		{"C1 control", "abcdefgh\u0085", nil, Invalid},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Check(tc.plain, tc.ctx...)
			if tc.want == 0 {
				if err != nil {
					t.Fatalf("Check(%q) = %v, want nil", tc.plain, err)
				}
				return
			}
			var r *Rejected
			if !errors.As(err, &r) {
				t.Fatalf("Check(%q) = %v, want *Rejected{%v}", tc.plain, err, tc.want)
			}
			if r.Reason != tc.want || r.Min != MinLength || r.Max != MaxLength {
				t.Errorf("Check(%q) = %+v, want Reason %v, Min %d, Max %d", tc.plain, r, tc.want, MinLength, MaxLength)
			}
		})
	}
}

func TestCheckAcceptsWhatHashAccepts(t *testing.T) {
	// The longest password Check allows must still hash.
	longest := strings.Repeat("🦆", MaxLength)
	if err := Check(longest); err != nil {
		t.Fatal(err)
	}
	if _, err := normalize(longest); err != nil {
		t.Fatalf("normalize refuses a password Check accepts: %v", err)
	}
}

func TestCommonListSize(t *testing.T) {
	// Guards against the dependency shrinking or renaming its list, which
	// would silently switch the check off.
	if n := len(commonSet()); n < commonCount*9/10 {
		t.Fatalf("common list has %d entries, want about %d", n, commonCount)
	}
}

func TestRejectedError(t *testing.T) {
	for r, want := range map[Reason]string{
		TooShort: "shorter than 8",
		TooLong:  "longer than 256",
		Common:   "commonly used",
		Context:  "account's own details",
		Invalid:  "invalid characters",
	} {
		if got := reject(r).Error(); !strings.Contains(got, want) {
			t.Errorf("%v: Error() = %q, want it to contain %q", int(r), got, want)
		}
	}
}

// BenchmarkCheck shows Check's cost per sign-up once the list is built.
func BenchmarkCheck(b *testing.B) {
	commonSet()
	for b.Loop() {
		_ = Check("correct horse battery staple violet", "ada@example.org", "ada", "Ada", "Guestlist")
	}
}

// TestCheckStaysCheap: Check runs on every sign-up, so the list must be built once,
// not per call. Counted in allocations rather than time, which a busy
// machine cannot make flaky: building the list allocates tens of thousands.
func TestCheckStaysCheap(t *testing.T) {
	commonSet()
	allocs := testing.AllocsPerRun(20, func() {
		_ = Check("Correct Horse Battery Staple Violet", "ada@example.org", "ada", "Ada", "Guestlist")
	})
	if allocs > 10 {
		t.Errorf("Check allocates %.0f times per call, want at most 10", allocs)
	}
}
