package memory

import (
	"encoding/binary"
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// Dialect is the SQL dialect the in-memory store reports. The store never
// runs SQL: the dialect exists so that store.Build can validate queries and
// describe their result columns exactly as for the other backends, and so
// that callers that compile SQL for display get standard SQL over the
// documented schema.
type Dialect struct{}

var _ store.Dialect = Dialect{}

// Name returns "memory".
func (Dialect) Name() string { return "memory" }

// Quote quotes an identifier.
func (Dialect) Quote(ident string) string { return store.QuoteIdent(ident) }

// Table returns the table names of docs/STORE.md.
func (Dialect) Table(r store.Resolution, cube string) string { return store.TableName(r, cube) }

// Source returns the table.
func (d Dialect) Source(r store.Resolution, cube string, _ store.TimeRange) string {
	return d.Table(r, cube)
}

// TimeBucket returns the bucket start of an epoch-seconds column (weeks
// start on Mondays).
func (Dialect) TimeBucket(col string, step time.Duration) string {
	secs := int64(step / time.Second)
	if secs%(7*daySeconds) == 0 {
		return fmt.Sprintf("((%s - %d) / %d * %d + %d)", col, weekOffset, secs, secs, weekOffset)
	}
	return fmt.Sprintf("(%s / %d * %d)", col, secs, secs)
}

// HourOfDay returns the UTC hour of an epoch-seconds column.
func (Dialect) HourOfDay(col string) string { return fmt.Sprintf("((%s / 3600) %% 24)", col) }

// Weekday returns the UTC weekday (0 = Monday) of an epoch-seconds column.
func (Dialect) Weekday(col string) string { return fmt.Sprintf("(((%s / 86400) + 3) %% 7)", col) }

// PrefixKey returns the network of an address column as helper values.
func (d Dialect) PrefixKey(field flowlog.FieldID, bits4, bits6 int) [3]string {
	v4, hi, lo := store.AddrColumns(field.Column())
	return [3]string{sqlMask(d.Quote(v4), 32-bits4, 32), sqlMask(d.Quote(hi), 64-bits6, 64), sqlMask(d.Quote(lo), 128-bits6, 64)}
}

func sqlMask(col string, shift, width int) string {
	switch {
	case shift <= 0:
		return col
	case shift >= width:
		return "(" + col + " * 0)"
	}
	p := strconv.FormatUint(uint64(1)<<shift, 10)
	return "(" + col + " / " + p + " * " + p + ")"
}

// InPrefix returns a range predicate over the helper columns.
func (d Dialect) InPrefix(field flowlog.FieldID, p netip.Prefix) (string, []any) {
	m := newPrefixMatch(p)
	v4c, hic, loc := store.AddrColumns(field.Column())
	switch {
	case m.v4:
		return d.Quote(v4c) + " BETWEEN ? AND ?", []any{m.lo4, m.hi4}
	case m.hiOnly:
		return d.Quote(hic) + " BETWEEN ? AND ?", []any{m.fhi, m.lhi}
	}
	return "(" + d.Quote(hic) + " = ? AND " + d.Quote(loc) + " BETWEEN ? AND ?)", []any{m.fhi, m.flo, m.llo}
}

// ApproxDistinct returns an exact count: this store counts exactly.
func (Dialect) ApproxDistinct(expr string) string { return "count(DISTINCT " + expr + ")" }

// Uint casts to an unsigned 64-bit integer.
func (Dialect) Uint(expr string) string { return "CAST(" + expr + " AS UBIGINT)" }

// Limit returns LIMIT n.
func (Dialect) Limit(n int) string { return "LIMIT " + strconv.Itoa(n) }

// weekOffset is the epoch second of Monday 1970-01-05, so that week buckets
// start on Mondays.
const weekOffset = 4 * daySeconds

// prefixMatch is the range test a CIDR condition makes on the helper
// values of an address (store.AddrKey), as the embedded store's SQL does.
type prefixMatch struct {
	v4       bool // the prefix is IPv4: test [lo4, hi4] on IPv4 (and IPv4-mapped) addresses
	lo4, hi4 uint32
	hiOnly   bool // IPv6 prefix of at most 64 bits: test [fhi, lhi] on the high half
	fhi, lhi uint64
	flo, llo uint64 // longer IPv6 prefixes: high half = fhi, low half in [flo, llo]
}

func newPrefixMatch(p netip.Prefix) prefixMatch {
	p = p.Masked()
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	first, last := store.PrefixRange(p)
	if first.Is4() {
		f4, _, _, _ := store.AddrKey(first)
		l4, _, _, _ := store.AddrKey(last)
		return prefixMatch{v4: true, lo4: f4, hi4: l4}
	}
	fhi, flo := split128(first)
	lhi, llo := split128(last)
	return prefixMatch{hiOnly: p.Bits() <= 64, fhi: fhi, lhi: lhi, flo: flo, llo: llo}
}

func split128(a netip.Addr) (hi, lo uint64) {
	b := a.As16()
	return binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
}

// match reports whether an address with the given helper values is in the
// prefix.
func (m *prefixMatch) match(v4 uint32, hi, lo uint64, is4 bool) bool {
	switch {
	case m.v4:
		return is4 && v4 >= m.lo4 && v4 <= m.hi4
	case is4:
		return false
	case m.hiOnly:
		return hi >= m.fhi && hi <= m.lhi
	}
	return hi == m.fhi && lo >= m.flo && lo <= m.llo
}
