package platform

import (
	"fmt"
	"unicode/utf8"
)

// maxLogText bounds any text from a request that reaches a log line: a path
// or an error built from input is the client's to choose (up to the 1 MB
// header limit), and one request should not be able to write megabytes of
// log or forge extra lines.
const maxLogText = 256

// LogText returns s clipped to maxLogText bytes (on a rune boundary), with
// the original length noted when it was clipped. slog quotes control
// characters, so line breaks in s cannot start a new record.
func LogText(s string) string { return clip(s, maxLogText) }

// maxLogValue bounds any one value of a log record (see NewLogger): room
// for a long error chain, none for a request body.
const maxLogValue = 2048

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return fmt.Sprintf("%s…(%d bytes)", s[:cut], len(s))
}

// LogErr is err's text clipped like LogText, for errors that may carry
// input (a wrapped address, a path, a driver message quoting a value).
func LogErr(err error) string {
	if err == nil {
		return ""
	}
	return LogText(err.Error())
}
