package parquet

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"unsafe"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// column is how one leaf column of the file maps to a record.
type column struct {
	name     string          // as in the file
	id       flowlog.FieldID // FieldInvalid: an unknown column
	extra    int             // index in Record.Extra for unknown columns, else -1
	unsigned bool            // integer logical type is unsigned
	// timeDiv converts a TIMESTAMP column to Unix seconds (1e3 for millis,
	// 1e6 micros, 1e9 nanos); 0 for plain integers.
	timeDiv int64
}

func (c *column) setType(t pq.Type) {
	if lt := t.LogicalType(); lt != nil {
		switch v := lt.Value.(type) {
		case *format.IntType:
			c.unsigned = !v.IsSigned
		case *format.TimestampType:
			switch v.Unit.Value.(type) {
			case *format.MilliSeconds:
				c.timeDiv = 1e3
			case *format.MicroSeconds:
				c.timeDiv = 1e6
			case *format.NanoSeconds:
				c.timeDiv = 1e9
			}
		}
		return
	}
	if ct := t.ConvertedType(); ct != nil {
		switch *ct {
		case deprecated.Uint8, deprecated.Uint16, deprecated.Uint32, deprecated.Uint64:
			c.unsigned = true
		case deprecated.TimestampMillis:
			c.timeDiv = 1e3
		case deprecated.TimestampMicros:
			c.timeDiv = 1e6
		}
	}
}

// converter turns decoded rows into records.
type converter struct {
	cols   []column
	nExtra int
	seen   []uint32 // per column: generation of the last row that set it
	gen    uint32
	intern interner
	// Set when convert returns false.
	reason parse.Reason
	detail string
}

func newConverter(limit int) converter {
	if limit <= 0 {
		limit = parse.DefaultConfig().InternLimit
	}
	return converter{intern: interner{m: make(map[string]string), limit: limit}}
}

// convert stores row in rec. It reports false, with reason and detail set,
// for a row with a bad value. Only the first value of a repeated column is
// used.
func (c *converter) convert(row pq.Row, rec *flowlog.Record) bool {
	extra := rec.Extra[:0]
	*rec = flowlog.Record{}
	if c.nExtra > 0 {
		for range c.nExtra {
			extra = append(extra, "")
		}
		rec.Extra = extra
	}
	c.gen++
	if c.gen == 0 { // wrapped: forget every old generation
		clear(c.seen)
		c.gen = 1
	}
	for _, v := range row {
		i := v.Column()
		if i < 0 || i >= len(c.cols) || c.seen[i] == c.gen {
			continue
		}
		c.seen[i] = c.gen
		if v.IsNull() {
			continue
		}
		if (v.Kind() == pq.ByteArray || v.Kind() == pq.FixedLenByteArray) && string(v.ByteArray()) == "-" {
			continue // the text spelling of an absent field
		}
		col := &c.cols[i]
		if col.extra >= 0 {
			rec.Extra[col.extra] = c.text(v)
			continue
		}
		if !c.set(rec, col, v) {
			return false
		}
		rec.Present.Add(col.id)
	}
	return true
}

func (c *converter) bad(reason parse.Reason, col *column, v pq.Value, msg string) bool {
	c.reason = reason
	c.detail = fmt.Sprintf("%s: %q %s", col.name, valueText(v), msg)
	return false
}

// set stores the non-null value v of a known field.
func (c *converter) set(rec *flowlog.Record, col *column, v pq.Value) bool {
	id := col.id
	switch id.Kind() {
	case flowlog.KindString:
		*rec.StringPtr(id) = c.text(v)
	case flowlog.KindAddr:
		a, ok := c.addr(v)
		if !ok {
			return c.bad(parse.ReasonAddress, col, v, "is not an IP address")
		}
		*rec.AddrPtr(id) = a
	case flowlog.KindTime:
		u, ok := col.integer(v)
		if !ok || u > 1<<62 {
			return c.bad(parse.ReasonNumber, col, v, "is not a Unix time")
		}
		if col.timeDiv > 0 {
			u /= uint64(col.timeDiv)
		} else if u > 1<<31-1 {
			u /= 1000 // milliseconds, as the text parser treats them
		}
		rec.SetUint(id, u)
	case flowlog.KindUint8, flowlog.KindUint16, flowlog.KindUint64:
		u, ok := col.integer(v)
		if !ok {
			return c.bad(parse.ReasonNumber, col, v, "is not a non-negative integer")
		}
		if max := flowlog.MaxUint(id); u > max {
			return c.bad(parse.ReasonNumber, col, v, "is out of range (max "+strconv.FormatUint(max, 10)+")")
		}
		rec.SetUint(id, u)
	default:
		return c.setEnum(rec, col, v)
	}
	return true
}

func (c *converter) setEnum(rec *flowlog.Record, col *column, v pq.Value) bool {
	var b []byte
	if k := v.Kind(); k == pq.ByteArray || k == pq.FixedLenByteArray {
		b = v.ByteArray()
	}
	var ok bool
	msg := ""
	switch col.id.Kind() {
	case flowlog.KindAction:
		rec.Action, ok = flowlog.ParseAction(b)
		msg = "is not ACCEPT or REJECT"
	case flowlog.KindLogStatus:
		rec.Status, ok = flowlog.ParseLogStatus(b)
		msg = "is not OK, NODATA or SKIPDATA"
	case flowlog.KindTrafficType:
		rec.Type, ok = flowlog.ParseTrafficType(b)
		msg = "is not IPv4, IPv6 or EFA"
	case flowlog.KindFlowDirection:
		rec.Direction, ok = flowlog.ParseFlowDirection(b)
		msg = "is not ingress or egress"
	}
	if !ok {
		return c.bad(parse.ReasonEnum, col, v, msg)
	}
	return true
}

// integer returns v as a non-negative integer: INT32 and INT64 (unsigned
// when the column's logical type says so), or decimal text.
func (col *column) integer(v pq.Value) (uint64, bool) {
	switch v.Kind() {
	case pq.Int32:
		if col.unsigned {
			return uint64(v.Uint32()), true
		}
		x := v.Int32()
		return uint64(x), x >= 0
	case pq.Int64:
		if col.unsigned {
			return v.Uint64(), true
		}
		x := v.Int64()
		return uint64(x), x >= 0
	case pq.ByteArray, pq.FixedLenByteArray:
		b := v.ByteArray()
		if len(b) == 0 || b[0] == '+' || b[0] == '-' {
			return 0, false
		}
		u, err := strconv.ParseUint(unsafe.String(&b[0], len(b)), 10, 64)
		return u, err == nil
	}
	return 0, false
}

// addr parses an address from its text, or from 4 or 16 raw bytes in a
// FIXED_LEN_BYTE_ARRAY column.
func (c *converter) addr(v pq.Value) (netip.Addr, bool) {
	switch v.Kind() {
	case pq.FixedLenByteArray:
		if a, ok := netip.AddrFromSlice(v.ByteArray()); ok {
			return a, true // raw 4 or 16 bytes
		}
		fallthrough
	case pq.ByteArray:
		b := v.ByteArray()
		if len(b) == 0 {
			return netip.Addr{}, false
		}
		// netip.ParseAddr does not retain its argument: a string view of
		// the page buffer avoids an allocation per address.
		a, err := netip.ParseAddr(unsafe.String(&b[0], len(b)))
		if err != nil || a.Zone() != "" {
			return netip.Addr{}, false
		}
		return a, true
	}
	return netip.Addr{}, false
}

// text returns v as a string: byte arrays verbatim (interned), other
// physical types in their usual text form.
func (c *converter) text(v pq.Value) string {
	switch v.Kind() {
	case pq.ByteArray, pq.FixedLenByteArray:
		return c.intern.intern(v.ByteArray())
	case pq.Int32:
		return strconv.FormatInt(int64(v.Int32()), 10)
	case pq.Int64:
		return strconv.FormatInt(v.Int64(), 10)
	}
	return v.String()
}

// valueText renders v for error messages, truncated.
func valueText(v pq.Value) string {
	var s string
	if k := v.Kind(); k == pq.ByteArray || k == pq.FixedLenByteArray {
		s = string(v.ByteArray())
	} else {
		s = v.String()
	}
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return s
}

const snippetLen = 120

// rowSnippet renders the start of a row as "name=value ..." for error
// reports.
func rowSnippet(cols []column, row pq.Row) string {
	var b strings.Builder
	for _, v := range row {
		if b.Len() >= snippetLen {
			b.WriteString("…")
			break
		}
		i := v.Column()
		if i < 0 || i >= len(cols) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(cols[i].name)
		b.WriteByte('=')
		if v.IsNull() {
			b.WriteString("null")
		} else {
			b.WriteString(valueText(v))
		}
	}
	return b.String()
}

// interner returns one shared string per distinct byte sequence, so
// low-cardinality columns (account, interface, VPC ids) do not allocate per
// row. Past limit entries it starts afresh.
type interner struct {
	m     map[string]string
	limit int
}

func (in *interner) intern(b []byte) string {
	if s, ok := in.m[string(b)]; ok {
		return s
	}
	if len(in.m) >= in.limit {
		clear(in.m)
	}
	s := string(b)
	in.m[s] = s
	return s
}
