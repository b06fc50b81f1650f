package servertest

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Download opens a URL as Get does and also returns the response's
// headers (a file's Content-Type and Content-Disposition).
func (g *Guest) Download(t testing.TB, u string) (Page, http.Header) {
	t.Helper()
	req := g.request(t, http.MethodGet, u, nil)
	return g.send(t, req)
}

// Upload posts a multipart form, as a browser sends a file input: the
// fields, then the file content under field with the file name name.
func (g *Guest) Upload(t testing.TB, u string, fields url.Values, field, name string, content []byte) Page {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	fw, err := mw.CreateFormFile(field, name)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = fw.Write(content)
	if err := mw.Close(); err != nil {
		t.Fatal(err)
	}
	req := g.request(t, http.MethodPost, u, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	p, _ := g.send(t, req)
	return p
}

func (g *Guest) request(t testing.TB, method, u string, body io.Reader) *http.Request {
	t.Helper()
	if strings.HasPrefix(u, "/") {
		u = g.s.URL + u
	}
	req, err := http.NewRequestWithContext(t.Context(), method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, vs := range g.Header {
		req.Header[k] = vs
	}
	if g.Lang != "" {
		req.Header.Set("Accept-Language", g.Lang)
	}
	return req
}

func (g *Guest) send(t testing.TB, req *http.Request) (Page, http.Header) {
	t.Helper()
	resp, err := g.client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return Page{Status: resp.StatusCode, Location: resp.Header.Get("Location"), Body: string(raw)}, resp.Header
}
