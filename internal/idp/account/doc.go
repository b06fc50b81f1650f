// Package account checks a password against an account of a tenant of
// this deployment: a member of the guest's home tenant (SPEC R10 step 1),
// a personal account of the consumers tenant (steps 4 and 6), or a member
// signing in to their own tenant. The methods idp/home, idp/personal and
// idp/member differ only in which tenant holds the account and when they
// apply; the checking, its timing and its throttles are here, once.
package account
