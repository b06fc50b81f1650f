// Package web serves the pages a guest sees: the redeem link, Send code,
// Enter code, consent and the error pages, in the guest's language (SPEC
// R5, R21–R24, R53). Every POST is protected against cross-origin requests;
// flows and sessions live in the store, named by cookies whose values are
// only stored as keyed hashes.
package web
