// Package docs holds the project's documentation; its test keeps the
// references to it honest.
package docs_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// root is the repository, the parent of this directory.
const root = ".."

var (
	ruleRE    = regexp.MustCompile(`\bR([0-9]+)\b`)
	headingRE = regexp.MustCompile(`(?m)^#{2,4} R([0-9]+) `)
	upRE      = regexp.MustCompile(`(?:\.\./)+[^\s"'` + "`" + `)\]]*`)
	linkRE    = regexp.MustCompile(`\]\(([^)\s]+)\)`)
)

// goFiles are the Go files of the service and its commands.
func goFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	for _, dir := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(files) == 0 {
		t.Fatal("no Go files found")
	}
	return files
}

// TestRulesResolve: every rule a Go file cites (R12, SPEC R12) is a
// heading of behaviour.md, so a reader of the code finds it there.
func TestRulesResolve(t *testing.T) {
	b, err := os.ReadFile("behaviour.md")
	if err != nil {
		t.Fatal(err)
	}
	defined := map[string]bool{}
	for _, m := range headingRE.FindAllStringSubmatch(string(b), -1) {
		if defined[m[1]] {
			t.Errorf("behaviour.md defines R%s twice", m[1])
		}
		defined[m[1]] = true
	}
	cited := 0
	for _, f := range goFiles(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ruleRE.FindAllStringSubmatch(string(src), -1) {
			cited++
			if !defined[m[1]] {
				t.Errorf("%s cites R%s, which behaviour.md does not define", f, m[1])
			}
		}
	}
	if cited == 0 || len(defined) == 0 {
		t.Fatalf("%d citations of %d rules: the patterns find nothing", cited, len(defined))
	}
}

// escapes says whether ref, relative to the directory dir, leaves the
// repository.
func escapes(dir, ref string) bool {
	top, err1 := filepath.Abs(root)
	to, err2 := filepath.Abs(filepath.Join(dir, ref))
	rel, err := filepath.Rel(top, to)
	return err1 != nil || err2 != nil || err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// TestGoCommentsStayInTheRepository: no comment sends the reader to a
// path outside the repository: the repository explains itself.
func TestGoCommentsStayInTheRepository(t *testing.T) {
	fset := token.NewFileSet()
	for _, f := range goFiles(t) {
		file, err := parser.ParseFile(fset, f, nil, parser.ParseComments|parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range file.Comments {
			for _, ref := range upRE.FindAllString(g.Text(), -1) {
				if escapes(filepath.Dir(f), ref) {
					t.Errorf("%s: a comment points outside the repository: %q", fset.Position(g.Pos()), ref)
				}
			}
		}
	}
}

// TestDocLinksStayInTheRepository: the documentation's relative links
// stay inside the repository, and none leads to the retired spec.md.
func TestDocLinksStayInTheRepository(t *testing.T) {
	pages, _ := filepath.Glob(filepath.Join(root, "*.md"))
	docs, _ := filepath.Glob("*.md")
	for _, d := range docs {
		pages = append(pages, d)
	}
	if !slices.Contains(pages, "behaviour.md") {
		t.Fatalf("behaviour.md is not among %v", pages)
	}
	for _, page := range pages {
		b, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range linkRE.FindAllStringSubmatch(string(b), -1) {
			ref, _, _ := strings.Cut(m[1], "#")
			if ref == "" || strings.Contains(ref, "://") || strings.HasPrefix(ref, "mailto:") {
				continue
			}
			if escapes(filepath.Dir(page), ref) || filepath.IsAbs(ref) {
				t.Errorf("%s links outside the repository: %s", page, m[1])
			}
			if filepath.Base(ref) == "spec.md" {
				t.Errorf("%s links to spec.md, which behaviour.md replaced: %s", page, m[1])
			}
		}
	}
}
