package branding

import (
	"bytes"
	"errors"
	"image"
	"image/jpeg"
	"image/png"
	"testing"
)

func pngOf(t *testing.T, w, h int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, w, h))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBrandingLogo(t *testing.T) {
	var jpg bytes.Buffer
	if err := jpeg.Encode(&jpg, image.NewRGBA(image.Rect(0, 0, 20, 10)), nil); err != nil {
		t.Fatal(err)
	}
	// A PNG signature followed by HTML: sniffed as PNG, refused by the
	// decoder.
	htmlInPNG := append([]byte("\x89PNG\r\n\x1a\n"), "<html><script>alert(1)</script></html>"...)
	for _, tc := range []struct {
		name string
		data []byte
		ct   string
		err  error
	}{
		{"png", pngOf(t, 200, 80), "image/png", nil},
		{"jpeg", jpg.Bytes(), "image/jpeg", nil},
		{"largest", pngOf(t, 1000, 400), "image/png", nil},
		{"too wide", pngOf(t, 1001, 10), "", ErrLogoPixels},
		{"too high", pngOf(t, 10, 401), "", ErrLogoPixels},
		{"svg", []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`), "", ErrLogoFormat},
		{"html", []byte("<!DOCTYPE html><p>hi"), "", ErrLogoFormat},
		{"html in png", htmlInPNG, "", ErrLogoFormat},
		{"gif", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"), "", ErrLogoFormat},
		{"too big", append(pngOf(t, 10, 10), make([]byte, MaxLogoBytes)...), "", ErrLogoSize},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ct, err := checkLogo(tc.data)
			if !errors.Is(err, tc.err) || ct != tc.ct {
				t.Errorf("checkLogo = %q, %v; want %q, %v", ct, err, tc.ct, tc.err)
			}
		})
	}
}

func TestBrandingValues(t *testing.T) {
	for _, tc := range []struct {
		name, in, want string
		check          func(string) (string, error)
		err            error
	}{
		{"color", "#A0b1C2", "#a0b1c2", checkColor, nil},
		{"no color", "", "", checkColor, nil},
		{"css injection", "red;} body{display:none", "", checkColor, ErrColor},
		{"short color", "#fff", "", checkColor, ErrColor},
		{"named color", "red", "", checkColor, ErrColor},
		{"color and more", "#000000;}", "", checkColor, ErrColor},
		{"text", "Welcome,\r\nguests <b>", "Welcome,\nguests <b>", checkText, nil},
		{"control in text", "a\x00b", "", checkText, ErrText},
		{"https", "https://contoso.example/privacy", "https://contoso.example/privacy", checkPrivacyURL, nil},
		{"loopback http", "http://127.0.0.1:8080/p", "http://127.0.0.1:8080/p", checkPrivacyURL, nil},
		{"http", "http://contoso.example/privacy", "", checkPrivacyURL, ErrPrivacyURL},
		{"javascript", "javascript:alert(1)", "", checkPrivacyURL, ErrPrivacyURL},
		{"data", "data:text/html,hi", "", checkPrivacyURL, ErrPrivacyURL},
		{"relative", "/privacy", "", checkPrivacyURL, ErrPrivacyURL},
		{"credentials", "https://u:p@contoso.example/", "", checkPrivacyURL, ErrPrivacyURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.check(tc.in)
			if !errors.Is(err, tc.err) || got != tc.want {
				t.Errorf("got %q, %v; want %q, %v", got, err, tc.want, tc.err)
			}
		})
	}
	long := bytes.Repeat([]byte("é"), MaxTextChars)
	if _, err := checkText(string(long)); err != nil {
		t.Errorf("%d characters refused: %v", MaxTextChars, err)
	}
	if _, err := checkText(string(long) + "x"); !errors.Is(err, ErrText) {
		t.Errorf("%d characters: %v", MaxTextChars+1, err)
	}
}
