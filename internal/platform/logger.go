package platform

import (
	"context"
	"io"
	"log/slog"
)

// NewLogger is the process's logger: text records at level and above, with
// every message and string or error value clipped to a few KiB. Libraries
// that log through the default logger (zitadel/oidc's op logs request errors
// with the client's own text) get it too once it is made the default, so
// their records honour the level and cannot carry unbounded input.
func NewLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(clipHandler{slog.NewTextHandler(w, &slog.HandlerOptions{Level: level})})
}

// NewJSONLogger is NewLogger writing one JSON object per record, for log
// shippers that parse JSON.
func NewJSONLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(clipHandler{slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level})})
}

// clipHandler clips what it passes on to h.
type clipHandler struct{ h slog.Handler }

func (c clipHandler) Enabled(ctx context.Context, l slog.Level) bool { return c.h.Enabled(ctx, l) }

func (c clipHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, clip(r.Message, maxLogValue), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(clipAttr(a))
		return true
	})
	return c.h.Handle(ctx, out)
}

func (c clipHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clipped := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clipped[i] = clipAttr(a)
	}
	return clipHandler{c.h.WithAttrs(clipped)}
}

func (c clipHandler) WithGroup(name string) slog.Handler { return clipHandler{c.h.WithGroup(name)} }

func clipAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, clip(v.String(), maxLogValue))
	case slog.KindGroup:
		group := v.Group()
		clipped := make([]slog.Attr, len(group))
		for i, g := range group {
			clipped[i] = clipAttr(g)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(clipped...)}
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, clip(err.Error(), maxLogValue))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}
