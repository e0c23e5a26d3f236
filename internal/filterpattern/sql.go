package filterpattern

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// ErrNotPushable is returned (wrapped) by Bound.SQL for a pattern that
// cannot be evaluated by the database: one that reads a column the store
// does not keep (a field flowlens does not know), or whose floating runs
// (several '...') have too many possible placements. The caller then
// selects the candidate rows without this filter and keeps those for which
// Bound.Match is true.
var ErrNotPushable = errors.New("filter pattern cannot be evaluated in SQL")

// maxSQLTerms bounds the size of the generated expression.
const maxSQLTerms = 4096

// SQL compiles the pattern to a boolean SQL expression for a WHERE clause
// over a table whose columns are named by flowlog.FieldID.Column, with the
// types of the flowlens store: integers for ports, protocol, version,
// tcp_flags and the other numeric fields, BIGINT Unix seconds for start
// and end, VARCHAR for addresses (canonical text) and for the enums
// (AWS spelling: ACCEPT, NODATA, IPv4, ingress), NULL for an absent field.
// Values are passed as bind parameters ('?'), in the order of args.
//
// The expression selects exactly the rows whose record Bound.Match
// accepts: an absent field reads "-" (so [..., srcaddr="-", ...] is IS
// NULL), and a term pattern searches the text line, which the expression
// rebuilds from the columns in the bound layout. When that is not
// possible, SQL returns an error wrapping ErrNotPushable and the caller
// evaluates the pattern in Go. (One approximation: a number compared with
// a free-text field, such as account-id, compares as a DOUBLE in SQL, so
// integers beyond 2^53 there may compare differently from Go, which is
// exact.)
func (b *Bound) SQL(d Dialect) (where string, args []any, err error) {
	g := &sqlGen{b: b, d: d}
	var n node
	if b.p.Bracketed {
		n, err = g.fields()
	} else {
		n, err = g.terms()
	}
	if err != nil {
		return "", nil, err
	}
	switch n.k {
	case kTrue:
		return "TRUE", nil, nil
	case kFalse:
		return "FALSE", nil, nil
	}
	return n.sql, n.args, nil
}

type sqlGen struct {
	b      *Bound
	d      Dialect
	leaves int // comparisons generated, bounded by maxSQLTerms
}

func (g *sqlGen) notPushable(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotPushable, fmt.Sprintf(format, args...))
}

// fields compiles a bracketed pattern over the bound layout.
func (g *sqlGen) fields() (node, error) {
	p, n := &g.b.p.plan, len(g.b.layout)
	fields := g.b.p.Fields
	var conj []node
	for i, fi := range p.head {
		c, err := g.field(&fields[fi], i)
		if err != nil {
			return node{}, err
		}
		conj = append(conj, c)
	}
	tailStart := n - len(p.tail)
	for j, fi := range p.tail {
		c, err := g.field(&fields[fi], tailStart+j)
		if err != nil {
			return node{}, err
		}
		conj = append(conj, c)
	}
	m, err := g.mids(0, len(p.head), tailStart)
	if err != nil {
		return node{}, err
	}
	return join(true, append(conj, m)...), nil
}

// mids compiles the floating runs from run i on, placed at or after pos:
// an OR over the placements of run i, each with the rest placed after it.
func (g *sqlGen) mids(i, pos, tailStart int) (node, error) {
	runs := g.b.p.plan.mids
	if i == len(runs) {
		return nodeTrue, nil
	}
	need := 0
	for _, r := range runs[i:] {
		need += len(r)
	}
	var alts []node
	for start := pos; start+need <= tailStart; start++ {
		var conj []node
		for k, fi := range runs[i] {
			c, err := g.field(&g.b.p.Fields[fi], start+k)
			if err != nil {
				return node{}, err
			}
			conj = append(conj, c)
		}
		rest, err := g.mids(i+1, start+len(runs[i]), tailStart)
		if err != nil {
			return node{}, err
		}
		alt := join(true, append(conj, rest)...)
		if alt.k == kTrue {
			return nodeTrue, nil
		}
		alts = append(alts, alt)
	}
	return join(false, alts...), nil
}

// field compiles the condition of an element at column pos.
func (g *sqlGen) field(f *Field, pos int) (node, error) {
	if f.Cond == nil {
		return nodeTrue, nil
	}
	id := g.b.layout[pos]
	if id == flowlog.FieldInvalid {
		return node{}, g.notPushable("%q is at column %d, a field flowlens does not know and the store does not keep", f.Name, pos+1)
	}
	return g.expr(f.Cond, id)
}

func (g *sqlGen) expr(e Expr, id flowlog.FieldID) (node, error) {
	var parts []node
	var and bool
	switch e := e.(type) {
	case *Cmp:
		g.leaves++
		if g.leaves > maxSQLTerms {
			return node{}, g.notPushable("more than %d comparisons once the '...' placements are expanded", maxSQLTerms)
		}
		return g.cmp(e, id), nil
	case And:
		and, parts = true, make([]node, 0, len(e))
		for _, x := range e {
			n, err := g.expr(x, id)
			if err != nil {
				return node{}, err
			}
			parts = append(parts, n)
		}
	case Or:
		parts = make([]node, 0, len(e))
		for _, x := range e {
			n, err := g.expr(x, id)
			if err != nil {
				return node{}, err
			}
			parts = append(parts, n)
		}
	}
	return join(and, parts...), nil
}

var sqlOps = [...]string{"", "=", "<>", "<", "<=", ">", ">="}

// cmp compiles one comparison on field id: its result on an absent field
// (text "-") is known here, its result on a present value is computed by
// the database from the column.
func (g *sqlGen) cmp(c *Cmp, id flowlog.FieldID) node {
	d, kind := g.d, id.Kind()
	col := d.Ident(id.Column())
	text := d.Text(col, kind)
	eq := c.Op == OpEq
	var present node
	switch v := &c.Value; v.Kind {
	case ValueRegex:
		present = leaf(d.Regexp(text), v.Text)
		if !eq {
			present = not(present)
		}
	case ValueWildcard:
		if strings.Trim(v.Text, "*") == "" {
			present = konst(eq) // matches any text
			break
		}
		present = leaf(d.Like(text), likePattern(v.Text))
		if !eq {
			present = not(present)
		}
	case ValueNumber:
		switch {
		case kind.IsNumeric():
			present = g.numeric(c.Op, v.num, id, col)
		case kind == flowlog.KindString:
			// Free text may read as a number; when it does not, only !=
			// holds.
			present = leaf(fmt.Sprintf("COALESCE(%s %s ?, %s)", d.ParseNumber(text), sqlOps[c.Op], sqlBool(c.Op == OpNe)), v.num.f)
		default:
			// Enum names and addresses never read as numbers.
			present = konst(c.Op == OpNe)
		}
	default:
		switch {
		case v.Text == "-" || kind.IsNumeric() || !canRead(kind, v.Text):
			// A present field never reads "-", the text of a number never
			// equals a value that does not read as a number, nor an
			// address or enum a text that is not one.
			present = konst(!eq)
		default:
			present = leaf(text+" "+sqlOps[c.Op]+" ?", v.Text)
		}
	}
	if evalCmp(c, "-") {
		return join(false, leaf(col+" IS NULL"), present)
	}
	if present.k == kTrue {
		return leaf(col + " IS NOT NULL")
	}
	return join(true, leaf(col+" IS NOT NULL"), present)
}

// numeric compiles a comparison of a numeric column with a number. Values
// outside the range of the column fold to a constant, integers are bound
// as int64 (or, beyond its range, as a decimal string the database
// converts to the column's type), other numbers as float64 against the
// column converted to DOUBLE.
func (g *sqlGen) numeric(op Op, n number, id flowlog.FieldID, col string) node {
	num := g.d.Number(col, id.Kind())
	min, max := exactNumber(false, 0), exactNumber(false, flowlog.MaxUint(id))
	if id.Kind() == flowlog.KindTime {
		min = exactNumber(true, 1<<63)
	}
	switch {
	case cmpNumber(n, max) > 0:
		return konst(opHolds(op, -1)) // every value is below n
	case cmpNumber(n, min) < 0:
		return konst(opHolds(op, 1))
	case !n.exact:
		return leaf(g.d.Double(num)+" "+sqlOps[op]+" ?", n.f)
	case n.neg:
		return leaf(num+" "+sqlOps[op]+" ?", -int64(n.mag-1)-1)
	case n.mag > math.MaxInt64:
		return leaf(num+" "+sqlOps[op]+" ?", strconv.FormatUint(n.mag, 10))
	}
	return leaf(num+" "+sqlOps[op]+" ?", int64(n.mag))
}

// canRead reports whether a present field of kind k can have text s.
func canRead(k flowlog.Kind, s string) bool {
	if names := enumNames(k); names != nil {
		return contains(names, s)
	}
	if k == flowlog.KindAddr {
		a, err := netip.ParseAddr(s)
		return err == nil && a.String() == s
	}
	return true
}

// opHolds reports whether op holds for a comparison result r (-1, 0, +1).
func opHolds(op Op, r int) bool {
	switch op {
	case OpEq:
		return r == 0
	case OpNe:
		return r != 0
	case OpLt:
		return r < 0
	case OpLe:
		return r <= 0
	case OpGt:
		return r > 0
	case OpGe:
		return r >= 0
	}
	return false
}

func sqlBool(b bool) string {
	if b {
		return "TRUE"
	}
	return "FALSE"
}

// terms compiles the term form: each term is searched for in the text
// line, rebuilt from the columns of the bound layout.
func (g *sqlGen) terms() (node, error) {
	groups := g.b.p.groups
	if len(groups) == 0 {
		return nodeTrue, nil
	}
	texts := make([]string, len(g.b.layout))
	for i, id := range g.b.layout {
		if id == flowlog.FieldInvalid {
			return node{}, g.notPushable("column %d of the records is a field flowlens does not know and the store does not keep, and search terms read the whole line", i+1)
		}
		texts[i] = fmt.Sprintf("COALESCE(%s, '-')", g.d.Text(g.d.Ident(id.Column()), id.Kind()))
	}
	line := g.d.Line(texts)
	alts := make([]node, 0, len(groups))
	for _, grp := range groups {
		conj := make([]node, 0, len(grp))
		for _, t := range grp {
			var found node
			switch {
			case t.Value.Kind == ValueRegex:
				found = leaf(g.d.Regexp(line), t.Value.Text)
			case t.Value.Text == "":
				found = nodeTrue
			default:
				found = leaf(g.d.Contains(line), t.Value.Text)
			}
			if t.Kind == TermExcluded {
				found = not(found)
			}
			conj = append(conj, found)
		}
		alts = append(alts, join(true, conj...))
	}
	return join(false, alts...), nil
}
