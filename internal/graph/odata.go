package graph

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// An OData $filter expression, parsed by a small recursive descent:
//
//	or      = and { "or" and }
//	and     = unary { "and" unary }
//	unary   = "not" unary | primary
//	primary = "(" or ")"
//	        | ("startswith" | "endswith") "(" path "," literal ")"
//	        | path ("eq" | "ne" | "gt" | "ge" | "lt" | "le") literal
//	        | path "in" "(" literal { "," literal } ")"
//	        | path "/any(" name ":" or ")"
//	literal = 'string' (” is a quote) | null | true | false | DateTimeOffset
//
// Keywords and function names are case-insensitive, as in Graph. The
// tree says nothing about which properties exist: filterToStore checks
// that against the user resource.
type filterNode interface{ String() string }

// Literal kinds.
const (
	litString = iota + 1
	litNull
	litBool
	litTime
)

type literalNode struct {
	kind int
	s    string
	b    bool
	t    time.Time
}

type logicalNode struct {
	op   string // "and" or "or"
	l, r filterNode
}

type notNode struct{ x filterNode }

type compareNode struct {
	prop, op string
	val      literalNode
}

type funcNode struct {
	name, prop string // name: "startswith" or "endswith"
	val        literalNode
}

type inNode struct {
	prop string
	vals []literalNode
}

type anyNode struct {
	coll, v string
	body    filterNode
}

// maxFilterDepth bounds nesting, so a hostile filter cannot exhaust the
// stack.
const maxFilterDepth = 32

func (n literalNode) String() string {
	switch n.kind {
	case litNull:
		return "null"
	case litBool:
		if n.b {
			return "true"
		}
		return "false"
	case litTime:
		return n.t.UTC().Format(time.RFC3339Nano)
	}
	return "'" + strings.ReplaceAll(n.s, "'", "''") + "'"
}

func (n logicalNode) String() string {
	return "(" + n.l.String() + " " + n.op + " " + n.r.String() + ")"
}
func (n notNode) String() string     { return "not (" + n.x.String() + ")" }
func (n compareNode) String() string { return n.prop + " " + n.op + " " + n.val.String() }
func (n funcNode) String() string    { return n.name + "(" + n.prop + "," + n.val.String() + ")" }
func (n anyNode) String() string     { return n.coll + "/any(" + n.v + ":" + n.body.String() + ")" }
func (n inNode) String() string {
	parts := make([]string, len(n.vals))
	for i, v := range n.vals {
		parts[i] = v.String()
	}
	return n.prop + " in (" + strings.Join(parts, ",") + ")"
}

// token kinds.
const (
	tokEnd = iota
	tokWord
	tokString
	tokPunct // ( ) , :
)

type token struct {
	kind int
	text string // a word or punctuation; a string's value
	pos  int
}

type filterParser struct {
	toks  []token
	i     int
	depth int
}

// parseFilterExpr parses a whole $filter.
func parseFilterExpr(s string) (filterNode, error) {
	if !utf8.ValidString(s) {
		return nil, unsupported("invalid $filter: not UTF-8")
	}
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &filterParser{toks: toks}
	n, err := p.or()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEnd {
		return nil, syntaxError(t, "an operator (and, or) or the end")
	}
	return n, nil
}

func syntaxError(t token, want string) error {
	got := "the end"
	if t.kind != tokEnd {
		got = "'" + t.text + "'"
	}
	return unsupported("invalid $filter: expected %s at position %d, found %s", want, t.pos, got)
}

// lex splits s into words (names, keywords, paths such as c/issuer, and
// bare literals), quoted strings and punctuation.
func lex(s string) ([]token, error) {
	var toks []token
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == ' ' || c == '\t':
			i++
		case c == '(' || c == ')' || c == ',' || c == ':':
			toks = append(toks, token{tokPunct, string(c), i})
			i++
		case c == '\'':
			v, n, ok := lexString(s[i:])
			if !ok {
				return nil, unsupported("invalid $filter: unterminated string at position %d", i)
			}
			toks = append(toks, token{tokString, v, i})
			i += n
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t(),:'", rune(s[j])) {
				j++
			}
			// A DateTimeOffset holds colons: 2024-01-02T03:04:05Z.
			for j < len(s) && s[j] == ':' && isDigit(s[i]) {
				j++
				for j < len(s) && !strings.ContainsRune(" \t(),:'", rune(s[j])) {
					j++
				}
			}
			toks = append(toks, token{tokWord, s[i:j], i})
			i = j
		}
	}
	return append(toks, token{kind: tokEnd, pos: len(s)}), nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// lexString reads 'string' with ” for a quote from the start of s.
func lexString(s string) (string, int, bool) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		if s[i] != '\'' {
			b.WriteByte(s[i])
			continue
		}
		if i+1 < len(s) && s[i+1] == '\'' {
			b.WriteByte('\'')
			i++
			continue
		}
		return b.String(), i + 1, true
	}
	return "", 0, false
}

func (p *filterParser) peek() token { return p.toks[p.i] }
func (p *filterParser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEnd {
		p.i++
	}
	return t
}

// keyword reports whether the next token is the word kw (any case) and
// takes it if so.
func (p *filterParser) keyword(kw string) bool {
	if t := p.peek(); t.kind == tokWord && strings.EqualFold(t.text, kw) {
		p.i++
		return true
	}
	return false
}

func (p *filterParser) punct(c string) error {
	if t := p.next(); t.kind != tokPunct || t.text != c {
		return syntaxError(t, "'"+c+"'")
	}
	return nil
}

func (p *filterParser) or() (filterNode, error) {
	return p.chain("or", p.and)
}

func (p *filterParser) and() (filterNode, error) {
	return p.chain("and", p.unary)
}

// chain parses operand { op operand }, associating to the left.
func (p *filterParser) chain(op string, operand func() (filterNode, error)) (filterNode, error) {
	l, err := operand()
	if err != nil {
		return nil, err
	}
	for p.keyword(op) {
		r, err := operand()
		if err != nil {
			return nil, err
		}
		l = logicalNode{op: op, l: l, r: r}
	}
	return l, nil
}

func (p *filterParser) unary() (filterNode, error) {
	if p.depth++; p.depth > maxFilterDepth {
		return nil, unsupported("invalid $filter: nested more than %d deep", maxFilterDepth)
	}
	defer func() { p.depth-- }()
	if p.keyword("not") {
		x, err := p.unary()
		return notNode{x: x}, err
	}
	return p.primary()
}

func (p *filterParser) primary() (filterNode, error) {
	t := p.next()
	switch {
	case t.kind == tokPunct && t.text == "(":
		n, err := p.or()
		if err != nil {
			return nil, err
		}
		return n, p.punct(")")
	case t.kind != tokWord:
		return nil, syntaxError(t, "a property or function")
	}
	name := strings.ToLower(t.text)
	if (name == "startswith" || name == "endswith") && p.peek().text == "(" {
		return p.function(name)
	}
	if coll, ok := strings.CutSuffix(t.text, "/any"); ok {
		return p.any(coll)
	}
	if strings.EqualFold(t.text, "any") || strings.Contains(name, "/all") {
		return nil, unsupported("invalid $filter: unsupported operator at position %d (only any() is supported)", t.pos)
	}
	return p.comparison(t.text)
}

func (p *filterParser) function(name string) (filterNode, error) {
	p.i++ // "("
	prop := p.next()
	if prop.kind != tokWord {
		return nil, syntaxError(prop, "a property")
	}
	if err := p.punct(","); err != nil {
		return nil, err
	}
	v, err := p.literal()
	if err != nil {
		return nil, err
	}
	return funcNode{name: name, prop: prop.text, val: v}, p.punct(")")
}

func (p *filterParser) any(coll string) (filterNode, error) {
	if err := p.punct("("); err != nil {
		return nil, err
	}
	v := p.next()
	if v.kind != tokWord {
		return nil, syntaxError(v, "a lambda variable")
	}
	if err := p.punct(":"); err != nil {
		return nil, err
	}
	body, err := p.or()
	if err != nil {
		return nil, err
	}
	return anyNode{coll: coll, v: v.text, body: body}, p.punct(")")
}

var comparisons = []string{"eq", "ne", "gt", "ge", "lt", "le"}

func (p *filterParser) comparison(prop string) (filterNode, error) {
	op := p.next()
	lower := strings.ToLower(op.text)
	switch {
	case op.kind == tokWord && lower == "in":
		return p.in(prop)
	case op.kind == tokWord && slices.Contains(comparisons, lower):
		v, err := p.literal()
		return compareNode{prop: prop, op: lower, val: v}, err
	case op.kind == tokWord:
		return nil, unsupported("invalid $filter: unsupported operator '%s' at position %d", op.text, op.pos)
	}
	return nil, syntaxError(op, "an operator (eq, ne, in …)")
}

func (p *filterParser) in(prop string) (filterNode, error) {
	if err := p.punct("("); err != nil {
		return nil, err
	}
	var vals []literalNode
	for {
		v, err := p.literal()
		if err != nil {
			return nil, err
		}
		vals = append(vals, v)
		if t := p.next(); t.kind == tokPunct && t.text == ")" {
			return inNode{prop: prop, vals: vals}, nil
		} else if t.kind != tokPunct || t.text != "," {
			return nil, syntaxError(t, "',' or ')'")
		}
	}
}

func (p *filterParser) literal() (literalNode, error) {
	t := p.next()
	if t.kind == tokString {
		return literalNode{kind: litString, s: t.text}, nil
	}
	if t.kind != tokWord {
		return literalNode{}, syntaxError(t, "a value")
	}
	switch strings.ToLower(t.text) {
	case "null":
		return literalNode{kind: litNull}, nil
	case "true", "false":
		return literalNode{kind: litBool, b: strings.EqualFold(t.text, "true")}, nil
	}
	if at, err := time.Parse(time.RFC3339Nano, t.text); err == nil {
		return literalNode{kind: litTime, t: at.UTC()}, nil
	}
	return literalNode{}, unsupported("invalid $filter: '%s' at position %d is not a value (quote strings: '…')", t.text, t.pos)
}
