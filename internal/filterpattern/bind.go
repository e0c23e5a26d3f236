package filterpattern

import (
	"fmt"
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// Bound is a pattern bound to a record layout: the ordered fields of the
// flow log format the records were read with (parse.Format.Fields). It is
// immutable and safe for concurrent use.
type Bound struct {
	p        *Pattern
	layout   []flowlog.FieldID
	extra    []int // for each column of the layout: its index in Record.Extra, or -1
	warnings []string
}

// Bind binds the pattern to a layout. The i-th label of a bracketed
// pattern names the i-th field of the layout; after an ellipsis, labels
// name fields counted from the end. A FieldInvalid entry stands for a
// column flowlens does not know (its value is in Record.Extra).
//
// Bind fails when the pattern cannot fit the layout: without an ellipsis
// the pattern must have exactly one element per field, and with one it
// cannot have more. Label names need not be AWS field names, but a label
// that is the name of another field at that position gets a warning
// (see Warnings), as do conditions that no value of their field can meet.
func (p *Pattern) Bind(layout []flowlog.FieldID) (*Bound, error) {
	if len(layout) == 0 {
		return nil, fmt.Errorf("filter pattern: empty record layout")
	}
	b := &Bound{p: p, layout: append([]flowlog.FieldID(nil), layout...), extra: make([]int, len(layout))}
	nextra := 0
	for i, id := range layout {
		b.extra[i] = -1
		switch {
		case id == flowlog.FieldInvalid:
			b.extra[i] = nextra
			nextra++
		case !id.Valid():
			return nil, fmt.Errorf("filter pattern: record layout: column %d has invalid field id %d", i+1, id)
		}
	}
	if !p.Bracketed {
		return b, nil
	}
	n := len(layout)
	switch {
	case !p.plan.ellipsis && p.plan.fixed != n:
		return nil, fmt.Errorf("filter pattern: the pattern has %d fields but the records have %d (%s); name all %d fields or use '...' for the ones you skip, e.g. [..., action=REJECT, status]", p.plan.fixed, n, layoutSummary(layout), n)
	case p.plan.fixed > n:
		return nil, fmt.Errorf("filter pattern: the pattern has %d fields but the records have only %d (%s)", p.plan.fixed, n, layoutSummary(layout))
	}
	b.checkLabels()
	return b, nil
}

func layoutSummary(layout []flowlog.FieldID) string {
	if len(layout) <= 4 {
		s := ""
		for i, id := range layout {
			if i > 0 {
				s += " "
			}
			s += id.Name()
		}
		return s
	}
	return fmt.Sprintf("%s %s ... %s %s", layout[0].Name(), layout[1].Name(), layout[len(layout)-2].Name(), layout[len(layout)-1].Name())
}

// checkLabels records warnings for the anchored elements.
func (b *Bound) checkLabels() {
	n := len(b.layout)
	for i, fi := range b.p.plan.head {
		b.checkLabel(&b.p.Fields[fi], i)
	}
	for j, fi := range b.p.plan.tail {
		b.checkLabel(&b.p.Fields[fi], n-len(b.p.plan.tail)+j)
	}
}

func (b *Bound) checkLabel(f *Field, pos int) {
	id := b.layout[pos]
	if named, ok := flowlog.Lookup(f.Name); ok && named != id {
		b.warnf("label %q is at column %d, which is %s in this format (labels are positional)", f.Name, pos+1, fieldName(id))
	}
	if f.Cond == nil || id == flowlog.FieldInvalid {
		return
	}
	walkCmps(f.Cond, func(c *Cmp) {
		if why := neverReads(c.Value, id); why != "" {
			var cond strings.Builder
			writeExpr(&cond, c)
			holds := "never"
			if c.Op == OpNe {
				holds = "always"
			}
			b.warnf("condition %s %s holds: %s", cond.String(), holds, why)
		}
	})
}

// neverReads says why no value of field id reads v, or returns "".
func neverReads(v Value, id flowlog.FieldID) string {
	kind := id.Kind()
	switch {
	case v.Kind == ValueNumber && (enumNames(kind) != nil || kind == flowlog.KindAddr):
		return id.Name() + " is not a number"
	case v.Kind != ValueString || v.Text == "-":
		return ""
	case kind.IsNumeric():
		return id.Name() + " is a number"
	case kind == flowlog.KindAddr && !canRead(kind, v.Text):
		return "addresses are written in canonical form (10.0.2.15, 2001:db8::1)"
	case !canRead(kind, v.Text):
		return id.Name() + " is one of " + strings.Join(enumNames(kind), ", ") + " (case matters)"
	}
	return ""
}

func fieldName(id flowlog.FieldID) string {
	if id == flowlog.FieldInvalid {
		return "a field flowlens does not know"
	}
	return id.Name()
}

func (b *Bound) warnf(format string, args ...any) {
	b.warnings = append(b.warnings, fmt.Sprintf(format, args...))
}

func walkCmps(e Expr, fn func(*Cmp)) {
	switch e := e.(type) {
	case *Cmp:
		fn(e)
	case And:
		for _, x := range e {
			walkCmps(x, fn)
		}
	case Or:
		for _, x := range e {
			walkCmps(x, fn)
		}
	}
}

func enumNames(k flowlog.Kind) []string {
	switch k {
	case flowlog.KindAction:
		return []string{"ACCEPT", "REJECT"}
	case flowlog.KindLogStatus:
		return []string{"OK", "NODATA", "SKIPDATA"}
	case flowlog.KindTrafficType:
		return []string{"IPv4", "IPv6", "EFA"}
	case flowlog.KindFlowDirection:
		return []string{"ingress", "egress"}
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Pattern returns the pattern b was bound from.
func (b *Bound) Pattern() *Pattern { return b.p }

// Layout returns the layout b is bound to. The slice must not be modified.
func (b *Bound) Layout() []flowlog.FieldID { return b.layout }

// Warnings returns the problems Bind noticed that are not errors: a label
// that is the AWS name of another field at its position, a condition no
// value can meet. Tools should show them to the user.
func (b *Bound) Warnings() []string { return b.warnings }

// Match reports whether rec matches, exactly as MatchLine would on the
// text line of rec in the bound layout (format.AppendLine): a field's
// text is flowlog.AppendText's, "-" when absent. (A field whose text held
// a space, or started with '"' or '[', would make the two differ; the
// fields of records read from flow logs never do.) A bracketed pattern reads
// the fields it needs without building the line and does not allocate
// (regular expressions aside); the term form renders the line first.
func (b *Bound) Match(rec *flowlog.Record) bool {
	p := b.p
	if !p.Bracketed {
		var buf [512]byte
		return p.matchTerms(b.appendLine(buf[:0], rec))
	}
	return matchPlan(&p.plan, p.Fields, len(b.layout), func(pos int, f *Field) bool {
		return b.evalField(rec, pos, f.Cond)
	})
}

// evalField evaluates cond on the text of the field at column pos.
func (b *Bound) evalField(rec *flowlog.Record, pos int, cond Expr) bool {
	id := b.layout[pos]
	if id == flowlog.FieldInvalid {
		if k := b.extra[pos]; k < len(rec.Extra) && rec.Extra[k] != "" {
			return evalExpr(cond, rec.Extra[k])
		}
		return evalExpr(cond, "-")
	}
	if !rec.Present.Has(id) {
		return evalExpr(cond, "-")
	}
	if id.Kind() == flowlog.KindString {
		return evalExpr(cond, *rec.StringPtr(id))
	}
	var buf [64]byte
	return evalExpr(cond, flowlog.AppendText(buf[:0], rec, id))
}

// appendLine appends the text line of rec in the bound layout, as
// parse.Format.AppendLine does.
func (b *Bound) appendLine(dst []byte, rec *flowlog.Record) []byte {
	for i, id := range b.layout {
		if i > 0 {
			dst = append(dst, ' ')
		}
		if id == flowlog.FieldInvalid {
			if k := b.extra[i]; k < len(rec.Extra) && rec.Extra[k] != "" {
				dst = append(dst, rec.Extra[k]...)
			} else {
				dst = append(dst, '-')
			}
			continue
		}
		dst = flowlog.AppendText(dst, rec, id)
	}
	return dst
}
