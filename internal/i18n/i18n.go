package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	goi18n "github.com/nicksnyder/go-i18n/v2/i18n"
	"golang.org/x/text/language"
)

// The guest pages' and mails' messages are in locales/<lang>.json; each
// surface with words of its own (the admin console) has its catalogs in
// locales/<surface>/<lang>.json. Message ids are unique over all of them.
//
//go:embed locales/*.json locales/*/*.json
var files embed.FS

// Languages are the supported languages, English first (the last fallback).
var Languages = []string{"en", "nl", "sv", "de", "zh-TW"}

// Catalog translates message ids. It is built once at start and is safe for
// concurrent use.
type Catalog struct {
	localizers map[string]*goi18n.Localizer
	matcher    language.Matcher
	langs      []string // the matcher's languages, in its order
	ids        []string
}

// New loads every catalog and fails if any language lacks a message that
// English has, so a missing translation stops the server at start, not a
// guest at a page.
func New() (*Catalog, error) {
	return load(files, Languages)
}

// load builds a catalog from locales/<lang>.json in fsys for each of langs,
// the first of which is the source language every other must cover. New
// passes the embedded files; tests pass catalogs of their own.
func load(fsys fs.FS, langs []string) (*Catalog, error) {
	if len(langs) == 0 {
		return nil, fmt.Errorf("i18n: no languages")
	}
	bundle := goi18n.NewBundle(language.MustParse(langs[0]))
	bundle.RegisterUnmarshalFunc("json", json.Unmarshal)
	tags := make([]language.Tag, 0, len(langs))
	perLang := map[string]map[string]bool{}
	for _, lang := range langs {
		paths, err := catalogFiles(fsys, lang)
		if err != nil {
			return nil, err
		}
		ids := map[string]bool{}
		for _, path := range paths {
			mf, err := bundle.LoadMessageFileFS(fsys, path)
			if err != nil {
				return nil, fmt.Errorf("i18n: load %s: %w", lang, err)
			}
			for _, m := range mf.Messages {
				if ids[m.ID] {
					return nil, fmt.Errorf("i18n: %s: message %q is in two files", path, m.ID)
				}
				ids[m.ID] = true
			}
		}
		perLang[lang] = ids
		tags = append(tags, language.MustParse(lang))
	}
	c := &Catalog{
		localizers: map[string]*goi18n.Localizer{},
		matcher:    language.NewMatcher(tags),
		langs:      append([]string(nil), langs...),
	}
	for id := range perLang[langs[0]] {
		c.ids = append(c.ids, id)
	}
	sort.Strings(c.ids)
	for _, lang := range langs {
		for _, id := range c.ids {
			if !perLang[lang][id] {
				return nil, fmt.Errorf("i18n: %s has no message %q", lang, id)
			}
		}
		c.localizers[lang] = goi18n.NewLocalizer(bundle, lang)
	}
	return c, nil
}

// catalogFiles are the files of one language: locales/<lang>.json, which
// must exist, then each surface's locales/<surface>/<lang>.json.
func catalogFiles(fsys fs.FS, lang string) ([]string, error) {
	more, err := fs.Glob(fsys, "locales/*/"+lang+".json")
	if err != nil {
		return nil, fmt.Errorf("i18n: %s: %w", lang, err)
	}
	return append([]string{"locales/" + lang + ".json"}, more...), nil
}

// IDs lists every message id, sorted.
func (c *Catalog) IDs() []string { return c.ids }

// T translates id into lang (a supported language; anything else means
// English) with data for the message's placeholders. A missing message
// yields the id itself, which the catalog tests rule out.
func (c *Catalog) T(lang, id string, data map[string]any) string {
	l, ok := c.localizers[lang]
	if !ok {
		l = c.localizers[c.langs[0]]
	}
	s, err := l.Localize(&goi18n.LocalizeConfig{MessageID: id, TemplateData: data})
	if err != nil {
		return id
	}
	return s
}

// TPairs is T with the placeholders given as pairs ("Org", "Fabrikam",
// …), as page templates pass them; an odd last argument is ignored.
func (c *Catalog) TPairs(lang, id string, kv ...any) string {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return c.T(lang, id, m)
}

// Supported returns lang if it names a supported language exactly
// (case-insensitively), else "".
func (c *Catalog) Supported(lang string) string {
	for _, l := range c.langs {
		if strings.EqualFold(l, lang) {
			return l
		}
	}
	return ""
}

// Match picks the best supported language for a list of preferences, each
// a BCP 47 tag or a whole Accept-Language header, most preferred first. It
// returns "" when nothing matches with at least high confidence, so the
// caller can fall back (to the tenant default, then English).
func (c *Catalog) Match(prefs ...string) string {
	for _, p := range prefs {
		if p == "" {
			continue
		}
		tags, _, err := language.ParseAcceptLanguage(p)
		if err != nil || len(tags) == 0 {
			continue
		}
		_, idx, conf := c.matcher.Match(tags...)
		if conf >= language.High {
			return c.langs[idx]
		}
	}
	return ""
}
