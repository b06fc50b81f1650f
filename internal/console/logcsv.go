package console

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"guestlist/internal/core"
	"guestlist/internal/store"
)

// maxExport bounds a CSV export: the newest records that match, read from
// the store a batch at a time.
const (
	maxExport   = 10000
	exportBatch = 500
)

var (
	auditHeader  = []string{"activityDateTime", "activityDisplayName", "category", "result", "initiatedBy", "initiatedById", "targetResources", "targetIds", "loggedByService", "operationType", "id"}
	signInHeader = []string{"createdDateTime", "userDisplayName", "userPrincipalName", "userId", "appDisplayName", "appId", "ipAddress", "method", "result", "errorCode", "failureReason", "crossTenantAccessType", "id"}
)

// logCSV: GET /{tenant}/admin/logs/{kind}.csv is the log as the page's
// filters select it, as a CSV file (RFC 4180 quoting), at most maxExport
// records, newest first. Cells a spreadsheet would read as a formula are
// neutralised (cell).
func (c *Console) logCSV(w http.ResponseWriter, r *http.Request, v *visit) {
	kind := logKind(strings.TrimSuffix(r.PathValue("kind"), ".csv"))
	if kind != auditLog && kind != signInLog {
		c.message(w, v, http.StatusNotFound, "console.error.notfound")
		return
	}
	ctx := r.Context()
	f, err := c.logFilterOf(ctx, v, readLogQuery(r.URL.Query()))
	if err != nil {
		c.message(w, v, http.StatusBadRequest, "console.error.logfilter")
		return
	}
	// Read everything before writing, so a failure is an error page and
	// not a truncated file.
	var rows [][]string
	f.Top = exportBatch
	for len(rows) < maxExport {
		var n int
		var last store.Cursor
		if kind == auditLog {
			recs, err := c.Store.ListAudit(ctx, v.tenant.ID, auditFilter(f))
			if err != nil {
				c.internal(w, v, err)
				return
			}
			for i := range recs {
				rows = append(rows, auditCSV(&recs[i]))
			}
			if n = len(recs); n > 0 {
				last = store.Cursor{CreatedAt: recs[n-1].At, ID: recs[n-1].ID}
			}
		} else {
			recs, err := c.Store.ListSignIns(ctx, v.tenant.ID, signInFilter(f))
			if err != nil {
				c.internal(w, v, err)
				return
			}
			for i := range recs {
				rows = append(rows, signInCSV(&recs[i]))
			}
			if n = len(recs); n > 0 {
				last = store.Cursor{CreatedAt: recs[n-1].At, ID: recs[n-1].ID}
			}
		}
		if n < exportBatch {
			break
		}
		f.After = last
	}
	if len(rows) > maxExport {
		rows = rows[:maxExport]
	}
	header := auditHeader
	if kind == signInLog {
		header = signInHeader
	}
	h := w.Header()
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Disposition", `attachment; filename="`+string(kind)+"-"+c.Now().UTC().Format("20060102-150405")+`.csv"`)
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	cw := csv.NewWriter(w)
	_ = cw.Write(header)
	for _, row := range rows {
		for i := range row {
			row[i] = cell(row[i])
		}
		_ = cw.Write(row)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		c.Log.Warn("console: log export", "err", err)
	}
}

// cell neutralises a value a spreadsheet would run as a formula: one
// starting with = + - @ (or a tab or carriage return, which some
// spreadsheets skip before reading the formula) gets a leading quote.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func csvTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func auditCSV(r *core.AuditRecord) []string {
	var ids []string
	for _, t := range r.Targets {
		ids = append(ids, t.ID)
	}
	byID := r.Actor.UserID
	if byID == "" {
		byID = r.Actor.AppID
	}
	return []string{csvTime(r.At), r.Activity, r.Category, r.Result, initiator(r.Actor), byID,
		targets(r.Targets), strings.Join(ids, "; "), r.Service, r.OperationType, r.ID}
}

func signInCSV(r *core.SignInRecord) []string {
	result := core.ResultSuccess
	if r.ErrorCode != 0 {
		result = core.ResultFailure
	}
	return []string{csvTime(r.At), r.UserDisplayName, r.UserPrincipalName, r.UserID, r.AppDisplayName, r.AppID,
		r.IPAddress, string(r.Method), result, strconv.Itoa(r.ErrorCode), r.FailureReason, r.CrossTenantAccess, r.ID}
}
