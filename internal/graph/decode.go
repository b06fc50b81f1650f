package graph

import (
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"guestlist/internal/core"
)

const maxBody = 1 << 20

// decode reads one JSON object into v, refusing unknown properties, wrong
// types, trailing data and bodies over 1 MiB, each with a message that says
// what to fix.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	// A body without Content-Type is refused like one of another type
	// (415, as Graph answers): reading it as JSON anyway would accept
	// what Graph refuses, and scripts tested here would fail there.
	ct := r.Header.Get("Content-Type")
	if !strings.HasPrefix(strings.ToLower(ct), "application/json") && (ct != "" || r.ContentLength != 0) {
		return core.Errorf(core.ErrMediaType, "", "the body must be JSON (Content-Type: application/json)")
	}
	if r.ContentLength > maxBody {
		return tooLarge()
	}
	body, err := requestBody(w, r)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return core.Invalidf("the body must hold exactly one JSON object")
	}
	return nil
}

// requestBody is the request's body, at most maxBody bytes on the wire and
// after decompression. Graph accepts a gzip-compressed body
// (Content-Encoding: gzip), which its SDKs send by default; any other
// encoding is 415.
func requestBody(w http.ResponseWriter, r *http.Request) (io.Reader, error) {
	wire := http.MaxBytesReader(w, r.Body, maxBody)
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
		return wire, nil
	case "gzip":
		zr, err := gzip.NewReader(wire)
		if err != nil {
			return nil, core.Invalidf("the body is not valid gzip")
		}
		// The limit applies to what the body expands to, too: a small
		// compressed body must not inflate into gigabytes.
		return &limitedReader{r: zr, n: maxBody}, nil
	default:
		return nil, core.Errorf(core.ErrMediaType, "", "Content-Encoding %q is not supported (use gzip or none)", enc)
	}
}

// limitedReader fails with *http.MaxBytesError past n bytes, so a body
// that expands beyond the limit is refused as too large, not cut short.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		return 0, &http.MaxBytesError{Limit: maxBody}
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	if int64(n) > l.n {
		l.n = 0
		return n, &http.MaxBytesError{Limit: maxBody}
	}
	l.n -= int64(n)
	return n, err
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	var maxErr *http.MaxBytesError
	switch {
	case errors.As(err, &typeErr):
		if typeErr.Field == "" {
			return core.Invalidf("the body must be a JSON object")
		}
		return core.Invalidf("property %q must be of type %s", typeErr.Field, jsonType(typeErr.Type.Kind().String()))
	case errors.As(err, &syntaxErr), errors.Is(err, io.ErrUnexpectedEOF):
		return core.Invalidf("the body is not valid JSON")
	case errors.As(err, &maxErr):
		return tooLarge()
	case errors.Is(err, io.EOF):
		return core.Invalidf("the body is empty; a JSON object is required")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return core.Invalidf("property %s is not part of this resource", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return core.Invalidf("the body could not be read: %s", err.Error())
}

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "struct", "map", "ptr":
		return "object"
	case "slice":
		return "array"
	}
	return fmt.Sprintf("number (%s)", kind)
}

func tooLarge() error {
	return core.Errorf(core.ErrTooLarge, "", "the body is larger than %d bytes", maxBody)
}
