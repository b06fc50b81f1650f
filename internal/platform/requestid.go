package platform

import (
	"context"
	"net/http"
	"time"

	"github.com/google/uuid"
)

// maxClientRequestID bounds the client-request-id echoed back: Graph's
// clients send a GUID (36 characters); anything far longer is not one.
const maxClientRequestID = 128

// RequestInfo identifies one request, as Graph's innerError and its
// request-id and client-request-id response headers name it.
type RequestInfo struct {
	// ID is ours: a fresh random UUID per request.
	ID string
	// ClientID is the client's client-request-id when it was a sane value,
	// else a fresh UUID.
	ClientID string
	// Date is when the request arrived, by the server's clock.
	Date time.Time
}

type requestInfoKey struct{}

// RequestIDs gives every request an id: it puts a RequestInfo into the
// request's context and sets the request-id and client-request-id headers
// of the answer before the handler runs, so every answer carries them,
// errors written by a library included. A client's client-request-id is
// echoed only if it is short and plain visible ASCII; anything else is
// replaced, so no bytes from a request reach our headers or logs.
func RequestIDs(h http.Handler, now Clock) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := newRequestInfo(now, r.Header.Get("client-request-id"))
		w.Header().Set("request-id", info.ID)
		w.Header().Set("client-request-id", info.ClientID)
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestInfoKey{}, info)))
	})
}

func newRequestInfo(now Clock, clientID string) RequestInfo {
	info := RequestInfo{ID: uuid.NewString(), ClientID: clientID, Date: now().UTC()}
	if !saneClientRequestID(clientID) {
		info.ClientID = uuid.NewString()
	}
	return info
}

// RequestInfoFrom returns the request's RequestInfo and whether
// RequestIDs put one there.
func RequestInfoFrom(ctx context.Context) (RequestInfo, bool) {
	info, ok := ctx.Value(requestInfoKey{}).(RequestInfo)
	return info, ok
}

// RequestID is the request's id, or "" outside RequestIDs.
func RequestID(ctx context.Context) string {
	info, _ := RequestInfoFrom(ctx)
	return info.ID
}

// saneClientRequestID accepts 1 to maxClientRequestID characters of
// visible ASCII (RFC 9110 section 5.5 allows more in a field value; an
// echoed id needs none of it).
func saneClientRequestID(s string) bool {
	if s == "" || len(s) > maxClientRequestID {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
