package smtptest

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"strings"
)

// Message is one message the server accepted.
type Message struct {
	From string   // envelope sender (MAIL FROM)
	To   []string // envelope recipients (RCPT TO)
	TLS  bool     // the session was encrypted (STARTTLS or implicit TLS)
	User string   // the authenticated user, if any
	Data []byte   // the message as received

	Header   mail.Header
	Subject  string // decoded (RFC 2047)
	TextBody string // the text/plain part, transfer encoding removed, LF line ends
	HTMLBody string // the text/html part, if any, decoded the same way
}

// MessageID is the Message-ID header without its angle brackets.
func (m Message) MessageID() string {
	return strings.TrimSuffix(strings.TrimPrefix(m.Header.Get("Message-Id"), "<"), ">")
}

func parse(data []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(data))
	if err != nil {
		return Message{}, err
	}
	m := Message{Data: data, Header: msg.Header}
	var dec mime.WordDecoder
	if m.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		return Message{}, fmt.Errorf("subject: %w", err)
	}
	err = m.readPart(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
	return m, err
}

// readPart fills the text and HTML bodies from one MIME entity,
// descending into multipart entities (alternative, mixed, related).
func (m *Message) readPart(contentType, encoding string, body io.Reader) error {
	if contentType == "" {
		contentType = "text/plain"
	}
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return fmt.Errorf("content type %q: %w", contentType, err)
	}
	if strings.HasPrefix(mediaType, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := m.readPart(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil {
				return err
			}
		}
	}
	if mediaType != "text/plain" && mediaType != "text/html" {
		return nil // attachments and the like
	}
	text, err := decode(encoding, body)
	if err != nil {
		return fmt.Errorf("%s body: %w", mediaType, err)
	}
	if mediaType == "text/plain" && m.TextBody == "" {
		m.TextBody = text
	} else if mediaType == "text/html" && m.HTMLBody == "" {
		m.HTMLBody = text
	}
	return nil
}

// decode removes a content transfer encoding (RFC 2045 §6) and turns
// CRLF line ends into LF.
func decode(encoding string, r io.Reader) (string, error) {
	switch strings.ToLower(strings.TrimSpace(encoding)) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r) // ignores line breaks
	}
	b, err := io.ReadAll(r)
	// Bodies travel with CRLF line ends; tests compare with Go strings.
	return strings.ReplaceAll(string(b), "\r\n", "\n"), err
}
