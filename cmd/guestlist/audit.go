package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"time"

	"guestlist/internal/graph"
	"guestlist/internal/store"
)

// auditExportCmd writes a deployment's audit and sign-in records (SPEC
// R41) as JSON lines for a SIEM: each line one Graph-shaped record with
// "kind" (directoryAudit or signIn). Per tenant, audit records come
// first, then sign-ins, each newest first.
type auditExportCmd struct {
	common
	Since  time.Time `required:"" format:"2006-01-02T15:04:05Z07:00" help:"Export records made at or after this time (RFC 3339, e.g. 2026-11-01T00:00:00Z)."`
	Tenant string    `help:"Tenant id or domain; default every tenant."`
}

// exportPage is how many records one read fetches.
const exportPage = 500

type auditLine struct {
	Kind string `json:"kind"`
	graph.DirectoryAudit
}

type signInLine struct {
	Kind string `json:"kind"`
	graph.SignIn
}

func (e *auditExportCmd) Run(ctx context.Context, log *slog.Logger) error {
	srv, err := quietServer(ctx, e.common, log)
	if err != nil {
		return err
	}
	defer srv.Close()
	var ids []string
	if e.Tenant != "" {
		t, err := srv.Tenants.Resolve(ctx, e.Tenant)
		if err != nil {
			return err
		}
		ids = []string{t.ID}
	} else {
		all, err := srv.Store.ListTenants(ctx)
		if err != nil {
			return err
		}
		for _, t := range all {
			ids = append(ids, t.ID)
		}
	}
	w := bufio.NewWriter(os.Stdout)
	for _, id := range ids {
		if err := exportTenant(ctx, srv.Store, w, id, e.Since); err != nil {
			return err
		}
	}
	return w.Flush()
}

// exportTenant writes one tenant's records since since, page by page.
func exportTenant(ctx context.Context, st store.Store, w io.Writer, tenantID string, since time.Time) error {
	enc := json.NewEncoder(w)
	window := store.LogFilter{Since: since, Page: store.Page{Top: exportPage}}
	for {
		recs, err := st.ListAudit(ctx, tenantID, store.AuditFilter{LogFilter: window})
		if err != nil {
			return err
		}
		for i := range recs {
			if err := enc.Encode(auditLine{Kind: "directoryAudit", DirectoryAudit: graph.ToDirectoryAudit(&recs[i])}); err != nil {
				return err
			}
		}
		if len(recs) < exportPage {
			break
		}
		last := recs[len(recs)-1]
		window.After = store.Cursor{CreatedAt: last.At, ID: last.ID}
	}
	window.After = store.Cursor{}
	for {
		recs, err := st.ListSignIns(ctx, tenantID, store.SignInFilter{LogFilter: window})
		if err != nil {
			return err
		}
		for i := range recs {
			if err := enc.Encode(signInLine{Kind: "signIn", SignIn: graph.ToSignIn(&recs[i])}); err != nil {
				return err
			}
		}
		if len(recs) < exportPage {
			return nil
		}
		last := recs[len(recs)-1]
		window.After = store.Cursor{CreatedAt: last.At, ID: last.ID}
	}
}
