// Package password is the one place where members' and personal accounts'
// passwords are hashed, verified and judged acceptable.
//
// Hashing is Argon2id (RFC 9106) with parameters chosen by measurement (see
// Default and BENCHMARKS.md), stored as PHC strings so every stored hash
// carries the cost it was made with and can be upgraded on the next
// successful sign-in. A Hasher bounds how many hashes run at once, because
// Argon2id's memory cost is deliberate and unbounded concurrency would turn a
// burst of sign-ins into an out-of-memory kill.
//
// Check applies the memorized-secret rules of NIST SP 800-63B section
// 5.1.1.2: length counted in Unicode code points after NFKC normalisation, no
// composition rules, and a blocklist of commonly used passwords and of words
// from the account's own context. Hash and Verify normalise the same way, so a
// password typed with composed or decomposed characters verifies either way.
package password
