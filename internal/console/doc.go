// Package console is the tenant administrators' web console at
// /{tenant}/admin/ (R43): server-rendered pages, one handler per page, on
// the same services the Graph API uses. A page parses the request, checks
// the member's role for what it does, calls a service and renders; it
// holds no business rule and never a store transaction.
//
// Sessions are the console's own (package adminsession): a cookie per
// tenant, SameSite=Strict, an hour idle and twelve in all. Every change is
// a POST that must come from this origin (http.CrossOriginProtection) and
// carry the session's CSRF token; every page and every action checks the
// role on the server, whatever buttons the page showed.
package console
