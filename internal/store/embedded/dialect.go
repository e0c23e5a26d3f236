package embedded

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// Dialect is the DuckDB SQL dialect. It is the only place generating
// DuckDB-specific SQL for structured queries.
type Dialect struct{}

var _ store.Dialect = Dialect{}

// Name returns "duckdb".
func (Dialect) Name() string { return "duckdb" }

// Quote quotes an identifier.
func (Dialect) Quote(ident string) string { return store.QuoteIdent(ident) }

// Table returns flows (raw records), flows_1m and flows_1h (full cube),
// flows_1m_<cube> and flows_1h_<cube>.
func (Dialect) Table(r store.Resolution, cube string) string { return store.TableName(r, cube) }

// Source returns the view of the table (see Store.Query for time pruning).
func (d Dialect) Source(r store.Resolution, cube string, _ store.TimeRange) string {
	return d.Table(r, cube)
}

// weekOffset is the epoch second of Monday 1970-01-05, so that week buckets
// start on Mondays.
const weekOffset = 4 * 86400

// TimeBucket returns the bucket start of an epoch-seconds column.
func (Dialect) TimeBucket(col string, step time.Duration) string {
	secs := int64(step / time.Second)
	if secs%(7*86400) == 0 {
		return fmt.Sprintf("((%s - %d) // %d * %d + %d)", col, weekOffset, secs, secs, weekOffset)
	}
	return fmt.Sprintf("(%s // %d * %d)", col, secs, secs)
}

// HourOfDay returns the UTC hour of an epoch-seconds column.
func (Dialect) HourOfDay(col string) string { return fmt.Sprintf("((%s // 3600) %% 24)", col) }

// Weekday returns the UTC weekday (0 = Monday) of an epoch-seconds column.
func (Dialect) Weekday(col string) string { return fmt.Sprintf("(((%s // 86400) + 3) %% 7)", col) }

// mask clears the low shift bits of col (width bits wide), keeping NULLs.
func mask(col string, shift, width int) string {
	switch {
	case shift <= 0:
		return col
	case shift >= width:
		return "(" + col + " * 0)"
	}
	p := strconv.FormatUint(uint64(1)<<shift, 10)
	return "(" + col + " // " + p + " * " + p + ")"
}

// PrefixKey returns the network of an address column as helper values.
func (d Dialect) PrefixKey(field flowlog.FieldID, bits4, bits6 int) [3]string {
	v4, hi, lo := store.AddrColumns(field.Column())
	v4, hi, lo = d.Quote(v4), d.Quote(hi), d.Quote(lo)
	return [3]string{mask(v4, 32-bits4, 32), mask(hi, 64-bits6, 64), mask(lo, 128-bits6, 64)}
}

// InPrefix returns a range predicate over the helper columns.
func (d Dialect) InPrefix(field flowlog.FieldID, p netip.Prefix) (string, []any) {
	p = p.Masked()
	if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
		p = netip.PrefixFrom(a.Unmap(), p.Bits()-96)
	}
	v4c, hic, loc := store.AddrColumns(field.Column())
	first, last := store.PrefixRange(p)
	if first.Is4() {
		f4, _, _, _ := store.AddrKey(first)
		l4, _, _, _ := store.AddrKey(last)
		return d.Quote(v4c) + " BETWEEN ? AND ?", []any{f4, l4}
	}
	fhi, flo := split128(first)
	lhi, llo := split128(last)
	if p.Bits() <= 64 {
		return d.Quote(hic) + " BETWEEN ? AND ?", []any{fhi, lhi}
	}
	return "(" + d.Quote(hic) + " = ? AND " + d.Quote(loc) + " BETWEEN ? AND ?)", []any{fhi, flo, llo}
}

// ApproxDistinct returns DuckDB's HyperLogLog count.
func (Dialect) ApproxDistinct(expr string) string { return "approx_count_distinct(" + expr + ")" }

// Uint casts to UBIGINT.
func (Dialect) Uint(expr string) string { return "CAST(" + expr + " AS UBIGINT)" }

// Limit returns LIMIT n.
func (Dialect) Limit(n int) string { return "LIMIT " + strconv.Itoa(n) }

func split128(a netip.Addr) (hi, lo uint64) {
	b := a.As16()
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(b[i])
		lo = lo<<8 | uint64(b[8+i])
	}
	return hi, lo
}
