// Package filterpattern implements the CloudWatch Logs filter-pattern syntax
// for space-delimited logs, the syntax of `flowlens filter 'PATTERN'`.
//
// A pattern is either bracketed, naming the fields of a line by position
// and putting conditions on them:
//
//	[version, account, eni, src, dst, srcport, dstport=22, protocol=6, ..., action=REJECT, status]
//
// or a list of terms searched for in the text of the line:
//
//	REJECT "10.0.2.15 " ?eni-0abc ?eni-0def -NODATA
//
// Parse turns a pattern into an AST (Pattern). Pattern.MatchLine matches
// raw text lines with CloudWatch's semantics. Pattern.Bind fixes the
// layout of the records (the ordered fields of the flow log format) and
// returns a Bound, which matches flowlog.Records (Bound.Match) and
// compiles to a SQL WHERE expression (Bound.SQL) for the store.
//
// Field labels in a bracketed pattern are positional, as in CloudWatch:
// the i-th label names the i-th token of the line whatever it is called.
// After an ellipsis ("...") positions count from the end of the line.
// docs/FILTER.md describes the syntax, the semantics and the few places
// where flowlens differs from CloudWatch.
package filterpattern

import "strings"

// Pattern is a parsed filter pattern. It is immutable after Parse (its
// exported fields must not be modified) and safe for concurrent use.
type Pattern struct {
	// Bracketed is true for a space-delimited [ ... ] pattern.
	Bracketed bool
	// Fields holds the elements of a bracketed pattern, in order.
	Fields []Field
	// Terms holds the terms of an unbracketed pattern, in order. A pattern
	// with no terms and no fields (empty, or "") matches every line.
	Terms []Term

	plan   plan     // bracketed: where each element goes
	groups [][]Term // terms: alternatives (see matchTerms)
}

// Field is one element of a bracketed pattern.
type Field struct {
	// Ellipsis is true for "...": any number of tokens (zero or more).
	Ellipsis bool
	// Name is the label; empty for an unnamed element (as in "[a, , b]")
	// and for an ellipsis.
	Name string
	// Cond is the condition on the token, nil when there is none. Every
	// comparison in it names this field.
	Cond Expr
	// Offset is the byte offset of the element in the pattern.
	Offset int
}

// TermKind says how a term takes part in the match.
type TermKind uint8

const (
	// TermRequired must appear in the line.
	TermRequired TermKind = iota + 1
	// TermOptional ("?term") starts an alternative: the line matches if
	// any alternative matches.
	TermOptional
	// TermExcluded ("-term") must not appear in the line.
	TermExcluded
)

// Term is one term of an unbracketed pattern. Its value is a ValueString
// (searched for as written) or a ValueRegex.
type Term struct {
	Kind  TermKind
	Value Value
}

// Op is a comparison operator.
type Op uint8

const (
	OpEq Op = iota + 1 // =
	OpNe               // !=
	OpLt               // <
	OpLe               // <=
	OpGt               // >
	OpGe               // >=
)

var opNames = [...]string{"", "=", "!=", "<", "<=", ">", ">="}

func (o Op) String() string { return opNames[o] }

// Expr is a condition on one field: *Cmp, And or Or.
type Expr interface{ isExpr() }

// Cmp compares the token of field Name with Value.
type Cmp struct {
	Name   string
	Op     Op
	Value  Value
	Offset int // byte offset in the pattern
}

// And holds when all of its operands hold ("&&").
type And []Expr

// Or holds when any of its operands holds ("||").
type Or []Expr

func (*Cmp) isExpr() {}
func (And) isExpr()  {}
func (Or) isExpr()   {}

// String returns the canonical form of the pattern: parsing it again
// gives an equivalent pattern whose String is the same.
func (p *Pattern) String() string {
	var b strings.Builder
	if p.Bracketed {
		b.WriteByte('[')
		for i := range p.Fields {
			if i > 0 {
				b.WriteString(", ")
			}
			f := &p.Fields[i]
			switch {
			case f.Ellipsis:
				b.WriteString("...")
			case f.Cond != nil:
				writeExpr(&b, f.Cond)
			default:
				b.WriteString(f.Name)
			}
		}
		b.WriteByte(']')
		return b.String()
	}
	for i, t := range p.Terms {
		if i > 0 {
			b.WriteByte(' ')
		}
		switch t.Kind {
		case TermOptional:
			b.WriteByte('?')
		case TermExcluded:
			b.WriteByte('-')
		}
		writeValue(&b, t.Value, bareTerm)
	}
	if len(p.Terms) == 0 {
		return ""
	}
	return b.String()
}

func writeExpr(b *strings.Builder, e Expr) {
	switch e := e.(type) {
	case *Cmp:
		b.WriteString(e.Name)
		b.WriteString(e.Op.String())
		writeValue(b, e.Value, bareValue)
	case And:
		for i, x := range e {
			if i > 0 {
				b.WriteString(" && ")
			}
			if _, ok := x.(Or); ok {
				b.WriteByte('(')
				writeExpr(b, x)
				b.WriteByte(')')
			} else {
				writeExpr(b, x)
			}
		}
	case Or:
		for i, x := range e {
			if i > 0 {
				b.WriteString(" || ")
			}
			writeExpr(b, x)
		}
	}
}

func writeValue(b *strings.Builder, v Value, bare func(string) bool) {
	switch {
	case v.Kind == ValueRegex:
		b.WriteByte('%')
		b.WriteString(v.Text)
		b.WriteByte('%')
	case bare(v.Text):
		b.WriteString(v.Text)
	default:
		b.WriteByte('"')
		for i := 0; i < len(v.Text); i++ {
			if c := v.Text[i]; c == '"' || c == '\\' {
				b.WriteByte('\\')
			}
			b.WriteByte(v.Text[i])
		}
		b.WriteByte('"')
	}
}

// bareTerm reports whether a term can be written without quotes.
func bareTerm(s string) bool {
	if s == "" || strings.IndexByte(`?-[{%`, s[0]) >= 0 {
		return false
	}
	return !strings.ContainsAny(s, " \t\r\n\"")
}

// bareValue reports whether a condition value can be written without quotes.
func bareValue(s string) bool {
	if s == "" || strings.IndexByte(`%=<>!`, s[0]) >= 0 {
		return false
	}
	return !strings.ContainsAny(s, " \t\r\n\",[]()&|")
}
