package analysis

import (
	"context"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
)

// SummaryTop is the number of rows of the rankings of a summary when
// Options.Limit is 0.
const SummaryTop = 5

// Summary is the overview `flowlens summary` prints.
type Summary struct {
	// Totals counts the records (flows), packets and bytes.
	Totals Counts
	// First is the earliest flow start and Last the latest flow end of the
	// records (zero without records).
	First, Last time.Time
	// Sources, Destinations and Interfaces are exact numbers of distinct
	// srcaddr, dstaddr and interface-id values.
	Sources, Destinations, Interfaces uint64
	// Breakdown is the accept/reject and log-status breakdown.
	Breakdown *Breakdown
	// TopTalkers ranks sources by bytes, TopPorts destination ports by
	// bytes, TopRejected sources of rejected traffic by flows.
	TopTalkers, TopPorts, TopRejected *TopResult
	Plan                              string
}

// Summarize computes the summary. opts.Limit is the number of rows of each
// ranking (default SummaryTop). Everything except the first and last times
// of a filtered or bounded selection comes from rollup dimensions; those
// read the start and end columns of raw records.
func Summarize(ctx context.Context, r store.Reader, opts Options) (*Summary, error) {
	limit, err := opts.limit(SummaryTop)
	if err != nil {
		return nil, err
	}
	opts.Limit = limit
	s := &Summary{}
	q := opts.query(nil)
	q.Measures = []store.Measure{store.Flows, store.Packets, store.Bytes,
		store.Distinct(flowlog.FieldSrcAddr), store.Distinct(flowlog.FieldDstAddr), store.Distinct(flowlog.FieldInterfaceID)}
	res, err := run(ctx, r, "summary", q)
	if err != nil {
		return nil, err
	}
	if len(res.Rows) > 0 {
		c, err := newCounter(res)
		if err != nil {
			return nil, err
		}
		row := res.Rows[0]
		s.Totals = c.counts(row)
		s.Sources = asUint(row[res.Col(q.Measures[3].Name())])
		s.Destinations = asUint(row[res.Col(q.Measures[4].Name())])
		s.Interfaces = asUint(row[res.Col(q.Measures[5].Name())])
	}
	timePlan, err := s.timeRange(ctx, r, &opts)
	if err != nil {
		return nil, err
	}
	if s.Breakdown, err = ActionBreakdown(ctx, r, opts); err != nil {
		return nil, err
	}
	if s.TopTalkers, err = top(ctx, r, TopOptions{Options: opts, By: BySource, Metric: MetricBytes}, &s.Totals); err != nil {
		return nil, err
	}
	if s.TopPorts, err = top(ctx, r, TopOptions{Options: opts, By: ByDstPort, Metric: MetricBytes}, &s.Totals); err != nil {
		return nil, err
	}
	rej := opts.with(store.Eq(flowlog.FieldAction, flowlog.ActionReject))
	rejTotal := s.Breakdown.Action(flowlog.ActionReject.String()).Counts
	if s.TopRejected, err = top(ctx, r, TopOptions{Options: rej, By: BySource, Metric: MetricFlows}, &rejTotal); err != nil {
		return nil, err
	}
	s.Plan = plans(res.Plan, timePlan, s.Breakdown.Plan, s.TopTalkers.Plan, s.TopPorts.Plan, s.TopRejected.Plan)
	return s, nil
}

// timeRange sets First and Last: from the store's own range when nothing
// narrows the selection, else from the raw records.
func (s *Summary) timeRange(ctx context.Context, r store.Reader, o *Options) (string, error) {
	if s.Totals.Flows == 0 {
		return "", nil
	}
	f := &o.Filter
	if o.Range == (store.TimeRange{}) && len(f.Conds) == 0 && f.SQL == "" {
		lo, hi, err := r.TimeRange(ctx)
		if err != nil {
			return "", err
		}
		s.First, s.Last = lo, hi
		return "", nil
	}
	q := o.query(nil)
	q.Measures = []store.Measure{
		{Kind: store.MeasureMin, Field: flowlog.FieldStart, As: "first"},
		{Kind: store.MeasureMax, Field: flowlog.FieldEnd, As: "last"},
	}
	res, err := run(ctx, r, "summary time range", q)
	if err != nil {
		return "", err
	}
	if len(res.Rows) > 0 {
		if v, ok := asInt(res.Rows[0][0]); ok {
			s.First = time.Unix(v, 0).UTC()
		}
		if v, ok := asInt(res.Rows[0][1]); ok {
			s.Last = time.Unix(v, 0).UTC()
		}
	}
	return res.Plan, nil
}

// Table returns the one-row overview (printed vertically in table mode).
func (s *Summary) Table() *render.Table {
	t := &render.Table{Name: "summary", Title: "Summary", Vertical: true}
	t.Columns = []render.Column{
		{Name: "records", Title: "Records (flows)", Kind: render.KindInt},
		{Name: "packets", Title: "Packets", Kind: render.KindInt},
		{Name: "bytes", Title: "Bytes", Kind: render.KindBytes},
		{Name: "first", Title: "First flow start", Kind: render.KindTime},
		{Name: "last", Title: "Last flow end", Kind: render.KindTime},
		{Name: "span", Title: "Span", Kind: render.KindDuration},
		{Name: "sources", Title: "Distinct sources", Kind: render.KindInt},
		{Name: "destinations", Title: "Distinct destinations", Kind: render.KindInt},
		{Name: "interfaces", Title: "Distinct interfaces", Kind: render.KindInt},
		{Name: "accepted_flows_share", Title: "Accepted flows", Kind: render.KindPercent},
		{Name: "rejected_flows_share", Title: "Rejected flows", Kind: render.KindPercent},
		{Name: "accepted_bytes_share", Title: "Accepted bytes", Kind: render.KindPercent},
		{Name: "rejected_bytes_share", Title: "Rejected bytes", Kind: render.KindPercent},
	}
	var span any
	if !s.First.IsZero() && !s.Last.IsZero() {
		span = s.Last.Sub(s.First)
	}
	acc := s.Breakdown.Action(flowlog.ActionAccept.String())
	rej := s.Breakdown.Action(flowlog.ActionReject.String())
	t.Rows = [][]any{{s.Totals.Flows, s.Totals.Packets, s.Totals.Bytes, s.First, s.Last, span,
		s.Sources, s.Destinations, s.Interfaces,
		acc.FlowsShare, rej.FlowsShare, acc.BytesShare, rej.BytesShare}}
	return t
}

// Tables returns the overview, the breakdowns and the three rankings.
func (s *Summary) Tables() []*render.Table {
	talkers := s.TopTalkers.Table()
	talkers.Name, talkers.Title = "top_talkers", "Top talkers (sources by bytes)"
	ports := s.TopPorts.Table()
	ports.Name, ports.Title = "top_ports", "Top destination ports (by bytes)"
	rej := s.TopRejected.Table()
	rej.Name, rej.Title = "top_rejected", "Top rejected sources (by flows)"
	return []*render.Table{s.Table(), s.Breakdown.Table(), s.Breakdown.StatusTable(), talkers, ports, rej}
}
