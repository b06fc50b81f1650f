// Package providers administers a tenant's identity providers (SPEC R10
// steps 2 and 3, R41): SAML 2.0 and OpenID Connect partners for their
// domains, and Google. It validates each provider, seals the OpenID client
// secret with the server key, runs the protocols' remote checks (Checks)
// outside any transaction, and writes every change with its audit record in
// one transaction. Surfaces (the Graph API, the console) call it and never
// write providers to the store themselves.
package providers
