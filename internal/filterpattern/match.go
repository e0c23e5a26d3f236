package filterpattern

import "bytes"

// plan says where the elements of a bracketed pattern go. Elements before
// the first ellipsis are anchored at the start of the line, elements after
// the last one at its end. With several ellipses, the runs of elements
// between them float: each must fit somewhere after the previous one.
type plan struct {
	ellipsis bool
	fixed    int     // number of elements that are not ellipses
	head     []int   // indexes in Fields, anchored at the start
	mids     [][]int // floating runs, in order
	tail     []int   // anchored at the end
}

func newPlan(fields []Field) plan {
	var p plan
	var runs [][]int
	var cur []int
	for i := range fields {
		if fields[i].Ellipsis {
			p.ellipsis = true
			runs = append(runs, cur)
			cur = nil
			continue
		}
		p.fixed++
		cur = append(cur, i)
	}
	runs = append(runs, cur)
	p.head = runs[0]
	if p.ellipsis {
		p.tail = runs[len(runs)-1]
		p.mids = runs[1 : len(runs)-1]
	}
	return p
}

// matchPlan reports whether a line (or record) of n tokens matches: the
// token count fits, and check holds for every element with a condition at
// the position it takes. Floating runs are placed at their leftmost
// fitting position, which finds a placement whenever one exists (each run
// only needs room after the previous one).
func matchPlan(p *plan, fields []Field, n int, check func(pos int, f *Field) bool) bool {
	if (!p.ellipsis && n != p.fixed) || n < p.fixed {
		return false
	}
	for i, fi := range p.head {
		if f := &fields[fi]; f.Cond != nil && !check(i, f) {
			return false
		}
	}
	tailStart := n - len(p.tail)
	for j, fi := range p.tail {
		if f := &fields[fi]; f.Cond != nil && !check(tailStart+j, f) {
			return false
		}
	}
	pos := len(p.head)
	for _, run := range p.mids {
		found := false
		for start := pos; start+len(run) <= tailStart; start++ {
			ok := true
			for k, fi := range run {
				if f := &fields[fi]; f.Cond != nil && !check(start+k, f) {
					ok = false
					break
				}
			}
			if ok {
				pos, found = start+len(run), true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// evalExpr evaluates a condition on the text of a token.
func evalExpr[T string | []byte](e Expr, text T) bool {
	switch e := e.(type) {
	case *Cmp:
		return evalCmp(e, text)
	case And:
		for _, x := range e {
			if !evalExpr(x, text) {
				return false
			}
		}
		return true
	case Or:
		for _, x := range e {
			if evalExpr(x, text) {
				return true
			}
		}
		return false
	}
	return false
}

// evalCmp evaluates one comparison on the text of a token, with
// CloudWatch's semantics: a numeric value compares numerically with text
// that reads as a number (and never equals text that does not); other
// values compare as text, '*' matching any run of characters.
func evalCmp[T string | []byte](c *Cmp, text T) bool {
	switch c.Value.Kind {
	case ValueNumber:
		n, ok := parseNumber(text)
		if !ok {
			return c.Op == OpNe
		}
		return opHolds(c.Op, cmpNumber(n, c.Value.num))
	case ValueWildcard:
		return globMatch(c.Value.parts, text) == (c.Op == OpEq)
	case ValueRegex:
		// string(text) copies a []byte, so that the caller's buffer does
		// not escape through the regexp machinery.
		return c.Value.re.MatchString(string(text)) == (c.Op == OpEq)
	}
	return (string(text) == c.Value.Text) == (c.Op == OpEq)
}

// span is a token of a line: line[lo:hi].
type span struct{ lo, hi int }

// tokenize splits a line into space-delimited tokens as CloudWatch does: a
// token that starts with '"' runs to the next '"', one that starts with
// '[' to the next ']', and the delimiters are not part of the token.
func tokenize(line []byte, dst []span) []span {
	i := 0
	for i < len(line) {
		c := line[i]
		if c == ' ' || c == '\t' {
			i++
			continue
		}
		if c == '"' || c == '[' {
			closing := byte('"')
			if c == '[' {
				closing = ']'
			}
			if j := bytes.IndexByte(line[i+1:], closing); j >= 0 {
				dst = append(dst, span{i + 1, i + 1 + j})
				i += j + 2
				continue
			}
		}
		j := i
		for j < len(line) && line[j] != ' ' && line[j] != '\t' {
			j++
		}
		dst = append(dst, span{i, j})
		i = j
	}
	return dst
}

// MatchLine reports whether a raw log line matches the pattern, with
// CloudWatch's semantics: a bracketed pattern is matched against the
// space-delimited tokens of the line (positionally, see the package
// documentation), terms are searched for in the text of the line. A
// trailing newline is ignored. MatchLine does not keep line.
func (p *Pattern) MatchLine(line []byte) bool {
	for len(line) > 0 && (line[len(line)-1] == '\n' || line[len(line)-1] == '\r') {
		line = line[:len(line)-1]
	}
	if !p.Bracketed {
		return p.matchTerms(line)
	}
	var buf [96]span
	toks := tokenize(line, buf[:0])
	return matchPlan(&p.plan, p.Fields, len(toks), func(pos int, f *Field) bool {
		t := toks[pos]
		return evalExpr(f.Cond, line[t.lo:t.hi])
	})
}

// matchTerms matches the term form: the line matches if any alternative
// matches (see termGroups), and an alternative matches if all of its
// required and optional terms appear in the line and none of its excluded
// terms does. No terms at all matches everything.
func (p *Pattern) matchTerms(line []byte) bool {
	if len(p.groups) == 0 {
		return true
	}
	for _, g := range p.groups {
		if matchGroup(g, line) {
			return true
		}
	}
	return false
}

func matchGroup(g []Term, line []byte) bool {
	for i := range g {
		t := &g[i]
		var found bool
		if t.Value.Kind == ValueRegex {
			found = t.Value.re.MatchString(string(line))
		} else {
			found = bytes.Contains(line, t.Value.bytes)
		}
		if found == (t.Kind == TermExcluded) {
			return false
		}
	}
	return true
}
