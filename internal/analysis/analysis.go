// Package analysis holds the analyses that the CLI, the HTTP API and the UI
// share: top-N rankings, breakdowns, time series, heat maps, the rejected
// traffic summary, the overall summary and the built-in reports (the saved
// queries of AWS's Athena integration and the CloudWatch Logs Insights
// samples).
//
// Every analysis is backend independent: it only issues structured
// store.Query values through a store.Reader (never SQL), so every store
// backend answers it, and the backend is free to answer from rollups. Each
// analysis takes an options struct embedding Options (time range, filter,
// limit, resolution) and returns a typed result with a Table (or Tables)
// method giving the render.Table values the CLI prints.
//
// Rankings are deterministic: rows are ordered by the ranked measure
// (descending), then by their key columns (ascending, addresses and IDs as
// text, ports and protocols as numbers), as the store orders them.
package analysis

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// Options are the knobs every analysis shares.
type Options struct {
	// Range selects records by flow start (Start <= start < End); a zero
	// side is open.
	Range store.TimeRange
	// Filter further selects records. Its Conds slice is never modified.
	Filter store.Filter
	// Limit caps the rows of rankings (0: the analysis' default). Analyses
	// without rankings ignore it.
	Limit int
	// Resolution forces the stored resolution (raw, 1m, 1h); the zero
	// value lets the store choose (rollups when they give the exact
	// answer). Tests force raw to check that rollups agree.
	Resolution store.Resolution
}

// DefaultLimit is the number of rows of a ranking when Options.Limit is 0.
const DefaultLimit = 10

func (o *Options) limit(def int) (int, error) {
	switch {
	case o.Limit < 0:
		return 0, fmt.Errorf("analysis: limit %d is negative: give a positive number of rows (or 0 for the default, %d)", o.Limit, def)
	case o.Limit == 0:
		return def, nil
	}
	return o.Limit, nil
}

// query returns a query over the options' range and filter with extra
// conditions. It never aliases o.Filter.Conds.
func (o *Options) query(dims []store.Dim, extra ...store.Cond) store.Query {
	f := o.Filter
	f.Conds = make([]store.Cond, 0, len(o.Filter.Conds)+len(extra))
	f.Conds = append(append(f.Conds, o.Filter.Conds...), extra...)
	return store.Query{Range: o.Range, Filter: f, GroupBy: dims, Resolution: o.Resolution}
}

// with returns a copy of o whose filter has extra conditions.
func (o Options) with(extra ...store.Cond) Options {
	conds := make([]store.Cond, 0, len(o.Filter.Conds)+len(extra))
	o.Filter.Conds = append(append(conds, o.Filter.Conds...), extra...)
	return o
}

// Metric is the measure a ranking orders by.
type Metric uint8

const (
	// MetricBytes ranks by the sum of bytes (the zero value, the default).
	MetricBytes Metric = iota
	// MetricPackets ranks by the sum of packets.
	MetricPackets
	// MetricFlows ranks by the number of records.
	MetricFlows
)

// Metrics returns the valid metrics.
func Metrics() []Metric { return []Metric{MetricBytes, MetricPackets, MetricFlows} }

// String returns "bytes", "packets" or "flows": the column name of the
// metric in every table.
func (m Metric) String() string {
	switch m {
	case MetricPackets:
		return "packets"
	case MetricFlows:
		return "flows"
	case MetricBytes:
		return "bytes"
	}
	return fmt.Sprintf("Metric(%d)", uint8(m))
}

// ParseMetric parses "bytes", "packets" or "flows" (also "records", an alias
// of flows), in any case; "" is bytes.
func ParseMetric(s string) (Metric, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "bytes", "":
		return MetricBytes, nil
	case "packets":
		return MetricPackets, nil
	case "flows", "records":
		return MetricFlows, nil
	}
	return 0, fmt.Errorf("unknown metric %q: use bytes, packets or flows", s)
}

func (m Metric) valid() error {
	if m > MetricFlows {
		return fmt.Errorf("analysis: unknown metric %d: use bytes, packets or flows", m)
	}
	return nil
}

// Counts are the three additive measures of a set of records.
type Counts struct {
	// Flows is the number of records.
	Flows   uint64 `json:"flows"`
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
}

// Get returns the measure m.
func (c Counts) Get(m Metric) uint64 {
	switch m {
	case MetricPackets:
		return c.Packets
	case MetricFlows:
		return c.Flows
	}
	return c.Bytes
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	c.Flows += o.Flows
	c.Packets += o.Packets
	c.Bytes += o.Bytes
}

// percent returns 100 * part / whole (0 when whole is 0).
func percent(part, whole uint64) float64 {
	if whole == 0 {
		return 0
	}
	return 100 * float64(part) / float64(whole)
}

// run runs q and names the analysis in errors.
func run(ctx context.Context, r store.Reader, what string, q store.Query) (*store.Result, error) {
	if r == nil {
		return nil, errors.New("analysis: no store: open one first")
	}
	res, err := r.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("analysis: %s: %w", what, err)
	}
	return res, nil
}

// counter reads Counts (and other columns) from the rows of a result.
type counter struct {
	res                   *store.Result
	flows, packets, bytes int
}

func newCounter(res *store.Result) (*counter, error) {
	c := &counter{res: res, flows: res.Col("flows"), packets: res.Col("packets"), bytes: res.Col("bytes")}
	if c.flows < 0 || c.packets < 0 || c.bytes < 0 {
		return nil, fmt.Errorf("analysis: the store returned no flows, packets or bytes column (columns %v)", res.Columns)
	}
	return c, nil
}

func (c *counter) counts(row []any) Counts {
	return Counts{Flows: asUint(row[c.flows]), Packets: asUint(row[c.packets]), Bytes: asUint(row[c.bytes])}
}

// total returns the counts of the records the options select plus extra
// conditions.
func total(ctx context.Context, r store.Reader, what string, o *Options, extra ...store.Cond) (Counts, string, error) {
	res, err := run(ctx, r, what, o.query(nil, extra...))
	if err != nil {
		return Counts{}, "", err
	}
	if len(res.Rows) == 0 {
		return Counts{}, res.Plan, nil
	}
	c, err := newCounter(res)
	if err != nil {
		return Counts{}, "", err
	}
	return c.counts(res.Rows[0]), res.Plan, nil
}

// asUint converts a result value to uint64 (nil and other types are 0).
func asUint(v any) uint64 {
	switch x := v.(type) {
	case uint64:
		return x
	case int64:
		if x >= 0 {
			return uint64(x)
		}
	}
	return 0
}

// asInt converts a result value to int64.
func asInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case uint64:
		return int64(x), true
	}
	return 0, false
}

// asString converts a result value to a string ("" for nil).
func asString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	return fmt.Sprint(v)
}

// plans joins the plans of several queries.
func plans(ps ...string) string {
	var out []string
	for _, p := range ps {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

// present returns conditions requiring every field to be present.
func present(fs ...flowlog.FieldID) []store.Cond {
	out := make([]store.Cond, len(fs))
	for i, f := range fs {
		out[i] = store.Cond{Field: f, Op: store.OpPresent}
	}
	return out
}

// dataRange returns the range of the options, with open sides closed by the
// stored data's range. ok is false when the store is empty and a side is
// open.
func dataRange(ctx context.Context, r store.Reader, tr store.TimeRange) (store.TimeRange, bool, error) {
	if !tr.Start.IsZero() && !tr.End.IsZero() {
		return tr, true, nil
	}
	lo, hi, err := r.TimeRange(ctx)
	if err != nil {
		return tr, false, fmt.Errorf("analysis: time range of the store: %w", err)
	}
	if lo.IsZero() && hi.IsZero() {
		return tr, false, nil
	}
	if tr.Start.IsZero() {
		tr.Start = lo
	}
	if tr.End.IsZero() {
		// Records start before hi; the range is half open.
		tr.End = hi.Add(time.Second)
	}
	return tr, true, nil
}
