package storetest

import (
	"context"
	"testing"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// Fixtures set every field to a non-zero value, so a round trip checks
// every column.

const (
	tenantA = "00000000-0000-4000-8000-00000000000a"
	tenantB = "00000000-0000-4000-8000-00000000000b"
)

func newTenant(id, slug string) *core.Tenant {
	return &core.Tenant{
		ID:                id,
		DisplayName:       "Tenant " + slug,
		InitialDomain:     slug + ".guestlist.test",
		Domains:           []string{slug + ".example", slug + ".example.org"},
		DefaultLanguage:   "nl",
		EmailOTP:          core.OTPEnabled,
		PasscodeInSubject: true,
		EmailMethodOff:    true,
		GuestDomains:      core.GuestDomains{Kind: core.DomainsBlocked, Domains: []string{"spam.example", "*.spam.example"}},
		AllowInvitesFrom:  core.InvitesAdminsGuestInviters,
		AdminMFA:          core.AdminMFAAllAdministrators,
		CreatedAt:         t0,
	}
}

// twoTenants creates tenants A and B in s.
func twoTenants(ctx context.Context, t *testing.T, s store.Store) {
	t.Helper()
	must(t, s.CreateTenant(ctx, newTenant(tenantA, "a")))
	b := newTenant(tenantB, "b")
	b.CreatedAt = at(time.Second)
	must(t, s.CreateTenant(ctx, b))
}

func newUser(tenantID, id, mail string) *core.User {
	return &core.User{
		TenantID:          tenantID,
		ID:                id,
		DisplayName:       "Guest " + id,
		Mail:              mail,
		MailKey:           mail,
		UserPrincipalName: "upn_" + id + "#EXT#@a.guestlist.test",
		UserType:          core.UserTypeGuest,
		ExternalUserState: core.StatePendingAcceptance,
		StateChangedAt:    at(-time.Hour),
		CreationType:      core.CreationTypeInvitation,
		Identities: []core.Identity{
			{SignInType: core.SignInTypeFederated, Issuer: core.IssuerMail, IssuerAssignedID: mail},
		},
		PreferredLanguage: "sv",
		LastSignInAt:      at(-time.Minute),
		CreatedAt:         at(-time.Hour),
		Blocked:           true,
		Profile: core.UserProfile{
			GivenName: "Given " + id, Surname: "Surname", JobTitle: "Auditor", OfficeLocation: "B 12",
			MobilePhone: "+31 6 1234 5678", BusinessPhones: []string{"+31 20 123 4567"},
		},
	}
}

func newInvitation(tenantID, id, userID string, token string) *core.Invitation {
	return &core.Invitation{
		TenantID:              tenantID,
		ID:                    id,
		UserID:                userID,
		Email:                 "guest@example.com",
		DisplayName:           "Guest",
		RedirectURL:           "https://app.example/welcome?x=1",
		UserType:              core.UserTypeGuest,
		SendInvitationMessage: true,
		MessageInfo: core.MessageInfo{
			CustomizedMessageBody: "Welcome!",
			MessageLanguage:       "de",
			CCRecipients:          []string{"boss@example.com", "hr@example.com"},
		},
		TokenHash:  []byte("hash-of-" + token),
		Status:     core.InvitationPending,
		MessageID:  "mail-" + id,
		CreatedAt:  at(-time.Minute),
		RedeemedAt: time.Time{},
	}
}

func newFlow(tenantID, id string, expires time.Time) *core.Flow {
	return &core.Flow{
		TenantID:      tenantID,
		ID:            id,
		UserID:        "user-1",
		InvitationID:  "inv-1",
		AuthRequestID: "ar-1",
		AppID:         "app-1",
		Email:         "guest@example.com",
		RedirectURL:   "https://app.example/",
		Locale:        "zh-TW",
		Step:          core.FlowStarted,
		ClientIP:      "192.0.2.7",
		CreatedAt:     at(-time.Minute),
		ExpiresAt:     expires,
	}
}

func newPasscode(tenantID, id, flowID string, created, expires time.Time) *core.Passcode {
	return &core.Passcode{
		TenantID:  tenantID,
		ID:        id,
		FlowID:    flowID,
		MailKey:   "guest@example.com",
		Seed:      []byte{0, 1, 2, 0xfe, 0xff},
		CodeHash:  []byte("code-hash-" + id),
		Attempts:  1,
		CreatedAt: created,
		ExpiresAt: expires,
	}
}

func newSession(tenantID, id, userID string, expires time.Time) *core.Session {
	return &core.Session{
		TenantID:  tenantID,
		ID:        id,
		UserID:    userID,
		AMR:       core.MethodOTP.AMR(),
		CreatedAt: at(-time.Minute),
		ExpiresAt: expires,
	}
}

func newMail(tenantID, id string, created time.Time) *core.OutboxMessage {
	return &core.OutboxMessage{
		ID:        id,
		TenantID:  tenantID,
		Kind:      core.MailInvitation,
		To:        []string{"guest@example.com"},
		CC:        []string{"boss@example.com", "hr@example.com"},
		Subject:   "You are invited",
		TextBody:  "text body of " + id,
		HTMLBody:  "<p>html body of " + id + "</p>",
		MessageID: "<" + id + "@guestlist.test>",
		CreatedAt: created,
	}
}
