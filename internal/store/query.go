package store

import (
	"fmt"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// TimeRange selects records by flow start: Start <= start < End. A zero
// Start or End leaves that side open.
type TimeRange struct {
	Start, End time.Time
}

// Query is a structured analysis query: filter the records of a time range,
// group them by dimensions (and optionally by time bucket), and compute
// measures per group. The backend answers it from raw records or from
// rollups, whichever is cheapest among those that give the exact same answer.
type Query struct {
	Range  TimeRange
	Filter Filter
	// Bucket, when positive, groups by time bucket: the first output column
	// is "time" (the bucket start, a time.Time in UTC). Buckets are aligned
	// on multiples of Bucket since the Unix epoch (UTC days for 24h; weeks
	// of 7 days start on Monday).
	Bucket  time.Duration
	GroupBy []Dim
	// Measures default to Flows, Packets, Bytes when empty.
	Measures []Measure
	// OrderBy names output columns. Rows are then ordered by every group
	// column, so results are deterministic.
	OrderBy []Order
	// Limit caps the number of rows (0: no limit).
	Limit int
	// Unordered lets the backend return the rows in any order: a caller
	// that aggregates the rows further (the conversation graph reads
	// hundreds of thousands) saves the backend a sort. OrderBy and Limit
	// must then be empty.
	Unordered bool
	// Resolution forces a resolution; ResolutionAuto picks one.
	Resolution Resolution
}

// Filter selects records. Conds and SQL are AND-ed.
type Filter struct {
	Conds []Cond
	// SQL is an extra boolean expression over the columns of the flows view,
	// with '?' placeholders bound to Args (e.g. the output of the filter
	// pattern compiler).
	SQL  string
	Args []any
	// SQLFields lists the fields SQL references. When SQL is set and
	// SQLFields is nil, the query is answered from raw records only; when
	// every listed field is a rollup dimension, rollups can answer it.
	SQLFields []flowlog.FieldID
}

// Op is a condition operator.
type Op uint8

const (
	OpEq          Op = iota + 1 // field = value
	OpNe                        // field <> value (absent values do not match)
	OpIn                        // field IN (values...)
	OpNotIn                     // field NOT IN (values...)
	OpLt                        // field < value
	OpLe                        // field <= value
	OpGt                        // field > value
	OpGe                        // field >= value
	OpInPrefix                  // address field in any of the netip.Prefix values
	OpNotInPrefix               // address field present and in none of the prefixes
	OpPresent                   // field is present
	OpAbsent                    // field is absent ('-' in the input)
)

// Cond is one field predicate. Values are strings, integers, netip.Addr,
// netip.Prefix or flowlog enums (Action, LogStatus, TrafficType,
// FlowDirection), as fits the field.
type Cond struct {
	Field  flowlog.FieldID
	Op     Op
	Values []any
}

// Eq returns the condition field = v.
func Eq(f flowlog.FieldID, v any) Cond { return Cond{Field: f, Op: OpEq, Values: []any{v}} }

// In returns the condition field IN (vs...).
func In(f flowlog.FieldID, vs ...any) Cond { return Cond{Field: f, Op: OpIn, Values: vs} }

// InPrefix returns the condition "address field in any of ps".
func InPrefix(f flowlog.FieldID, ps ...any) Cond { return Cond{Field: f, Op: OpInPrefix, Values: ps} }

// DimKind is the kind of a grouping dimension.
type DimKind uint8

const (
	DimField     DimKind = iota // the field's value
	DimPrefix                   // the network of an address field (Bits4 / Bits6)
	DimHourOfDay                // hour of day of the flow start, 0-23 UTC
	DimWeekday                  // weekday of the flow start, 0 = Monday ... 6 = Sunday
	DimBelow                    // the field's value when below Limit, else absent
	DimService                  // the port (srcport or dstport) when its end serves, else absent
)

// Dim is a grouping dimension.
type Dim struct {
	Kind  DimKind
	Field flowlog.FieldID
	// Bits4 and Bits6 are the prefix lengths of DimPrefix for IPv4 and IPv6.
	Bits4, Bits6 int
	// Limit is the bound of DimBelow: values at or above it group as
	// absent; for DimService, the first ephemeral port.
	Limit uint64
	// As names the output column (default: see Name).
	As string
}

// FieldDim groups by the value of a field.
func FieldDim(f flowlog.FieldID) Dim { return Dim{Kind: DimField, Field: f} }

// PrefixDim groups by the network of an address field.
func PrefixDim(f flowlog.FieldID, bits4, bits6 int) Dim {
	return Dim{Kind: DimPrefix, Field: f, Bits4: bits4, Bits6: bits6}
}

// BelowDim groups by the value of an unsigned numeric field (a port, the
// protocol, packets, bytes...) when it is below limit; larger values group
// with the records where the field is absent (a NULL key). One query then
// keeps the values that matter (service ports below the ephemeral range)
// and folds the rest, where a filter per range would scan the records once
// per range. Its output column is named after the field, like FieldDim's,
// and a rollup having the field answers it.
func BelowDim(f flowlog.FieldID, limit uint64) Dim {
	return Dim{Kind: DimBelow, Field: f, Limit: limit}
}

// DefaultEphemeralFrom is the first port of the ephemeral range (Linux's
// default): the graph cube stores the service ports of this range.
const DefaultEphemeralFrom = 32768

// ServiceDim groups by the port of one end of the flow (f is FieldSrcPort
// or FieldDstPort) when that end serves, by the rule of
// flowlog.ServiceSide with ephemeral ports from ephemeralFrom; otherwise
// the port groups as absent. Grouping by both ends keeps one row per
// service port of a conversation, where grouping by both ports would keep
// one per client port too. Its output column is named after the field, and
// the graph cube answers it for DefaultEphemeralFrom.
func ServiceDim(f flowlog.FieldID, ephemeralFrom uint16) Dim {
	return Dim{Kind: DimService, Field: f, Limit: uint64(ephemeralFrom)}
}

// ServiceColumn names the column of a cube holding the service port of
// the end of f (see ServiceDim).
func ServiceColumn(f flowlog.FieldID) string { return "service_" + f.Column() }

// HourOfDay groups by the UTC hour of day of the flow start.
func HourOfDay() Dim { return Dim{Kind: DimHourOfDay, Field: flowlog.FieldStart} }

// Weekday groups by the UTC weekday of the flow start (0 = Monday).
func Weekday() Dim { return Dim{Kind: DimWeekday, Field: flowlog.FieldStart} }

// Name returns the output column name.
func (d Dim) Name() string {
	if d.As != "" {
		return d.As
	}
	switch d.Kind {
	case DimPrefix:
		return d.Field.Column() + "_net"
	case DimHourOfDay:
		return "hour"
	case DimWeekday:
		return "weekday"
	}
	return d.Field.Column()
}

// MeasureKind is the kind of a measure.
type MeasureKind uint8

const (
	MeasureFlows          MeasureKind = iota + 1 // number of records
	MeasurePackets                               // sum of packets
	MeasureBytes                                 // sum of bytes
	MeasureSum                                   // sum of a numeric field
	MeasureDistinct                              // exact number of distinct values of a field
	MeasureApproxDistinct                        // approximate number of distinct values
	MeasureMin                                   // smallest value of a field
	MeasureMax                                   // largest value of a field
)

// Measure is an aggregate computed per group.
type Measure struct {
	Kind  MeasureKind
	Field flowlog.FieldID
	As    string
}

// Common measures.
var (
	Flows   = Measure{Kind: MeasureFlows}
	Packets = Measure{Kind: MeasurePackets}
	Bytes   = Measure{Kind: MeasureBytes}
)

// Distinct counts the distinct values of f.
func Distinct(f flowlog.FieldID) Measure { return Measure{Kind: MeasureDistinct, Field: f} }

// Name returns the output column name.
func (m Measure) Name() string {
	if m.As != "" {
		return m.As
	}
	switch m.Kind {
	case MeasureFlows:
		return "flows"
	case MeasurePackets:
		return "packets"
	case MeasureBytes:
		return "bytes"
	case MeasureSum:
		return "sum_" + m.Field.Column()
	case MeasureDistinct:
		return "distinct_" + m.Field.Column()
	case MeasureApproxDistinct:
		return "approx_distinct_" + m.Field.Column()
	case MeasureMin:
		return "min_" + m.Field.Column()
	case MeasureMax:
		return "max_" + m.Field.Column()
	}
	return fmt.Sprintf("measure%d", m.Kind)
}

// Order orders the output by a column.
type Order struct {
	Column string
	Desc   bool
}

// Resolution is a stored resolution.
type Resolution uint8

const (
	ResolutionAuto   Resolution = iota // let the backend choose
	ResolutionRaw                      // raw records
	ResolutionMinute                   // per-minute rollup
	ResolutionHour                     // per-hour rollup
)

// Step returns the bucket width of the resolution (0 for raw).
func (r Resolution) Step() time.Duration {
	switch r {
	case ResolutionMinute:
		return time.Minute
	case ResolutionHour:
		return time.Hour
	}
	return 0
}

func (r Resolution) String() string {
	switch r {
	case ResolutionRaw:
		return "raw"
	case ResolutionMinute:
		return "1m"
	case ResolutionHour:
		return "1h"
	}
	return "auto"
}

// ColumnType is the type of a result column.
type ColumnType uint8

const (
	TypeString ColumnType = iota + 1 // string
	TypeUint                         // uint64
	TypeInt                          // int64
	TypeFloat                        // float64
	TypeTime                         // time.Time (UTC)
	TypeBool                         // bool
	TypeOther                        // anything else, as the driver returns it
)

// Column describes a result column.
type Column struct {
	Name string
	Type ColumnType
}

// Result is a table of values. Values are nil (SQL NULL, an absent field) or
// of the Go type of the column's Type.
type Result struct {
	Columns []Column
	Rows    [][]any
	// Plan says which data answered a structured query, e.g.
	// "1h[2024-05-01T01:00Z,2024-05-01T05:00Z)+1m+raw".
	Plan string
	// Truncated is set when SQL returned more rows than the backend's cap.
	Truncated bool
	Elapsed   time.Duration
}

// Col returns the index of the named column, or -1.
func (r *Result) Col(name string) int {
	for i, c := range r.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}
