package platform

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"guestlist/internal/core"
)

// WriteError writes err as Graph's {"error":{"code","message"}} with the
// status its kind calls for. Only a core.Error's public message is sent;
// anything else is logged and answered as a generic 500.
func WriteError(w http.ResponseWriter, log *slog.Logger, err error) {
	status, code, msg := http.StatusInternalServerError, "generalException", "An internal error occurred; try again."
	pub, ok := core.PublicError(err)
	switch {
	case errors.Is(err, core.ErrInvalid):
		status, code = http.StatusBadRequest, "Request_BadRequest"
	case errors.Is(err, core.ErrNotFound):
		status, code = http.StatusNotFound, "Request_ResourceNotFound"
	case errors.Is(err, core.ErrConflict):
		status, code = http.StatusConflict, "Request_MultipleObjectsWithSameKeyFound"
	case errors.Is(err, core.ErrForbidden):
		status, code = http.StatusForbidden, "Authorization_RequestDenied"
	case errors.Is(err, core.ErrUnauthenticated):
		status, code = http.StatusUnauthorized, "InvalidAuthenticationToken"
		if w.Header().Get("WWW-Authenticate") == "" {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		}
	case errors.Is(err, core.ErrTooLarge):
		status, code = http.StatusRequestEntityTooLarge, "Request_EntityTooLarge"
		w.Header().Set("Connection", "close") // the rest of the body is not read
	case errors.Is(err, core.ErrMediaType):
		status, code = http.StatusUnsupportedMediaType, "Request_UnsupportedMediaType"
	case errors.Is(err, core.ErrThrottled):
		status, code = http.StatusTooManyRequests, "TooManyRequests"
		if rl := (*core.RetryLater)(nil); errors.As(err, &rl) {
			w.Header().Set("Retry-After", strconv.Itoa(max(1, int(rl.After.Round(time.Second).Seconds()))))
		}
	case errors.Is(err, core.ErrUnavailable):
		ok = false
		status, code = http.StatusServiceUnavailable, "serviceNotAvailable"
		w.Header().Set("Retry-After", "5")
		log.Warn("service unavailable", "err", LogErr(err))
	default:
		ok = false
		log.Error("internal error", "err", LogErr(err))
	}
	if ok {
		msg = pub.Message
		if pub.Code != "" {
			code = pub.Code
		}
	} else if status == http.StatusServiceUnavailable {
		msg = "The service is temporarily unavailable; try again in a few seconds."
	} else if status != http.StatusInternalServerError {
		msg = http.StatusText(status)
	}
	WriteJSON(w, status, map[string]any{"error": map[string]string{"code": code, "message": msg}})
}

// WriteJSON writes v as an uncacheable JSON response.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
