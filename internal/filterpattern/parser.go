package filterpattern

import "strings"

// maxDepth bounds the nesting of parentheses in a condition.
const maxDepth = 32

// Parse parses a filter pattern. The empty pattern and "" match
// everything. JSON patterns ({ $.field = value }) are rejected: flow logs
// are space-delimited text. Errors are *SyntaxError values that give the
// column and what was expected there.
func Parse(pattern string) (*Pattern, error) {
	s := &scanner{src: pattern}
	s.skipSpaces()
	switch s.peek() {
	case '{':
		return nil, s.errorf(s.pos, "JSON filter patterns ({ $.field = value }) are not supported: flow logs are space-delimited text; use a bracketed pattern such as [..., action=REJECT, status] or search terms")
	case '[':
		return parseFields(s)
	}
	return parseTerms(s)
}

// parseTerms parses the unbracketed form: terms separated by spaces, each
// optionally prefixed by '?' (alternative) or '-' (exclusion).
func parseTerms(s *scanner) (*Pattern, error) {
	p := &Pattern{}
	for {
		s.skipSpaces()
		if s.eof() {
			break
		}
		kind := TermRequired
		switch s.peek() {
		case '?':
			kind = TermOptional
		case '-':
			kind = TermExcluded
		}
		if kind != TermRequired {
			prefix := s.peek()
			s.pos++
			s.skipSpaces() // CloudWatch accepts `"ERROR" - "Exiting"`
			if s.eof() || s.peek() == '?' || s.peek() == '-' {
				return nil, s.errorf(s.pos, "expected a term after '%c', found %s", prefix, s.describe())
			}
		}
		valStart := s.pos
		var text string
		regex := false
		switch c := s.peek(); c {
		case '"':
			q, err := s.quoted()
			if err != nil {
				return nil, err
			}
			text = q
		case '%':
			r, err := s.regex()
			if err != nil {
				return nil, err
			}
			text, regex = r, true
		case '[', '{':
			return nil, s.errorf(s.pos, "%q starts a pattern only at its beginning; to search for text containing it, quote the term", c)
		default:
			for !s.eof() && !isSpace(s.peek()) {
				if s.peek() == '"' {
					return nil, s.errorf(s.pos, "unexpected '\"' inside a term: quote the whole term")
				}
				s.pos++
			}
			text = s.src[valStart:s.pos]
		}
		if !s.eof() && !isSpace(s.peek()) {
			return nil, s.errorf(s.pos, "expected a space after the term, found %s", s.describe())
		}
		v, err := newValue(text, regex, false)
		if err != nil {
			return nil, valueErr(s, valStart, err)
		}
		p.Terms = append(p.Terms, Term{Kind: kind, Value: v})
	}
	p.groups = termGroups(p.Terms)
	return p, nil
}

// termGroups splits terms into alternatives: each '?' term starts a new
// alternative, and the terms that follow it (up to the next '?' term)
// belong to it, as AWS CDK's anyTermGroup writes them
// (?"ERROR" "MainThread" ?"WARN" "Deadlock"). Terms before the first '?'
// form an alternative of their own.
func termGroups(terms []Term) [][]Term {
	var groups [][]Term
	start := 0
	for i, t := range terms {
		if t.Kind == TermOptional && i > start {
			groups = append(groups, terms[start:i])
			start = i
		}
	}
	if start < len(terms) {
		groups = append(groups, terms[start:])
	}
	return groups
}

// parseFields parses the bracketed form.
func parseFields(s *scanner) (*Pattern, error) {
	p := &Pattern{Bracketed: true}
	s.pos++ // '['
	s.skipSpaces()
	if s.peek() == ']' {
		return nil, s.errorf(s.pos, "empty field list: name the fields of the line, e.g. [version, account, ..., action=REJECT, status]")
	}
	seen := map[string]int{}
	for {
		s.skipSpaces()
		f, err := parseElement(s)
		if err != nil {
			return nil, err
		}
		if f.Name != "" {
			if prev, ok := seen[f.Name]; ok {
				return nil, s.errorf(f.Offset, "label %q is already used by field %d: give each field its own name", f.Name, prev)
			}
			seen[f.Name] = len(p.Fields) + 1
		}
		p.Fields = append(p.Fields, f)
		s.skipSpaces()
		if s.peek() == ',' {
			s.pos++
			continue
		}
		if s.peek() == ']' {
			s.pos++
			break
		}
		return nil, s.errorf(s.pos, "expected ']' or ',', found %s", s.describe())
	}
	s.skipSpaces()
	if !s.eof() {
		return nil, s.errorf(s.pos, "unexpected %s after ']': a bracketed pattern ends at its ']'", s.describe())
	}
	p.plan = newPlan(p.Fields)
	return p, nil
}

// parseElement parses one element: "...", a label, a condition, or nothing.
func parseElement(s *scanner) (Field, error) {
	f := Field{Offset: s.pos}
	switch c := s.peek(); {
	case c == ',' || c == ']':
		return f, nil // unnamed field
	case s.ellipsis():
		f.Ellipsis = true
		s.skipSpaces()
		if c := s.peek(); c != ',' && c != ']' {
			return f, s.errorf(s.pos, "expected ']' or ',' after '...', found %s: '...' takes no condition", s.describe())
		}
		return f, nil
	case c == '(':
	case isNameByte(c):
		save := s.pos
		name := s.name()
		s.skipSpaces()
		if c := s.peek(); c == ',' || c == ']' || s.eof() {
			f.Name = name
			return f, nil
		}
		s.pos = save
	default:
		return f, s.errorf(s.pos, "expected a field name, '...', ',' or ']', found %s", s.describe())
	}
	e, err := parseOr(s, 0)
	if err != nil {
		return f, err
	}
	f.Cond = e
	first := firstCmp(e)
	f.Name = first.Name
	if err := checkNames(s, e, first); err != nil {
		return f, err
	}
	return f, nil
}

// valueErr reports a bad value that starts at off (a regular expression
// at its opening '%').
func valueErr(s *scanner, off int, err error) error {
	if ve, ok := err.(*valueError); ok {
		return s.errorf(off+1+ve.off, "%s", ve.msg)
	}
	return s.errorf(off, "%v", err)
}

func firstCmp(e Expr) *Cmp {
	switch e := e.(type) {
	case And:
		return firstCmp(e[0])
	case Or:
		return firstCmp(e[0])
	}
	return e.(*Cmp)
}

// checkNames makes sure every comparison of a field names that field.
func checkNames(s *scanner, e Expr, first *Cmp) error {
	switch e := e.(type) {
	case And:
		for _, x := range e {
			if err := checkNames(s, x, first); err != nil {
				return err
			}
		}
	case Or:
		for _, x := range e {
			if err := checkNames(s, x, first); err != nil {
				return err
			}
		}
	case *Cmp:
		if e.Name != first.Name {
			var a, b strings.Builder
			writeExpr(&a, first)
			writeExpr(&b, e)
			return s.errorf(e.Offset, "condition on %q inside field %q: an element holds conditions on its own field only; give each field its element, e.g. [..., %s, %s, ...]", e.Name, first.Name, a.String(), b.String())
		}
	}
	return nil
}

func parseOr(s *scanner, depth int) (Expr, error) {
	var terms Or
	for {
		e, err := parseAnd(s, depth)
		if err != nil {
			return nil, err
		}
		if o, ok := e.(Or); ok {
			terms = append(terms, o...)
		} else {
			terms = append(terms, e)
		}
		s.skipSpaces()
		if !hasPrefix(s, "||") {
			break
		}
		s.pos += 2
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return terms, nil
}

func parseAnd(s *scanner, depth int) (Expr, error) {
	var terms And
	for {
		e, err := parsePrimary(s, depth)
		if err != nil {
			return nil, err
		}
		if a, ok := e.(And); ok {
			terms = append(terms, a...)
		} else {
			terms = append(terms, e)
		}
		s.skipSpaces()
		if !hasPrefix(s, "&&") {
			break
		}
		s.pos += 2
	}
	if len(terms) == 1 {
		return terms[0], nil
	}
	return terms, nil
}

func hasPrefix(s *scanner, p string) bool {
	return len(s.src)-s.pos >= len(p) && s.src[s.pos:s.pos+len(p)] == p
}

func parsePrimary(s *scanner, depth int) (Expr, error) {
	s.skipSpaces()
	if s.peek() == '(' {
		if depth >= maxDepth {
			return nil, s.errorf(s.pos, "parentheses nested more than %d deep", maxDepth)
		}
		s.pos++
		e, err := parseOr(s, depth+1)
		if err != nil {
			return nil, err
		}
		s.skipSpaces()
		if s.peek() != ')' {
			return nil, s.errorf(s.pos, "expected ')', '&&' or '||', found %s", s.describe())
		}
		s.pos++
		return e, nil
	}
	c := &Cmp{Offset: s.pos}
	c.Name = s.name()
	if c.Name == "" {
		return nil, s.errorf(s.pos, "expected a field name or '(', found %s", s.describe())
	}
	s.skipSpaces()
	opPos := s.pos
	op, ok := s.op()
	if !ok {
		return nil, s.errorf(s.pos, "expected an operator (=, !=, <, <=, >, >=), ',' or ']' after %q, found %s", c.Name, s.describe())
	}
	c.Op = op
	if op == OpEq && s.peek() == '!' {
		return nil, s.errorf(opPos, "'=!' is not an operator: write %s!=value (or quote a value that starts with '!')", c.Name)
	}
	s.skipSpaces()
	valStart := s.pos
	var text string
	regex := false
	switch s.peek() {
	case '"':
		q, err := s.quoted()
		if err != nil {
			return nil, err
		}
		text = q
	case '%':
		r, err := s.regex()
		if err != nil {
			return nil, err
		}
		text, regex = r, true
	default:
		if ch := s.peek(); ch == '=' || ch == '<' || ch == '>' || ch == '!' {
			return nil, s.errorf(s.pos, "expected a value after '%s', found %s (quote a value that starts with it)", op, s.describe())
		}
		text = s.bareValue()
		if text == "" {
			return nil, s.errorf(s.pos, "expected a value after '%s', found %s", op, s.describe())
		}
	}
	v, err := newValue(text, regex, true)
	if err != nil {
		return nil, valueErr(s, valStart, err)
	}
	if op != OpEq && op != OpNe && v.Kind != ValueNumber {
		what := "a string"
		switch v.Kind {
		case ValueWildcard:
			what = "a wildcard"
		case ValueRegex:
			what = "a regular expression"
		}
		return nil, s.errorf(valStart, "operator %s compares numbers, and %q is %s: use = or != for text", op, text, what)
	}
	c.Value = v
	return c, nil
}
