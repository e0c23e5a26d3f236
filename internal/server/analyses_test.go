package server

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/filterpattern"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/where"
)

// opts builds analysis options the way the CLI does from its flags.
func opts(t *testing.T, from, to time.Time, whereExpr string, limit int) analysis.Options {
	t.Helper()
	f, err := where.Parse(whereExpr)
	if err != nil {
		t.Fatal(err)
	}
	return analysis.Options{Range: store.TimeRange{Start: from, End: to}, Filter: f, Limit: limit}
}

func TestAnalysesMatchThePackage(t *testing.T) {
	fx := getFixture(t)
	h := newServer(t, nil).Handler()
	ctx := context.Background()
	from, to := t0.Add(17*time.Minute+30*time.Second), t0.Add(3*time.Hour+5*time.Minute)
	rng := "&from=" + from.Format(time.RFC3339) + "&to=" + to.Format(time.RFC3339)

	t.Run("summary", func(t *testing.T) {
		f := func(query string, o analysis.Options) {
			t.Helper()
			if o.Limit == 0 {
				o.Limit = analysis.SummaryTop
			}
			sum, err := analysis.Summarize(ctx, fx.store, o)
			if err != nil {
				t.Fatal(err)
			}
			wantTables(t, get(t, h, "/api/v1/summary?"+query), sum.Tables())
		}
		f("", opts(t, time.Time{}, time.Time{}, "", 0))
		f("limit=3&where=action=REJECT"+rng, opts(t, from, to, "action=REJECT", 3))
		f("since=90m", opts(t, t0.Add(span-90*time.Minute), time.Time{}, "", 0))
	})

	t.Run("top", func(t *testing.T) {
		f := func(query string, by analysis.Dimension, m analysis.Metric, o analysis.Options) {
			t.Helper()
			res, err := analysis.Top(ctx, fx.store, analysis.TopOptions{Options: o, By: by, Metric: m})
			if err != nil {
				t.Fatal(err)
			}
			got := wantTables(t, get(t, h, "/api/v1/top?"+query), []*render.Table{res.Table()})
			var total analysis.Counts
			if err := json.Unmarshal(got.Total, &total); err != nil || total != res.Total {
				t.Errorf("total %s, want %+v", got.Total, res.Total)
			}
		}
		f("", analysis.BySource, analysis.MetricBytes, opts(t, time.Time{}, time.Time{}, "", 0))
		f("by=dstport&metric=flows&limit=3&where=action=REJECT", analysis.ByDstPort, analysis.MetricFlows, opts(t, time.Time{}, time.Time{}, "action=REJECT", 3))
		f("by=pair&metric=packets"+rng, analysis.ByPair, analysis.MetricPackets, opts(t, from, to, "", 0))
		f("by=subnet&limit=20&where=srcaddr=10.0.0.0/8", analysis.BySubnet, analysis.MetricBytes, opts(t, time.Time{}, time.Time{}, "srcaddr=10.0.0.0/8", 20))
		f("by=eni&metric=records&where=dstport=22|443,protocol=6", analysis.ByInterface, analysis.MetricFlows, opts(t, time.Time{}, time.Time{}, "dstport=22|443,protocol=6", 0))
	})

	t.Run("breakdown", func(t *testing.T) {
		b, err := analysis.ActionBreakdown(ctx, fx.store, opts(t, from, to, "", 0))
		if err != nil {
			t.Fatal(err)
		}
		wantTables(t, get(t, h, "/api/v1/breakdown?"+rng[1:]), b.Tables())
		// Against the records themselves.
		want := fx.count(from.Add(time.Second-1).Truncate(time.Second), to, func(r *flowlog.Record) bool {
			return r.Has(flowlog.FieldAction) && r.Action == flowlog.ActionReject
		})
		if got := b.Action("REJECT").Flows; got != uint64(want) || want == 0 {
			t.Errorf("rejected flows %d, want %d (records)", got, want)
		}
	})

	t.Run("heatmap", func(t *testing.T) {
		hm, err := analysis.HeatMapOf(ctx, fx.store, analysis.HeatMapOptions{Options: opts(t, time.Time{}, time.Time{}, "protocol=17", 0), Metric: analysis.MetricFlows})
		if err != nil {
			t.Fatal(err)
		}
		wantTables(t, get(t, h, "/api/v1/heatmap?metric=flows&where=protocol=17"), []*render.Table{hm.Table()})
	})

	t.Run("rejected", func(t *testing.T) {
		o := opts(t, from, to, "", 4)
		res, err := analysis.Rejected(ctx, fx.store, analysis.RejectedOptions{Options: o, Bucket: 15 * time.Minute})
		if err != nil {
			t.Fatal(err)
		}
		got := wantTables(t, get(t, h, "/api/v1/rejected?bucket=15m&limit=4"+rng), res.Tables())
		if got.Bucket != "15m" || got.BucketSeconds != 900 {
			t.Errorf("bucket %q (%d s), want 15m", got.Bucket, got.BucketSeconds)
		}
	})
}

func TestTimeSeries(t *testing.T) {
	fx := getFixture(t)
	h := newServer(t, nil).Handler()
	ctx := context.Background()
	f := func(query string, bucket time.Duration, o analysis.Options, wantBucket string) {
		t.Helper()
		all, err := analysis.TimeSeries(ctx, fx.store, analysis.SeriesOptions{Options: o, Bucket: bucket})
		if err != nil {
			t.Fatal(err)
		}
		rej := o
		rej.Filter.Conds = append(append([]store.Cond(nil), o.Filter.Conds...), store.Eq(flowlog.FieldAction, flowlog.ActionReject))
		rej.Range = all.Range
		rs, err := analysis.TimeSeries(ctx, fx.store, analysis.SeriesOptions{Options: rej, Bucket: all.Bucket})
		if err != nil {
			t.Fatal(err)
		}
		rt := rs.Table()
		rt.Name, rt.Title = "rejected_time_series", "Rejected traffic per "+wantBucket
		got := wantTables(t, get(t, h, "/api/v1/timeseries?"+query), []*render.Table{all.Table(), rt})
		if got.Bucket != wantBucket || got.BucketSeconds != int64(all.Bucket/time.Second) {
			t.Errorf("bucket %q (%d s), want %s", got.Bucket, got.BucketSeconds, wantBucket)
		}
		// The rejected points add up to the rejected records.
		b, err := analysis.ActionBreakdown(ctx, fx.store, o)
		if err != nil {
			t.Fatal(err)
		}
		if rs.Total() != b.Action("REJECT").Counts || all.Total().Flows == 0 {
			t.Errorf("rejected series total %+v, breakdown %+v", rs.Total(), b.Action("REJECT").Counts)
		}
	}
	f("bucket=5m&from=2026-01-05T10:00:00Z&to=2026-01-05T12:00:00Z", 5*time.Minute,
		opts(t, t0.Add(time.Hour), t0.Add(3*time.Hour), "", 0), "5m")
	f("", 0, opts(t, time.Time{}, time.Time{}, "", 0), "1m") // 4 h: 240 points of 1 minute
	f("bucket=auto&where=dstport=443", 0, opts(t, time.Time{}, time.Time{}, "dstport=443", 0), "1m")
	f("bucket=1h&since=2h", time.Hour, opts(t, t0.Add(2*time.Hour), time.Time{}, "", 0), "1h")
}

func TestPatternFilter(t *testing.T) {
	fx := getFixture(t)
	h := newServer(t, nil).Handler()
	ssh := func(r *flowlog.Record) bool {
		return r.Has(flowlog.FieldDstPort) && r.DstPort == 22 && r.Has(flowlog.FieldAction) && r.Action == flowlog.ActionReject
	}
	want := fx.count(t0.Add(-time.Hour), t0.Add(span+time.Hour), ssh)
	if want == 0 {
		t.Fatal("the fixture has no rejected SSH flows")
	}
	f := func(query string) {
		t.Helper()
		var got tablesData
		get(t, h, "/api/v1/summary?"+query).into(t, &got)
		if n := got.Tables[0].Rows[0]["records"]; n != float64(want) {
			t.Errorf("%s: %v records, want %d", query, n, want)
		}
	}
	f("pattern=" + url.QueryEscape("[version, account, eni, src, dst, sport, dport=22, proto, pkts, bytes, start, end, action=REJECT, status]"))
	f("pattern=" + url.QueryEscape("[..., dport=22, protocol, packets, bytes, start, end, action=REJECT, status]"))
	// A layout given by format: the labels follow it.
	f("format=" + url.QueryEscape("${dstport} ${action}") + "&pattern=" + url.QueryEscape("[port=22, action=REJECT]"))
	f("where=dstport=22&pattern=" + url.QueryEscape("[..., action=REJECT, status]"))

	// The pattern compiles as the CLI compiles it.
	p, _ := filterpattern.Parse("[..., action=REJECT, status]")
	b, err := p.Bind(parse.DefaultFormat().Fields)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.SQL(filterpattern.DuckDB{}); err != nil {
		t.Fatal(err)
	}
	// A label that can never match is a warning.
	r := get(t, h, "/api/v1/breakdown?pattern="+url.QueryEscape("[version, account, eni, src, dst, sport, dport=abc, ...]"))
	if len(r.env.Warnings) == 0 || !strings.Contains(strings.Join(r.env.Warnings, " "), "dport") {
		t.Errorf("warnings %q: want one about dport", r.env.Warnings)
	}
}
