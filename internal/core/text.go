package core

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// OneLine reports whether s is valid UTF-8 text of one line that displays
// as written: no control characters (CR and LF would split a mail header
// or a log line), no line or paragraph separators, and no bidirectional
// overrides or isolates (which make a name read as something else).
func OneLine(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) || unicode.In(r, unicode.Zl, unicode.Zp) ||
			(r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
	})
}
