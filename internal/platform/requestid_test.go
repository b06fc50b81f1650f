package platform

import (
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"guestlist/internal/core"
)

var fixed = time.Date(2026, 11, 29, 15, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return fixed }

// serve runs one request through RequestIDs and returns the answer and
// the RequestInfo the handler saw.
func serve(t *testing.T, clientID string, h func(http.ResponseWriter, *http.Request)) (*httptest.ResponseRecorder, RequestInfo) {
	t.Helper()
	var seen RequestInfo
	var ok bool
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/v1.0/users", nil)
	if clientID != "" {
		req.Header["Client-Request-Id"] = []string{clientID} // set raw: hostile values included
	}
	RequestIDs(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen, ok = RequestInfoFrom(r.Context())
		if h != nil {
			h(w, r)
		}
	}), fixedClock).ServeHTTP(rec, req)
	if !ok {
		t.Fatal("no RequestInfo in the handler's context")
	}
	return rec, seen
}

func TestRequestIDs(t *testing.T) {
	t.Parallel()
	rec, info := serve(t, "", nil)
	if _, err := uuid.Parse(info.ID); err != nil || uuid.MustParse(info.ID).Version() != 4 {
		t.Errorf("request id %q is not a random UUID", info.ID)
	}
	if got := rec.Header().Get("request-id"); got != info.ID {
		t.Errorf("request-id header %q, context %q", got, info.ID)
	}
	if _, err := uuid.Parse(info.ClientID); err != nil || info.ClientID == info.ID {
		t.Errorf("without a client-request-id the answer should carry a new UUID, got %q", info.ClientID)
	}
	if got := rec.Header().Get("client-request-id"); got != info.ClientID {
		t.Errorf("client-request-id header %q, context %q", got, info.ClientID)
	}
	if !info.Date.Equal(fixed) {
		t.Errorf("date %v, want the injected clock's %v", info.Date, fixed)
	}
	_, again := serve(t, "", nil)
	if again.ID == info.ID {
		t.Error("two requests got the same id")
	}
}

func TestClientRequestIDEchoedOnlyWhenSane(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, id string
		echo     bool
	}{
		{"guid", "9f4b2c1e-6a1d-4b0e-9e3f-1c2d3e4f5a6b", true},
		{"token", "my-script.run_42", true},
		{"128 characters", strings.Repeat("a", 128), true},
		{"129 characters", strings.Repeat("a", 129), false},
		{"10 kB", strings.Repeat("x", 10<<10), false},
		{"CR LF", "abc\r\nSet-Cookie: x=1", false},
		{"LF", "abc\ndef", false},
		{"NUL", "abc\x00", false},
		{"DEL", "abc\x7f", false},
		{"space", "a b", false},
		{"tab", "a\tb", false},
		{"non-ASCII", "réquest", false},
		{"invalid UTF-8", "\xff\xfe", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec, info := serve(t, tc.id, nil)
			got := rec.Header().Get("client-request-id")
			if got != info.ClientID {
				t.Errorf("header %q, context %q", got, info.ClientID)
			}
			if tc.echo && got != tc.id {
				t.Errorf("client-request-id = %q, want it echoed", got)
			}
			if !tc.echo {
				if got == tc.id {
					t.Errorf("hostile client-request-id echoed: %q", got)
				}
				if _, err := uuid.Parse(got); err != nil {
					t.Errorf("replacement %q is not a UUID", got)
				}
			}
		})
	}
}

type errorBody struct {
	Error struct {
		Code       string `json:"code"`
		Message    string `json:"message"`
		InnerError struct {
			Date            string `json:"date"`
			RequestID       string `json:"request-id"`
			ClientRequestID string `json:"client-request-id"`
		} `json:"innerError"`
	} `json:"error"`
}

func decodeError(t *testing.T, rec *httptest.ResponseRecorder) errorBody {
	t.Helper()
	var e errorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil {
		t.Fatalf("error body %q: %v", rec.Body, err)
	}
	return e
}

func TestWriteErrorInnerError(t *testing.T) {
	t.Parallel()
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	rec, info := serve(t, "client-7", func(w http.ResponseWriter, r *http.Request) {
		WriteError(w, r, log, errors.New("disk on fire"))
	})
	e := decodeError(t, rec)
	if rec.Code != 500 || e.Error.Code != "generalException" || strings.Contains(e.Error.Message, "fire") {
		t.Errorf("internal error answered %d %+v", rec.Code, e)
	}
	in := e.Error.InnerError
	if in.Date != "2026-11-29T15:00:00" || in.RequestID != info.ID || in.ClientRequestID != "client-7" {
		t.Errorf("innerError = %+v, want date of the clock, request id %s, client-7", in, info.ID)
	}
	if !strings.Contains(logs.String(), "request_id="+info.ID) {
		t.Errorf("the error log line does not name the request id:\n%s", logs.String())
	}

	// Without RequestIDs in front the body is still complete.
	rec = httptest.NewRecorder()
	WriteError(rec, httptest.NewRequest("GET", "/", nil), log, core.NotFoundf("nothing"))
	e = decodeError(t, rec)
	if e.Error.InnerError.RequestID == "" || e.Error.InnerError.RequestID != rec.Header().Get("request-id") || e.Error.InnerError.Date == "" {
		t.Errorf("innerError outside the middleware = %+v, headers %v", e.Error.InnerError, rec.Header())
	}
}

func TestHandleRoutesMethodNotAllowed(t *testing.T) {
	t.Parallel()
	mux := http.NewServeMux()
	ok := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") })
	HandleRoutes(mux, []Route{
		{Method: "GET", Path: "/v1.0/users", Handler: ok},
		{Method: "GET", Path: "/v1.0/users/{id}", Handler: ok},
		{Method: "DELETE", Path: "/v1.0/users/{id}", Handler: ok},
		// A literal path beside a wildcard one must not conflict.
		{Method: "GET", Path: "/v1.0/users/delta", Handler: ok},
	})
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/v1.0/users", 200, ""},
		{"HEAD", "/v1.0/users", 200, ""},
		{"PUT", "/v1.0/users", 405, "GET, HEAD"},
		{"POST", "/v1.0/users/x", 405, "GET, HEAD, DELETE"},
		{"DELETE", "/v1.0/users/x", 200, ""},
		{"GET", "/v1.0/users/delta", 200, ""},
		{"DELETE", "/v1.0/users/delta", 405, "GET, HEAD"},
		{"OPTIONS", "/v1.0/users", 405, "GET, HEAD"},
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, nil))
		if rec.Code != tc.status || rec.Header().Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d Allow %q, want %d %q", tc.method, tc.path, rec.Code, rec.Header().Get("Allow"), tc.status, tc.allow)
		}
		if tc.status == 405 {
			if e := decodeError(t, rec); e.Error.Code != "Request_BadRequest" || e.Error.InnerError.RequestID == "" {
				t.Errorf("%s %s: body %+v", tc.method, tc.path, e)
			}
		}
	}
}

func TestBearerToken(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		header, token string
		ok            bool
	}{
		{"Bearer abc", "abc", true},
		{"bearer abc", "abc", true},
		{"BEARER abc", "abc", true},
		{"bEaReR  abc ", "abc", true},
		{"Bearer", "", false},
		{"Bearer ", "", false},
		{"Basic abc", "", false},
		{"Bearerabc", "", false},
		{"", "", false},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Authorization", tc.header)
		if got, ok := BearerToken(r); got != tc.token || ok != tc.ok {
			t.Errorf("BearerToken(%q) = %q, %v; want %q, %v", tc.header, got, ok, tc.token, tc.ok)
		}
	}
}
