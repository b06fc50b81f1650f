package console

import (
	"testing"
	"time"
)

func TestCellNeutralisesFormulas(t *testing.T) {
	for in, want := range map[string]string{
		"=SUM(A1:A9)":      "'=SUM(A1:A9)",
		"+31 20 555":       "'+31 20 555",
		"-2+3":             "'-2+3",
		"@cmd":             "'@cmd",
		"\t=1":             "'\t=1",
		"\r=1":             "'\r=1",
		"Invite user":      "Invite user",
		"a=b":              "a=b",
		"":                 "",
		"greta@contoso.ex": "greta@contoso.ex",
	} {
		if got := cell(in); got != want {
			t.Errorf("cell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLogTime(t *testing.T) {
	day := time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		in    string
		until bool
		want  time.Time
		bad   bool
	}{
		{in: "", want: time.Time{}},
		{in: "2026-11-29", want: day},
		{in: "2026-11-29", until: true, want: day.AddDate(0, 0, 1)},
		{in: "2026-11-29T10:30", want: day.Add(10*time.Hour + 30*time.Minute)},
		{in: "2026-11-29T10:30", until: true, want: day.Add(10*time.Hour + 31*time.Minute)},
		{in: "yesterday", bad: true},
		{in: "2026-13-01", bad: true},
	} {
		got, err := logTime(tc.in, tc.until)
		if (err != nil) != tc.bad || !got.Equal(tc.want) {
			t.Errorf("logTime(%q, %v) = %v, %v", tc.in, tc.until, got, err)
		}
	}
}
