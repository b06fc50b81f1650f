package server_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"guestlist/internal/servertest"
)

// countingReader is an endless body that counts how much of it the server
// made the client send.
type countingReader struct {
	n     atomic.Int64
	limit int64
	fill  byte
}

func (c *countingReader) Read(p []byte) (int, error) {
	left := c.limit - c.n.Load()
	if left <= 0 {
		return 0, io.EOF
	}
	p = p[:min(int64(len(p)), left)]
	for i := range p {
		p[i] = c.fill
	}
	c.n.Add(int64(len(p)))
	return len(p), nil
}

type graphError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

// post sends body (of unknown length: chunked, so the server cannot refuse
// by Content-Length alone) and returns the status and answer.
func post(t *testing.T, url, contentType, lang string, body io.Reader) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, url, io.NopCloser(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if lang != "" {
		req.Header.Set("Accept-Language", lang)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(raw)
}

// TestGuestPostsOnlyTakeSmallForms: a guest page takes an urlencoded form
// of a few KiB. A 64 MB multipart upload (which used to be spooled to disk
// and answered 303) or a JSON body is refused with 415 before it is read, an
// oversized form with 413, each with a page in the guest's language.
func TestGuestPostsOnlyTakeSmallForms(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")

	upload := &countingReader{limit: 64 << 20, fill: 'x'}
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		// Every write may fail once the server has answered and the pipe
		// is closed: stop at the first error.
		err := mw.WriteField("email", "alice@contoso.example")
		var part io.Writer
		if err == nil {
			part, err = mw.CreateFormFile("file", "big.bin")
		}
		if err == nil {
			_, err = io.Copy(part, upload)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	status, _, body := post(t, s.URL+"/"+tn.ID+"/signin", mw.FormDataContentType(), "nl", pr)
	pr.CloseWithError(io.ErrClosedPipe)
	if status != http.StatusUnsupportedMediaType {
		t.Errorf("multipart upload to a guest page: %d, want 415", status)
	}
	if !strings.Contains(body, "Je browser heeft deze pagina verstuurd") {
		t.Errorf("415 page is not in Dutch: %.300s", body)
	}
	if sent := upload.n.Load(); sent > 16<<20 {
		t.Errorf("the server read %d bytes of a refused upload", sent)
	}

	status, _, body = post(t, s.URL+"/"+tn.ID+"/signin/passcode", "application/json", "sv", strings.NewReader(`{"email":"a@b.example"}`))
	if status != http.StatusUnsupportedMediaType || !strings.Contains(body, "Din webbläsare skickade sidan") {
		t.Errorf("JSON to a guest page: %d %.300s, want 415 in Swedish", status, body)
	}

	big := io.MultiReader(strings.NewReader("email="), &countingReader{limit: 1 << 20, fill: 'a'})
	status, _, body = post(t, s.URL+"/"+tn.ID+"/signin", "application/x-www-form-urlencoded", "de", big)
	if status != http.StatusRequestEntityTooLarge || !strings.Contains(body, "ist zu groß") {
		t.Errorf("1 MiB form: %d %.300s, want 413 in German", status, body)
	}
}

// TestJSONBodiesAreBounded: the Graph and operator APIs answer a body over
// their bound with 413 and a non-JSON body with 415, in Graph's shape.
func TestJSONBodiesAreBounded(t *testing.T) {
	s := servertest.New(t, servertest.Options{})
	tn := s.CreateTenant(t, "Fabrikam")
	cases := []struct {
		name, path, token, contentType string
		body                           io.Reader
		status                         int
		code                           string
	}{
		{"graph, 2 MiB", "/v1.0/invitations", tn.Token, "application/json",
			io.MultiReader(strings.NewReader(`{"invitedUserDisplayName":"`), &countingReader{limit: 2 << 20, fill: 'a'}),
			http.StatusRequestEntityTooLarge, "Request_EntityTooLarge"},
		{"graph, text/plain", "/v1.0/invitations", tn.Token, "text/plain", strings.NewReader(`{}`),
			http.StatusUnsupportedMediaType, "Request_UnsupportedMediaType"},
		{"operator, 1 MiB", "/operator/v1/tenants", s.OperatorToken, "application/json",
			io.MultiReader(strings.NewReader(`{"displayName":"`), &countingReader{limit: 1 << 20, fill: 'a'}),
			http.StatusRequestEntityTooLarge, "Request_EntityTooLarge"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequestWithContext(t.Context(), http.MethodPost, s.URL+c.path, io.NopCloser(c.body))
			req.Header.Set("Content-Type", c.contentType)
			req.Header.Set("Authorization", "Bearer "+c.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var ge graphError
			if err := json.NewDecoder(resp.Body).Decode(&ge); err != nil {
				t.Fatalf("%d, body is not Graph's error JSON: %v", resp.StatusCode, err)
			}
			if resp.StatusCode != c.status || ge.Error.Code != c.code {
				t.Errorf("%d %s (%s), want %d %s", resp.StatusCode, ge.Error.Code, ge.Error.Message, c.status, c.code)
			}
		})
	}
}

// TestRequestLogIsBounded: a 200 KB path is not copied into the request
// log whole.
func TestRequestLogIsBounded(t *testing.T) {
	var logs servertest.LogBuffer
	s := servertest.New(t, servertest.Options{
		Logger: logs.Logger(slog.LevelDebug)})
	long := "/" + strings.Repeat("A", 200<<10)
	resp, err := http.Get(s.URL + long)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	s.Stop()
	for line := range strings.SplitSeq(logs.String(), "\n") {
		if len(line) > 2<<10 {
			t.Errorf("a log line of %d bytes: %.200s…", len(line), line)
		}
	}
}
