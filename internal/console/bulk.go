package console

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"guestlist/internal/invite"
	"guestlist/internal/platform"
)

// Bulk invitations (R43 2): a CSV file of up to maxBulkRows guests, each
// row invited through invite.Service.Invite exactly as POST
// /v1.0/invitations would be, with its own result.

const (
	// maxBulkFile bounds the uploaded file, maxBulkRows its guests.
	maxBulkFile = 256 << 10
	maxBulkRows = 500
	// maxUploadBody bounds the whole multipart request: the file, the
	// CSRF token and the form's framing. Above it the request is refused
	// before it is read.
	maxUploadBody = maxBulkFile + 64<<10
)

// bulkColumns are the file's columns, as its header row names them (any
// order, any case); only email is required.
var bulkColumns = []string{"email", "displayName", "redirectUrl", "sendInvitation"}

type bulkRow struct {
	Line     int
	Email    string
	UserID   string // invited: the guest's console page
	Link     string // invited without mail: the redeem link to pass on
	Error    string // refused, in the service's words
	Problem  string // message id: refused by the page, or not tried
	Invited  bool
	NotTried bool
}

type bulkPage struct {
	base
	MaxKiB, MaxRows int
	Template        string
	Error           string // message id: the file as a whole was refused
	ErrorArg        string
	Rows            []bulkRow
	Invited         int
	Refused         int
	NotTried        int
	Done            bool
}

func (c *Console) bulkPage(v *visit) bulkPage {
	p := bulkPage{base: c.base(v, "/invite"), MaxKiB: maxBulkFile >> 10, MaxRows: maxBulkRows,
		Template: v.path("/invite/bulk/template.csv")}
	p.Return = v.path("/invite/bulk")
	return p
}

// bulkForm: GET /{tenant}/admin/invite/bulk describes the file and asks
// for it.
func (c *Console) bulkForm(w http.ResponseWriter, _ *http.Request, v *visit) {
	c.r.render(w, http.StatusOK, "bulk.html", c.bulkPage(v))
}

// bulkTemplate: GET /{tenant}/admin/invite/bulk/template.csv is a file
// to fill in: the header row and one example.
func (c *Console) bulkTemplate(w http.ResponseWriter, _ *http.Request, v *visit) {
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="invitations.csv"`)
	h.Set("X-Content-Type-Options", "nosniff")
	cw := csv.NewWriter(w)
	_ = cw.Write(bulkColumns)
	_ = cw.Write([]string{"greta@contoso.example", "Greta Garbo", c.BaseURL + "/" + v.tenant.ID + "/apps", "yes"})
	cw.Flush()
}

// limitUpload bounds the upload's body and reads the multipart form
// before the page checks its CSRF token, so a file too large gets a
// clear answer rather than a missing token.
func (c *Console) limitUpload(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxUploadBody)
		if err := r.ParseMultipartForm(maxUploadBody); err != nil {
			v, ok := c.tenantOf(w, r)
			if !ok {
				return
			}
			var big *http.MaxBytesError
			if errors.As(err, &big) {
				// Not signed in as far as this answer knows: the frame
				// without navigation, and no form to send again.
				p := c.bulkPage(v)
				p.Error = "console.bulk.toolarge"
				c.r.render(w, http.StatusRequestEntityTooLarge, "bulk.html", p)
				return
			}
			c.message(w, v, http.StatusBadRequest, "console.bulk.nofile")
			return
		}
		defer func() { _ = r.MultipartForm.RemoveAll() }()
		h(w, r)
	}
}

// bulk: POST /{tenant}/admin/invite/bulk invites the file's rows, one by
// one, in the file's order. A row refused by a mail limit (429 on the
// API) shows the limit, and the rows after it are still tried: the
// limits count per tenant and per recipient, and a row that sends no mail
// is not limited, so later rows may well succeed (a refused row writes
// nothing). An unexpected error stops the run; the rows after it are
// listed as not tried. A file that cannot be read, or is too large, is
// refused as a whole and nobody is invited.
func (c *Console) bulk(w http.ResponseWriter, r *http.Request, v *visit) {
	p := c.bulkPage(v)
	rows, bad := readBulk(r)
	if bad != nil {
		p.Error, p.ErrorArg = bad.msg, bad.arg
		c.r.render(w, bad.status, "bulk.html", p)
		return
	}
	ctx := r.Context()
	stopped := false
	for _, row := range rows {
		br := bulkRow{Line: row.line, Email: row.req.Email}
		if row.req.RedirectURL == "" {
			row.req.RedirectURL = c.BaseURL + "/" + v.tenant.ID + "/apps"
		}
		switch {
		case stopped:
			br.NotTried, br.Problem = true, "console.bulk.nottried"
			p.NotTried++
		case row.problem != "":
			br.Problem = row.problem
			p.Refused++
		default:
			res, err := c.Invites.Invite(ctx, v.tenant, row.req)
			switch {
			case err == nil:
				br.Invited, br.UserID = true, res.User.ID
				if !row.req.SendInvitationMessage {
					br.Link = res.RedeemURL
				}
				p.Invited++
			case refused(err, &br.Error):
				p.Refused++
			default:
				c.Log.Error("console: bulk invitation", "line", row.line, "err", platform.LogErr(err))
				br.Problem = "console.error.internal"
				p.Refused++
				stopped = true
			}
		}
		p.Rows = append(p.Rows, br)
	}
	p.Done = true
	c.r.render(w, http.StatusOK, "bulk.html", p)
}

// fileRefused is why a whole file was refused: a status, a message id
// and its argument (a line number).
type fileRefused struct {
	status int
	msg    string
	arg    string
}

func refuse(status int, msg string) *fileRefused { return &fileRefused{status: status, msg: msg} }

// bulkLine is one row of the file as a request.
type bulkLine struct {
	line    int
	req     invite.Request
	problem string // message id: the row itself cannot be read
}

// readBulk reads the uploaded file, or says why it refuses it whole.
func readBulk(r *http.Request) ([]bulkLine, *fileRefused) {
	f, fh, err := r.FormFile("file")
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "console.bulk.nofile")
	}
	defer f.Close()
	if fh.Size > maxBulkFile {
		return nil, refuse(http.StatusRequestEntityTooLarge, "console.bulk.toolarge")
	}
	raw, err := io.ReadAll(io.LimitReader(f, maxBulkFile+1))
	if err != nil || len(raw) > maxBulkFile {
		return nil, refuse(http.StatusRequestEntityTooLarge, "console.bulk.toolarge")
	}
	raw = bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")) // a spreadsheet's byte order mark
	cr := csv.NewReader(bytes.NewReader(raw))
	cr.FieldsPerRecord, cr.TrimLeadingSpace = -1, true
	header, err := cr.Read()
	if err != nil {
		return nil, refuse(http.StatusBadRequest, "console.bulk.empty")
	}
	cols, ok := bulkHeader(header)
	if !ok {
		return nil, refuse(http.StatusBadRequest, "console.bulk.header")
	}
	var out []bulkLine
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &fileRefused{status: http.StatusBadRequest, msg: "console.bulk.badcsv", arg: strconv.Itoa(pe.Line)}
		} else if err != nil {
			return nil, refuse(http.StatusBadRequest, "console.bulk.empty")
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(out) == maxBulkRows {
			return nil, refuse(http.StatusRequestEntityTooLarge, "console.bulk.toomany")
		}
		out = append(out, bulkRequest(line, rec, cols))
	}
	if len(out) == 0 {
		return nil, refuse(http.StatusBadRequest, "console.bulk.empty")
	}
	return out, nil
}

// bulkHeader maps each of bulkColumns to its index in header (-1 when
// absent); an unknown column or no email column refuses the file.
func bulkHeader(header []string) (map[string]int, bool) {
	cols := map[string]int{}
	for _, name := range bulkColumns {
		cols[name] = -1
	}
	for i, h := range header {
		known := false
		for _, name := range bulkColumns {
			if strings.EqualFold(strings.TrimSpace(h), name) && cols[name] < 0 {
				cols[name], known = i, true
			}
		}
		if !known {
			return nil, false
		}
	}
	return cols, cols["email"] >= 0
}

func bulkRequest(line int, rec []string, cols map[string]int) bulkLine {
	get := func(name string) string {
		if i := cols[name]; i >= 0 && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	b := bulkLine{line: line, req: invite.Request{Email: get("email"), DisplayName: get("displayName"),
		RedirectURL: get("redirectUrl")}}
	switch strings.ToLower(get("sendInvitation")) {
	case "yes", "y", "true", "1":
		b.req.SendInvitationMessage = true
	case "no", "n", "false", "0", "":
	default:
		b.problem = "console.bulk.badsend"
	}
	return b
}

func blank(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
