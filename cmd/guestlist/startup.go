package main

import (
	"log/slog"
	"os"
	"runtime/debug"

	"guestlist/internal/platform"
	"guestlist/internal/server"
)

// newLogger builds the process's one logger, in the format --log-format
// names, and makes it the default, so that libraries logging through
// slog's or the log package's default (the OpenID provider logs every
// refused request there; goose reports migrations) honour --log-level and
// reach the same output in the same format. Without --log-level, serve
// logs from info and the other commands, whose output is their answer,
// from warn.
func newLogger(format, level string, serve bool) *slog.Logger {
	l := slog.LevelWarn
	if serve {
		l = slog.LevelInfo
	}
	if level != "" {
		_ = l.UnmarshalText([]byte(level)) // kong checked it against the enum
	}
	log := platform.NewLogger(os.Stderr, l)
	if format == "json" {
		log = platform.NewJSONLogger(os.Stderr, l)
	}
	slog.SetDefault(log)
	return log
}

// startup is what serve tells the operator once it listens.
type startup struct {
	addr      string
	cfg       server.Config
	devMail   bool
	tokenFrom string
}

// logStartup says in a few records which build serves where, for which
// public URL, on which database, how mail leaves, on which profile, and
// where the operator token is (never the token itself: logs are shipped).
func logStartup(log *slog.Logger, s startup) {
	bi, ok := debug.ReadBuildInfo()
	log.Info("guestlist starting", "version", shortVersion(bi, ok), "profile", s.cfg.Profile)
	log.Info("guestlist serving", "addr", s.addr, "base_url", s.cfg.BaseURL, "database", redactURL(s.cfg.DatabaseURL()))
	if s.devMail {
		log.Info("mail: no SMTP server configured, outgoing mail is kept in the dev mailbox", "url", s.cfg.BaseURL+"/dev/mail")
	} else {
		log.Info("mail: sent through SMTP", "smtp", redactURL(s.cfg.SMTP))
	}
	log.Info("operator API", "url", s.cfg.BaseURL+"/operator/v1/", "token_from", s.tokenFrom)
}
