package oidcfed

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"

	"guestlist/internal/core"
)

// Claims a guest is known by when the provider's mapping names none
// (OpenID Connect Core 1.0 section 5.1).
const (
	defaultUserID      = "sub"
	defaultEmail       = "email"
	defaultDisplayName = "name"
	defaultGivenName   = "given_name"
	defaultSurname     = "family_name"
)

// identity is who a verified ID token asserts, read through the
// provider's claims mapping. The address must be there and, when the
// provider says whether it verified it, verified.
func identity(idt *oidc.IDToken, m core.ClaimsMapping) (core.FederationResult, error) {
	var claims map[string]any
	if err := idt.Claims(&claims); err != nil {
		return core.FederationResult{}, fmt.Errorf("oidcfed: ID token claims: %w", err)
	}
	email := text(claims, or(m.Email, defaultEmail))
	if email == "" {
		return core.FederationResult{}, fmt.Errorf("oidcfed: the ID token has no address (claim %q)", or(m.Email, defaultEmail))
	}
	if v, sent := claims["email_verified"]; sent && !isTrue(v) {
		return core.FederationResult{}, fmt.Errorf("oidcfed: the provider has not verified the address %q (email_verified %v)", email, v)
	}
	subject := text(claims, or(m.UserID, defaultUserID))
	if subject == "" {
		return core.FederationResult{}, fmt.Errorf("oidcfed: the ID token has no user id (claim %q)", or(m.UserID, defaultUserID))
	}
	name := text(claims, or(m.DisplayName, defaultDisplayName))
	if name == "" {
		name = strings.TrimSpace(text(claims, or(m.GivenName, defaultGivenName)) + " " + text(claims, or(m.Surname, defaultSurname)))
	}
	return core.FederationResult{Subject: subject, Email: email, DisplayName: name}, nil
}

// text is a claim as a string: strings as they are, numbers as JSON
// spells them (some providers' user ids are numbers), else "".
func text(claims map[string]any, name string) string {
	switch v := claims[name].(type) {
	case string:
		return strings.TrimSpace(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}

// isTrue: email_verified is a boolean, but some providers send "true".
func isTrue(v any) bool {
	switch b := v.(type) {
	case bool:
		return b
	case string:
		return strings.EqualFold(b, "true")
	}
	return false
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
