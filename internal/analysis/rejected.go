package analysis

import (
	"context"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
)

// RejectedOptions configures Rejected.
type RejectedOptions struct {
	// Options.Limit is the number of rows of each ranking (default 10).
	Options
	// Bucket is the width of the points of the time series (0: automatic).
	Bucket time.Duration
}

// RejectedSummary describes the traffic that security groups and network
// ACLs rejected.
type RejectedSummary struct {
	// All is every record of the range and filter; Rejected the rejected
	// ones.
	All, Rejected Counts
	// Internal, External and Unknown split the rejected traffic by source
	// address: internal (RFC 1918, RFC 6598, RFC 4193: see IsInternal),
	// external (any other address), or no source address.
	Internal, External, Unknown Counts
	// TopSources ranks source addresses and TopPorts destination ports by
	// rejected flows; their shares are of the rejected total.
	TopSources, TopPorts *TopResult
	// Series is the rejected traffic over time.
	Series *Series
	Plan   string
}

func (o *RejectedOptions) rejected() Options {
	return o.Options.with(store.Eq(flowlog.FieldAction, flowlog.ActionReject))
}

// Rejected summarizes rejected traffic: totals, internal versus external
// sources, top sources, top destination ports and rejections over time.
// Every query uses rollup dimensions only.
func Rejected(ctx context.Context, r store.Reader, opts RejectedOptions) (*RejectedSummary, error) {
	limit, err := opts.limit(DefaultLimit)
	if err != nil {
		return nil, err
	}
	rej := opts.rejected()
	rej.Limit = limit
	s := &RejectedSummary{}
	var ps [4]string
	if s.All, ps[0], err = total(ctx, r, "rejected traffic", &opts.Options); err != nil {
		return nil, err
	}
	if s.Rejected, ps[1], err = total(ctx, r, "rejected traffic", &rej); err != nil {
		return nil, err
	}
	internal := internalValues()
	if s.Internal, ps[2], err = total(ctx, r, "rejected traffic from internal sources", &rej,
		store.Cond{Field: flowlog.FieldSrcAddr, Op: store.OpInPrefix, Values: internal}); err != nil {
		return nil, err
	}
	if s.External, ps[3], err = total(ctx, r, "rejected traffic from external sources", &rej,
		store.Cond{Field: flowlog.FieldSrcAddr, Op: store.OpNotInPrefix, Values: internal}); err != nil {
		return nil, err
	}
	s.Unknown = Counts{
		Flows:   s.Rejected.Flows - s.Internal.Flows - s.External.Flows,
		Packets: s.Rejected.Packets - s.Internal.Packets - s.External.Packets,
		Bytes:   s.Rejected.Bytes - s.Internal.Bytes - s.External.Bytes,
	}
	if s.TopSources, err = top(ctx, r, TopOptions{Options: rej, By: BySource, Metric: MetricFlows}, &s.Rejected); err != nil {
		return nil, err
	}
	if s.TopPorts, err = top(ctx, r, TopOptions{Options: rej, By: ByDstPort, Metric: MetricFlows}, &s.Rejected); err != nil {
		return nil, err
	}
	if s.Series, err = TimeSeries(ctx, r, SeriesOptions{Options: rej, Bucket: opts.Bucket}); err != nil {
		return nil, err
	}
	s.Plan = plans(ps[0], ps[1], ps[2], ps[3], s.TopSources.Plan, s.TopPorts.Plan, s.Series.Plan)
	return s, nil
}

// Table returns the split of rejected traffic by source kind, with the
// total of all traffic for reference.
func (s *RejectedSummary) Table() *render.Table {
	t := &render.Table{Name: "rejected", Title: "Rejected traffic"}
	t.Columns = append([]render.Column{{Name: "traffic", Title: "traffic"}}, countColumns()...)
	t.Columns = append(t.Columns,
		render.Column{Name: "flows_share", Title: "% of rejected flows", Kind: render.KindPercent},
		render.Column{Name: "bytes_share", Title: "% of rejected bytes", Kind: render.KindPercent})
	add := func(name string, c Counts) {
		t.Rows = append(t.Rows, []any{name, c.Flows, c.Packets, c.Bytes,
			percent(c.Flows, s.Rejected.Flows), percent(c.Bytes, s.Rejected.Bytes)})
	}
	add("rejected", s.Rejected)
	add("from internal sources", s.Internal)
	add("from external sources", s.External)
	if s.Unknown != (Counts{}) {
		add("without source address", s.Unknown)
	}
	t.Rows = append(t.Rows, []any{"all traffic", s.All.Flows, s.All.Packets, s.All.Bytes, nil, nil})
	return t
}

// Tables returns the summary, the two rankings and the time series.
func (s *RejectedSummary) Tables() []*render.Table {
	src := s.TopSources.Table()
	src.Name, src.Title = "rejected_sources", "Top rejected sources (by flows)"
	ports := s.TopPorts.Table()
	ports.Name, ports.Title = "rejected_ports", "Top rejected destination ports (by flows)"
	series := s.Series.Table()
	series.Name, series.Title = "rejected_over_time", "Rejected traffic per "+formatBucket(s.Series.Bucket)
	return []*render.Table{s.Table(), src, ports, series}
}
