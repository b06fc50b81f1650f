package store

// UserField is a user property a query can test or sort by. The values
// are the store's own; the Graph layer maps its property names to them.
type UserField int

// The user fields queries reach (SPEC R41).
const (
	UserID UserField = iota + 1
	UserDisplayName
	UserMail // the address as shown
	UserMailKey
	UserPrincipalName
	UserType
	UserExternalState
	UserCreationType
	UserGivenName
	UserSurname
	UserAccountEnabled
	UserCreated
)

// Expr is a condition on users: one of Compare, Match, IsEmpty, Not, And,
// Or and IdentityAny. It is data, free of any query language: the SQL a
// store runs is its own and binds every value.
type Expr interface{ userExpr() }

// CompareOp is a comparison of Compare.
type CompareOp int

// Comparisons. Strings compare case-insensitively with Eq; the ordering
// ones apply to UserCreated only.
const (
	Eq CompareOp = iota + 1
	Lt
	Le
	Gt
	Ge
)

// Compare tests Field against Value: a string for text fields, a bool
// for UserAccountEnabled, a time.Time for UserCreated.
type Compare struct {
	Field UserField
	Op    CompareOp
	Value any
}

// MatchKind is how Match tests a text field.
type MatchKind int

// Match kinds, all case-insensitive.
const (
	Prefix MatchKind = iota + 1 // the value starts with Value
	Suffix                      // the value ends with Value
	// WordPrefix: a word of the value starts with Value; words are split
	// at spaces and at . _ - @ (the tokenizing of Graph's $search).
	WordPrefix
)

// Match tests a text field for a prefix, a suffix or a word prefix.
type Match struct {
	Field UserField
	Kind  MatchKind
	Value string
}

// IsEmpty holds when a text field is empty: Graph shows such a property
// as null, so "eq null" means it.
type IsEmpty struct{ Field UserField }

// Not negates X.
type Not struct{ X Expr }

// And holds when every one of its operands does (an empty And holds).
type And []Expr

// Or holds when one of its operands does (an empty Or does not).
type Or []Expr

// IdentityAny holds when one identity of the user has Issuer and
// IssuerAssignedID (each compared case-insensitively; "" leaves it out).
type IdentityAny struct {
	Issuer, IssuerAssignedID string
}

func (Compare) userExpr()     {}
func (Match) userExpr()       {}
func (IsEmpty) userExpr()     {}
func (Not) userExpr()         {}
func (And) userExpr()         {}
func (Or) userExpr()          {}
func (IdentityAny) userExpr() {}

// UserOrder sorts ListUsers: by Field (UserDisplayName, UserPrincipalName,
// UserMail compare case-insensitively; UserCreated), then by id, in the
// same direction. The zero UserOrder is creation order, oldest first.
type UserOrder struct {
	Field UserField
	Desc  bool
}
