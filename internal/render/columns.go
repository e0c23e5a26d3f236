package render

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// Columns is the ordered list of record fields an output shows. It is
// immutable once built and safe for concurrent use: parse workers may each
// encode their batches with AppendJSON or AppendCSV into their own buffers.
type Columns struct {
	cols []column
}

type column struct {
	id    flowlog.FieldID // FieldInvalid for an unknown (extra) field
	extra int             // index in Record.Extra when id is FieldInvalid
	kind  flowlog.Kind    // 0 for an extra field (always a string)
	name  string          // underscore spelling (account_id)
	key   []byte          // `"name":`, escaped
}

// ColumnsOf returns the columns of format f, in the format's column order.
// Unknown fields (f.ExtraNames) keep their position in the format and take
// their value from Record.Extra; their names are spelled with '_' too.
func ColumnsOf(f *parse.Format) *Columns {
	c := &Columns{cols: make([]column, 0, len(f.Fields))}
	extra := 0
	for i, id := range f.Fields {
		if id == flowlog.FieldInvalid {
			c.cols = append(c.cols, newExtraColumn(f.Names[i], extra))
			extra++
			continue
		}
		c.cols = append(c.cols, newFieldColumn(id))
	}
	return c
}

// FieldColumns returns the given known fields in order, then the unknown
// fields extraNames (in Record.Extra order, dash or underscore spelling).
// A field or name that repeats, or an invalid field ID, is an error.
func FieldColumns(ids []flowlog.FieldID, extraNames ...string) (*Columns, error) {
	c := &Columns{cols: make([]column, 0, len(ids)+len(extraNames))}
	seen := make(map[string]bool, len(ids)+len(extraNames))
	for _, id := range ids {
		if !id.Valid() {
			return nil, fmt.Errorf("render: invalid field id %d in the column list", int(id))
		}
		col := newFieldColumn(id)
		if seen[col.name] {
			return nil, fmt.Errorf("render: field %q appears twice in the column list", id.Name())
		}
		seen[col.name] = true
		c.cols = append(c.cols, col)
	}
	for i, n := range extraNames {
		col := newExtraColumn(n, i)
		if col.name == "" {
			return nil, fmt.Errorf("render: empty name for unknown field %d of the column list", i+1)
		}
		if seen[col.name] {
			return nil, fmt.Errorf("render: field %q appears twice in the column list", n)
		}
		seen[col.name] = true
		c.cols = append(c.cols, col)
	}
	return c, nil
}

func newFieldColumn(id flowlog.FieldID) column {
	name := id.Column()
	return column{id: id, kind: id.Kind(), name: name, key: append(appendJSONString(nil, name), ':')}
}

func newExtraColumn(name string, extra int) column {
	name = strings.ReplaceAll(name, "-", "_")
	return column{extra: extra, name: name, key: append(appendJSONString(nil, name), ':')}
}

// Len returns the number of columns.
func (c *Columns) Len() int { return len(c.cols) }

// Names returns the column names (underscore spelling), in order.
func (c *Columns) Names() []string {
	out := make([]string, len(c.cols))
	for i := range c.cols {
		out[i] = c.cols[i].name
	}
	return out
}

// extraValue returns the value of an unknown field and whether it is set
// ("" in Record.Extra stands for '-').
func (col *column) extraValue(r *flowlog.Record) (string, bool) {
	if col.extra < len(r.Extra) && r.Extra[col.extra] != "" {
		return r.Extra[col.extra], true
	}
	return "", false
}

// AppendJSON appends r as one JSON object (no newline) to dst. Keys follow
// the column order; absent fields are omitted; numeric fields
// (flowlog.Kind.IsNumeric: version, ports, protocol, packets, bytes, start,
// end, tcp_flags, traffic_path, encryption_status, packets_lost_*) are JSON
// numbers; everything else, account_id included, is a JSON string, enums in
// their AWS spelling. It does not allocate.
func (c *Columns) AppendJSON(dst []byte, r *flowlog.Record) []byte {
	dst = append(dst, '{')
	first := true
	for i := range c.cols {
		col := &c.cols[i]
		if col.id == flowlog.FieldInvalid {
			v, ok := col.extraValue(r)
			if !ok {
				continue
			}
			if !first {
				dst = append(dst, ',')
			}
			first = false
			dst = append(dst, col.key...)
			dst = appendJSONString(dst, v)
			continue
		}
		if !r.Present.Has(col.id) {
			continue
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		dst = append(dst, col.key...)
		switch col.kind {
		case flowlog.KindString:
			dst = appendJSONString(dst, *r.StringPtr(col.id))
		case flowlog.KindUint8, flowlog.KindUint16, flowlog.KindUint64:
			v, _ := r.Uint(col.id)
			dst = strconv.AppendUint(dst, v, 10)
		case flowlog.KindTime:
			v := r.Start
			if col.id == flowlog.FieldEnd {
				v = r.End
			}
			dst = strconv.AppendInt(dst, v, 10)
		case flowlog.KindAddr:
			dst = append(dst, '"')
			dst = r.AddrPtr(col.id).AppendTo(dst)
			dst = append(dst, '"')
		default:
			// Enums: ASCII names that never need escaping.
			dst = append(dst, '"')
			dst = flowlog.AppendText(dst, r, col.id)
			dst = append(dst, '"')
		}
	}
	return append(dst, '}')
}

// AppendCSVHeader appends the header row (column names and '\n') to dst.
func (c *Columns) AppendCSVHeader(dst []byte) []byte {
	for i := range c.cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCSVField(dst, c.cols[i].name)
	}
	return append(dst, '\n')
}

// AppendCSV appends r as one CSV row, '\n' included, to dst. An absent field
// is an empty cell; values are the AWS text (AppendText), quoted per RFC
// 4180 when needed. It does not allocate.
func (c *Columns) AppendCSV(dst []byte, r *flowlog.Record) []byte {
	rowStart := len(dst)
	for i := range c.cols {
		col := &c.cols[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		if col.id == flowlog.FieldInvalid {
			v, _ := col.extraValue(r)
			dst = appendCSVField(dst, v)
			continue
		}
		if !r.Present.Has(col.id) {
			continue
		}
		if col.kind == flowlog.KindString {
			dst = appendCSVField(dst, *r.StringPtr(col.id))
		} else {
			dst = flowlog.AppendText(dst, r, col.id)
		}
	}
	return endCSVRow(dst, rowStart)
}

// endCSVRow ends a CSV row that started at dst[rowStart:]. A row that is a
// single empty cell is written as "" so that it does not read as a blank
// line, which CSV readers skip.
func endCSVRow(dst []byte, rowStart int) []byte {
	if len(dst) == rowStart {
		dst = append(dst, '"', '"')
	}
	return append(dst, '\n')
}

// appendCell appends the text-table spelling of column col of r: "-" when
// absent, start and end as RFC 3339 UTC times, strings made printable, the
// AWS text otherwise.
func (col *column) appendCell(dst []byte, r *flowlog.Record) []byte {
	if col.id == flowlog.FieldInvalid {
		v, ok := col.extraValue(r)
		if !ok {
			return append(dst, '-')
		}
		return appendTableText(dst, v)
	}
	if !r.Present.Has(col.id) {
		return append(dst, '-')
	}
	switch col.kind {
	case flowlog.KindString:
		return appendTableText(dst, *r.StringPtr(col.id))
	case flowlog.KindTime:
		v := r.Start
		if col.id == flowlog.FieldEnd {
			v = r.End
		}
		return time.Unix(v, 0).UTC().AppendFormat(dst, time.RFC3339)
	}
	return flowlog.AppendText(dst, r, col.id)
}

// rightAligned reports whether the column is right-aligned in a text table.
func (col *column) rightAligned() bool {
	return col.kind.IsNumeric() && col.kind != flowlog.KindTime
}
