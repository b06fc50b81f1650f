package platform

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"guestlist/internal/core"
)

// WriteError writes err as Graph's {"error":{"code","message","innerError"}}
// with the status its kind calls for. Only a core.Error's public message is
// sent; anything else is logged, with the request id, and answered as a
// generic 500.
func WriteError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
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
		log.Warn("service unavailable", "request_id", RequestID(r.Context()), "err", LogErr(err))
	default:
		ok = false
		log.Error("internal error", "request_id", RequestID(r.Context()), "method", LogText(r.Method), "path", LogText(r.URL.Path), "err", LogErr(err))
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
	writeGraphError(w, r, status, code, msg)
}

// errorJSON is Graph's error body.
type errorJSON struct {
	Error struct {
		Code       string         `json:"code"`
		Message    string         `json:"message"`
		InnerError innerErrorJSON `json:"innerError"`
	} `json:"error"`
}

// innerErrorJSON is what Graph adds to every error so that a failed
// request can be found in the service's logs: when, our request id and the
// client's. Date is UTC without a zone, as Graph writes it.
type innerErrorJSON struct {
	Date            string `json:"date"`
	RequestID       string `json:"request-id"`
	ClientRequestID string `json:"client-request-id"`
}

func writeGraphError(w http.ResponseWriter, r *http.Request, status int, code, msg string) {
	info, ok := RequestInfoFrom(r.Context())
	if !ok {
		// Outside RequestIDs (a handler tested on its own): still a
		// complete body, with ids made here and the wall clock.
		info = newRequestInfo(SystemClock, r.Header.Get("client-request-id"))
		w.Header().Set("request-id", info.ID)
		w.Header().Set("client-request-id", info.ClientID)
	}
	var body errorJSON
	body.Error.Code, body.Error.Message = code, msg
	body.Error.InnerError = innerErrorJSON{
		Date:            info.Date.UTC().Format("2006-01-02T15:04:05"),
		RequestID:       info.ID,
		ClientRequestID: info.ClientID,
	}
	WriteJSON(w, status, body)
}

// MethodNotAllowed answers a known API path asked with a method it does
// not serve: 405 with Allow (RFC 9110 section 15.5.6) and Graph's body,
// code Request_BadRequest, as Graph answers it.
func MethodNotAllowed(allow ...string) http.HandlerFunc {
	allowed := strings.Join(allow, ", ")
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Allow", allowed)
		writeGraphError(w, r, http.StatusMethodNotAllowed, "Request_BadRequest",
			"Specified HTTP method is not allowed for the request uri.")
	}
}

// BearerToken returns the token of an Authorization header using the
// Bearer scheme, whose name is case-insensitive (RFC 7235 section 2.1).
func BearerToken(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	token = strings.TrimSpace(token)
	return token, token != ""
}

// WriteJSON writes v as an uncacheable JSON response.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
