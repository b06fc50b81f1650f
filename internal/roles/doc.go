// Package roles administers a tenant's directory roles: the three role
// definitions guestlist knows (Graph's directory role templates Global
// Administrator, Guest Inviter and User Administrator), who holds them,
// and what each lets its holder do (Can). Members of the tenant hold
// roles; guests cannot. Every change is written with its audit record in
// one transaction, with the actor the surface put in the context.
// Surfaces (the Graph API, the console) call it and never write role
// assignments to the store themselves.
package roles
