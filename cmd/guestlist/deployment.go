package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"guestlist/internal/platform"
)

// existing makes sure c names a deployment that serve or migrate set up,
// before a command other than those opens it: opening would otherwise make
// a new database and key in whatever directory the command was typed in,
// and then report that the tenant asked for does not exist.
func (c common) existing() error {
	var missing []string
	if c.SecretKey == "" {
		missing = append(missing, missingFile(filepath.Join(c.Data, "secret.key"))...)
	}
	if c.Database == "" {
		missing = append(missing, missingFile(filepath.Join(c.Data, "guestlist.db"))...)
	}
	if len(missing) == 0 {
		return nil
	}
	dir, err := filepath.Abs(c.Data)
	if err != nil {
		dir = c.Data
	}
	return fmt.Errorf("no guestlist deployment in %s (%s): point --data (GUESTLIST_DATA) at the server's data directory, "+
		"or set --database and --secret-key (GUESTLIST_DATABASE, GUESTLIST_SECRET_KEY) as the server has them; "+
		"only serve and migrate set up a new deployment", dir, strings.Join(missing, ", "))
}

func missingFile(path string) []string {
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return []string{"no " + filepath.Base(path)}
	} else if err != nil {
		return []string{err.Error()}
	}
	return nil
}

type tenantListCmd struct {
	common
}

// Run prints one tenant a line: id, name, initial domain and verified
// domains, so an operator can find the tenant a command should name.
func (l *tenantListCmd) Run(ctx context.Context, log *slog.Logger) error {
	srv, err := quietServer(ctx, l.common, log)
	if err != nil {
		return err
	}
	defer srv.Close()
	all, err := srv.Store.ListTenants(ctx)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tNAME\tINITIAL DOMAIN\tDOMAINS")
	for _, t := range all {
		domains := strings.Join(t.Domains, ",")
		if domains == "" {
			domains = "-"
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", t.ID, t.DisplayName, t.InitialDomain, domains)
	}
	return w.Flush()
}

// operatorTokenFile holds a generated operator token in the data directory.
const operatorTokenFile = "operator-token"

// operatorToken is the token that protects /operator/v1/ and where it
// comes from: the configured one; else the one serve generated before, in
// the data directory; else a new one, written there (0600). A generated
// token is shown only on a terminal (term, when it is one) and only when
// it is made: logs that are shipped elsewhere name the file, never the
// token.
func (s *serveCmd) operatorToken(term *os.File) (token, from string, err error) {
	if s.OperatorToken != "" {
		return s.OperatorToken, "--operator-token (GUESTLIST_OPERATOR_TOKEN)", nil
	}
	path := filepath.Join(s.Data, operatorTokenFile)
	if b, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(b)) != "" {
		return strings.TrimSpace(string(b)), path, nil
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", "", fmt.Errorf("read the operator token: %w", err)
	}
	token = platform.NewToken()
	if err := os.MkdirAll(s.Data, 0o700); err != nil {
		return "", "", fmt.Errorf("create data directory: %w", err)
	}
	if err := os.WriteFile(path, []byte(token+"\n"), 0o600); err != nil {
		return "", "", fmt.Errorf("write the operator token: %w", err)
	}
	if isTerminal(term) {
		fmt.Fprintf(term, "operator token (generated, kept in %s; set GUESTLIST_OPERATOR_TOKEN to choose one): %s\n", path, token)
	}
	return token, path, nil
}

// isTerminal reports whether f is a character device, as a terminal is
// (and a pipe, a file or the journal is not).
func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
