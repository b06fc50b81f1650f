package mail

import (
	"log/slog"
	"net/http"

	"guestlist/internal/store"
)

// DevMailboxHandler serves the dev mailbox (SPEC R50), which shows the
// outbox of all tenants. Mount it only when no SMTP server is configured,
// at both "/dev/mail" and "/dev/mail/". Routes:
//
//	GET /dev/mail              newest 200 messages (HTML; ?format=json for JSON)
//	GET /dev/mail/{id}         one message (HTML; ?format=json for JSON)
//
// The templates are embedded and parsed here; a broken template panics at
// start rather than on the first request.
func DevMailboxHandler(st store.Store, log *slog.Logger) http.Handler {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	d := &devMailbox{st: st, log: log, tmpl: mustParseTemplates()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dev/mail", d.list)
	mux.HandleFunc("GET /dev/mail/{id}", d.show)
	return mux
}
