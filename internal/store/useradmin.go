package store

import "context"

// UserAdmin is what an administrator changes on a user object (SPEC R13,
// R41, R43), one field or group of fields per method, so that a change
// never writes back what it did not mean to change. Embedded in Tx.
type UserAdmin interface {
	// SetUserMail gives the user a new address: mail, mail key and user
	// principal name change together (a reset of redemption to a new
	// address, R13). core.ErrConflict if another user of the tenant has
	// mailKey, core.ErrNotFound if there is no such user.
	SetUserMail(ctx context.Context, tenantID, userID, mail, mailKey, upn string) error
	// PatchUser writes the fields p sets and nothing else;
	// core.ErrNotFound if there is no such user.
	PatchUser(ctx context.Context, tenantID, userID string, p UserPatch) error
}

// UserPatch names the user fields a PatchUser writes: nil leaves a field
// as it is.
type UserPatch struct {
	DisplayName       *string
	UserType          *string
	PreferredLanguage *string
	Blocked           *bool
	GivenName         *string
	Surname           *string
	JobTitle          *string
	OfficeLocation    *string
	MobilePhone       *string
	BusinessPhones    *[]string
}
