package analysis

import (
	"context"
	"sort"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
)

// ActionRow is the traffic of one action.
type ActionRow struct {
	// Action is "ACCEPT", "REJECT", or "" for records without an action
	// (NODATA and SKIPDATA records).
	Action string
	Counts
	// Shares are percentages of Breakdown.Total.
	FlowsShare, PacketsShare, BytesShare float64
}

// StatusRow counts the records of one log-status.
type StatusRow struct {
	// Status is "OK", "NODATA", "SKIPDATA", or "" when absent.
	Status string
	Counts
	// Share is the percentage of all records.
	Share float64
}

// Breakdown is the accept/reject breakdown and the log-status counts.
type Breakdown struct {
	Total Counts
	// Actions always holds ACCEPT and REJECT (possibly zero), then records
	// without an action when there are any.
	Actions []ActionRow
	// Statuses always holds OK, NODATA and SKIPDATA, then records without a
	// log-status when there are any.
	Statuses []StatusRow
	Plan     string
}

// Action returns the row of action a ("ACCEPT", "REJECT" or "").
func (b *Breakdown) Action(a string) ActionRow {
	for _, r := range b.Actions {
		if r.Action == a {
			return r
		}
	}
	return ActionRow{Action: a}
}

// Status returns the row of status s ("OK", "NODATA", "SKIPDATA" or "").
func (b *Breakdown) Status(s string) StatusRow {
	for _, r := range b.Statuses {
		if r.Status == s {
			return r
		}
	}
	return StatusRow{Status: s}
}

// ActionBreakdown counts flows, packets and bytes per action and records per
// log-status, in one query (answered by rollups when possible).
func ActionBreakdown(ctx context.Context, r store.Reader, opts Options) (*Breakdown, error) {
	q := opts.query([]store.Dim{store.FieldDim(flowlog.FieldAction), store.FieldDim(flowlog.FieldLogStatus)})
	res, err := run(ctx, r, "accept/reject breakdown", q)
	if err != nil {
		return nil, err
	}
	c, err := newCounter(res)
	if err != nil {
		return nil, err
	}
	ai, si := res.Col(flowlog.FieldAction.Column()), res.Col(flowlog.FieldLogStatus.Column())
	actions := map[string]Counts{}
	statuses := map[string]Counts{}
	b := &Breakdown{Plan: res.Plan}
	for _, row := range res.Rows {
		n := c.counts(row)
		b.Total.Add(n)
		a, s := asString(row[ai]), asString(row[si])
		x := actions[a]
		x.Add(n)
		actions[a] = x
		y := statuses[s]
		y.Add(n)
		statuses[s] = y
	}
	for _, a := range orderedKeys(actions, flowlog.ActionAccept.String(), flowlog.ActionReject.String()) {
		n := actions[a]
		b.Actions = append(b.Actions, ActionRow{Action: a, Counts: n,
			FlowsShare:   percent(n.Flows, b.Total.Flows),
			PacketsShare: percent(n.Packets, b.Total.Packets),
			BytesShare:   percent(n.Bytes, b.Total.Bytes)})
	}
	for _, s := range orderedKeys(statuses, flowlog.StatusOK.String(), flowlog.StatusNoData.String(), flowlog.StatusSkipData.String()) {
		n := statuses[s]
		b.Statuses = append(b.Statuses, StatusRow{Status: s, Counts: n, Share: percent(n.Flows, b.Total.Flows)})
	}
	return b, nil
}

// orderedKeys returns the fixed keys, then the other non-empty keys sorted,
// then "" (absent) when present.
func orderedKeys(m map[string]Counts, fixed ...string) []string {
	out := append([]string(nil), fixed...)
	var rest []string
	for k := range m {
		known := k == ""
		for _, f := range fixed {
			known = known || k == f
		}
		if !known {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	out = append(out, rest...)
	if _, ok := m[""]; ok {
		out = append(out, "")
	}
	return out
}

// Table returns the per-action table.
func (b *Breakdown) Table() *render.Table {
	t := &render.Table{Name: "actions", Title: "Accepted and rejected traffic"}
	t.Columns = append([]render.Column{{Name: "action", Title: "action"}}, countColumns()...)
	t.Columns = append(t.Columns,
		render.Column{Name: "flows_share", Title: "% flows", Kind: render.KindPercent},
		render.Column{Name: "packets_share", Title: "% packets", Kind: render.KindPercent},
		render.Column{Name: "bytes_share", Title: "% bytes", Kind: render.KindPercent})
	for _, a := range b.Actions {
		t.Rows = append(t.Rows, []any{nilIfEmpty(a.Action), a.Flows, a.Packets, a.Bytes, a.FlowsShare, a.PacketsShare, a.BytesShare})
	}
	return t
}

// StatusTable returns the per-log-status table.
func (b *Breakdown) StatusTable() *render.Table {
	t := &render.Table{Name: "log_status", Title: "Records by log status"}
	t.Columns = []render.Column{
		{Name: "log_status", Title: "log-status"},
		{Name: "records", Title: "Records", Kind: render.KindInt},
		{Name: "share", Title: "% records", Kind: render.KindPercent},
	}
	for _, s := range b.Statuses {
		t.Rows = append(t.Rows, []any{nilIfEmpty(s.Status), s.Flows, s.Share})
	}
	return t
}

// Tables returns the per-action and the per-log-status tables.
func (b *Breakdown) Tables() []*render.Table { return []*render.Table{b.Table(), b.StatusTable()} }
