package server_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"guestlist/internal/servertest"
)

// TestPlantedFlowCookieDiesWithTheCode: a stranger planted their copy of a
// flow cookie in the guest's browser (or copied the guest's). The guest
// enters the right code; from that moment the stranger's copy names no
// flow: consent, the steps that lead on to the application's callback and
// the code form all answer "sign-in not found, start again", never a
// session, a consent page or a code for the application. The guest goes
// on to the application.
func TestPlantedFlowCookieDiesWithTheCode(t *testing.T) {
	s, tn := newFabrikam(t, servertest.Options{})
	const email = "alice@contoso.example"
	rp := newRelyingParty(t, s, tn, registerApp(t, s, tn, appRedirect, email))
	guest, stranger := s.NewGuest("en"), s.NewGuest("en")

	a := rp.attempt()
	typed := typeAddress(t, guest, open(t, s, guest, a.url), email)
	if typed.Status != http.StatusSeeOther {
		t.Fatalf("address: %d %.300s", typed.Status, typed.Body)
	}
	base := servertest.TenantBase(typed.Location)
	stranger.PlantCookies(guest)
	if p := stranger.Get(t, base+"/signin/passcode"); p.Status != http.StatusOK || !strings.Contains(p.Body, `id="send"`) {
		t.Fatalf("before the code the planted copy names the flow: %d, want the Send code page", p.Status)
	}

	mustSend(t, guest, base, false)
	wantConsentNext(t, enter(t, guest, base, waitCode(t, s, email, 1)), base)

	for _, step := range []struct {
		method, path string
		form         url.Values
	}{
		{"GET", "/signin/consent", nil},
		{"POST", "/signin/consent", url.Values{"action": {"accept"}}},
		{"GET", "/signin/passcode", nil},
		{"GET", "/signin/code", nil},
		{"POST", "/signin/code", url.Values{"code": {"12345678"}}},
	} {
		var p servertest.Page
		if step.method == "POST" {
			p = stranger.Post(t, base+step.path, step.form)
		} else {
			p = stranger.Get(t, base+step.path)
		}
		if p.Status != http.StatusBadRequest || !strings.Contains(p.Body, textNoFlow) || p.Location != "" {
			t.Errorf("stranger %s %s: %d to %q, want 400 %q\n%.500s", step.method, step.path, p.Status, p.Location, textNoFlow, p.Body)
		}
	}
	for _, c := range stranger.Cookies() {
		if strings.Contains(c.Name, "session") {
			t.Errorf("the stranger holds a session cookie %s", c.Name)
		}
	}

	accepted := guest.Post(t, base+"/signin/consent", url.Values{"action": {"accept"}})
	rp.codeFrom(t, followOnServer(t, s, guest, accepted), a)
}
