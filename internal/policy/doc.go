// Package policy resolves the per-tenant email one-time passcode setting
// against the deployment's cloud profile (SPEC R20, R26, R27, R40).
package policy
