package analysis

import (
	"cmp"
	"context"
	"net/netip"
	"slices"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
)

// The building blocks of the reports.

// topTable ranks a dimension over the report's options plus conds.
func (x *reportRun) topTable(ctx context.Context, by Dimension, m Metric, conds ...store.Cond) (*render.Table, error) {
	res, err := Top(ctx, x.r, TopOptions{Options: x.opts.with(conds...), By: by, Metric: m})
	if err != nil {
		return nil, err
	}
	t := res.Table()
	t.Name, t.Title = x.tableName(""), x.def.Title
	return t, nil
}

// totalsTable counts the records selected by the union of disjoint parts
// (one part: plain conditions) in a one-row table.
func (x *reportRun) totalsTable(ctx context.Context, parts ...[]store.Cond) (*render.Table, Counts, error) {
	var sum Counts
	for _, part := range parts {
		c, _, err := total(ctx, x.r, x.def.Name, &x.opts, part...)
		if err != nil {
			return nil, Counts{}, err
		}
		sum.Add(c)
	}
	t := &render.Table{Name: x.tableName("totals"), Title: x.def.Title + ": totals", Vertical: true}
	t.Columns = countColumns()
	t.Rows = [][]any{{sum.Flows, sum.Packets, sum.Bytes}}
	return t, sum, nil
}

// unionTop ranks a dimension over the union of disjoint parts; shares are
// of total.
func (x *reportRun) unionTop(ctx context.Context, by Dimension, m Metric, parts [][]store.Cond, total Counts) (*render.Table, error) {
	spec, err := by.spec()
	if err != nil {
		return nil, err
	}
	dims := make([]store.Dim, len(spec.fields))
	for i, f := range spec.fields {
		dims[i] = store.FieldDim(f)
	}
	keyed := make([][]store.Cond, len(parts))
	for i, p := range parts {
		keyed[i] = append(append([]store.Cond(nil), p...), present(spec.fields...)...)
	}
	groups, _, err := unionGroups(ctx, x.r, x.def.Name, &x.opts, dims, keyed, &m, x.opts.Limit)
	if err != nil {
		return nil, err
	}
	rows := make([]TopRow, len(groups))
	for i, g := range groups {
		rows[i].Counts = g.Counts
		for j, f := range spec.fields {
			setKey(&rows[i], f, g.keys[j])
		}
		if by == ByDstPort || by == BySrcPort {
			rows[i].Service = flowlog.ServiceName(rows[i].Port, rows[i].Protocol)
		}
	}
	res := &TopResult{By: by, Metric: m, Total: total, Rows: finishRows(rows, m, total), Title: x.def.Title}
	t := res.Table()
	t.Name = x.tableName("")
	return t, nil
}

// familyCond selects records whose source address is IPv4 (or IPv6).
func familyCond(v6 bool) store.Cond {
	p := netip.MustParsePrefix("0.0.0.0/0")
	if v6 {
		p = netip.MustParsePrefix("::/0")
	}
	return store.InPrefix(flowlog.FieldSrcAddr, p)
}

// runAdminPorts ranks the addresses, as source or destination, of the
// records whose source or destination port is an administrative port: an
// address's traffic is the sum of its traffic as a source and as a
// destination (as the Athena query's UNION ALL of srcaddr and dstaddr).
func runAdminPorts(ctx context.Context, x *reportRun) ([]*render.Table, error) {
	ports, err := x.ports("ports")
	if err != nil {
		return nil, err
	}
	parts := portsEither(ports)
	merged := map[string]Counts{}
	for _, f := range []flowlog.FieldID{flowlog.FieldSrcAddr, flowlog.FieldDstAddr} {
		keyed := make([][]store.Cond, len(parts))
		for i, p := range parts {
			keyed[i] = append(append([]store.Cond(nil), p...), present(f)...)
		}
		groups, _, err := unionGroups(ctx, x.r, x.def.Name, &x.opts, []store.Dim{store.FieldDim(f)}, keyed, nil, 0)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			k := asString(g.keys[0])
			c := merged[k]
			c.Add(g.Counts)
			merged[k] = c
		}
	}
	type row struct {
		addr string
		Counts
	}
	rows := make([]row, 0, len(merged))
	for k, c := range merged {
		rows = append(rows, row{k, c})
	}
	slices.SortFunc(rows, func(a, b row) int {
		if c := cmp.Compare(b.Bytes, a.Bytes); c != 0 {
			return c
		}
		return cmp.Compare(a.addr, b.addr)
	})
	if len(rows) > x.opts.Limit {
		rows = rows[:x.opts.Limit]
	}
	t := &render.Table{Name: x.tableName(""), Title: x.def.Title}
	t.Columns = append([]render.Column{{Name: "rank", Title: "#", Kind: render.KindID}, {Name: "address", Title: "address"}}, countColumns()...)
	for i, r := range rows {
		t.Rows = append(t.Rows, []any{i + 1, r.addr, r.Flows, r.Packets, r.Bytes})
	}
	return []*render.Table{t}, nil
}

// runByteStats is the CloudWatch sample "avg, min and max byte transfers by
// source and destination": per pair, the records, the total, average,
// smallest and largest bytes of a record, ranked by total bytes.
func runByteStats(ctx context.Context, x *reportRun) ([]*render.Table, error) {
	dims := []store.Dim{store.FieldDim(flowlog.FieldSrcAddr), store.FieldDim(flowlog.FieldDstAddr)}
	q := x.opts.query(dims, present(flowlog.FieldSrcAddr, flowlog.FieldDstAddr, flowlog.FieldBytes)...)
	q.Measures = []store.Measure{store.Flows, store.Bytes,
		{Kind: store.MeasureMin, Field: flowlog.FieldBytes, As: "min_bytes"},
		{Kind: store.MeasureMax, Field: flowlog.FieldBytes, As: "max_bytes"}}
	q.OrderBy = []store.Order{{Column: "bytes", Desc: true}}
	q.Limit = x.opts.Limit
	res, err := run(ctx, x.r, x.def.Name, q)
	if err != nil {
		return nil, err
	}
	t := &render.Table{Name: x.tableName(""), Title: x.def.Title}
	t.Columns = []render.Column{
		{Name: "rank", Title: "#", Kind: render.KindID},
		{Name: "srcaddr", Title: "srcaddr"}, {Name: "dstaddr", Title: "dstaddr"},
		{Name: "flows", Title: "Flows", Kind: render.KindInt},
		{Name: "bytes", Title: "Bytes", Kind: render.KindBytes},
		{Name: "avg_bytes", Title: "avg(bytes)", Kind: render.KindFloat},
		{Name: "min_bytes", Title: "min(bytes)", Kind: render.KindBytes},
		{Name: "max_bytes", Title: "max(bytes)", Kind: render.KindBytes},
	}
	col := func(n string) int { return res.Col(n) }
	for i, row := range res.Rows {
		flows, bytes := asUint(row[col("flows")]), asUint(row[col("bytes")])
		var avg float64
		if flows > 0 {
			avg = float64(bytes) / float64(flows)
		}
		t.Rows = append(t.Rows, []any{i + 1, asString(row[col("srcaddr")]), asString(row[col("dstaddr")]),
			flows, bytes, avg, asUint(row[col("min_bytes")]), asUint(row[col("max_bytes")])})
	}
	return []*render.Table{t}, nil
}

// runSkipData is the CloudWatch sample counting SKIPDATA records per hour:
// only the hours that have some, oldest first.
func runSkipData(ctx context.Context, x *reportRun) ([]*render.Table, error) {
	o := x.opts.with(store.Eq(flowlog.FieldLogStatus, flowlog.StatusSkipData))
	s, err := TimeSeries(ctx, x.r, SeriesOptions{Options: o, Bucket: time.Hour})
	if err != nil {
		return nil, err
	}
	t := &render.Table{Name: x.tableName(""), Title: x.def.Title}
	t.Columns = []render.Column{{Name: "hour", Title: "hour", Kind: render.KindTime}, {Name: "records", Title: "SKIPDATA records", Kind: render.KindInt}}
	for _, p := range s.Points {
		if p.Flows > 0 {
			t.Rows = append(t.Rows, []any{p.Time, p.Flows})
		}
	}
	return []*render.Table{t}, nil
}
