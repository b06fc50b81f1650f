// Package operator is the deployment operator's API under /operator/v1/
// (SPEC R42): create, list and delete tenants, guarded by the operator token
// from the environment. Errors use the same Graph shape as /v1.0/.
package operator
