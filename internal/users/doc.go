// Package users administers user objects (SPEC R41, R43): members who
// sign in with a password (R10 step 1) and their passwords, the
// properties an administrator may change, blocking and unblocking sign-in,
// and ending a user's sessions and tokens. The Graph surface and the
// console call it; it knows no HTTP.
package users
