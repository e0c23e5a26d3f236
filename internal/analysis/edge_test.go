package analysis

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/embedded"
)

// edgeRecord builds a record; ports < 0 and start == 0 are absent, empty
// addresses are absent.
func edgeRecord(src, dst string, sport, dport int, bytes uint64, start int64) flowlog.Record {
	var r flowlog.Record
	set := func(ids ...flowlog.FieldID) {
		for _, id := range ids {
			r.Present.Add(id)
		}
	}
	r.Version, r.InterfaceID, r.Status = 2, "eni-0123456789abcdef0", flowlog.StatusOK
	set(flowlog.FieldVersion, flowlog.FieldInterfaceID, flowlog.FieldLogStatus)
	if src != "" {
		r.SrcAddr, r.DstAddr = netip.MustParseAddr(src), netip.MustParseAddr(dst)
		r.Protocol, r.Packets, r.Bytes, r.Action = 6, 1, bytes, flowlog.ActionAccept
		set(flowlog.FieldSrcAddr, flowlog.FieldDstAddr, flowlog.FieldProtocol, flowlog.FieldPackets, flowlog.FieldBytes, flowlog.FieldAction)
	} else {
		r.Status = flowlog.StatusNoData
	}
	if sport >= 0 {
		r.SrcPort = uint16(sport)
		set(flowlog.FieldSrcPort)
	}
	if dport >= 0 {
		r.DstPort = uint16(dport)
		set(flowlog.FieldDstPort)
	}
	if start != 0 {
		r.Start, r.End = start, start+30
		set(flowlog.FieldStart, flowlog.FieldEnd)
	}
	return r
}

// TestEdgeCases checks, on hand-made records, what generated data does not
// hold: a source port without a destination port, records without a start
// time, and records without addresses.
func TestEdgeCases(t *testing.T) {
	s0 := t0.Unix()
	recs := []flowlog.Record{
		edgeRecord("10.0.0.1", "52.1.1.1", 22, -1, 100, s0+10),      // SSH by source port only
		edgeRecord("10.0.0.2", "10.0.0.3", 5555, 3389, 200, s0+20),  // RDP
		edgeRecord("10.0.0.3", "10.0.0.2", 3389, 22, 300, s0+3600),  // both: counted once
		edgeRecord("10.0.0.2", "52.1.1.1", 40000, 443, 400, s0+60),  // neither
		edgeRecord("", "", -1, -1, 0, s0+120),                       // NODATA
		edgeRecord("10.0.0.1", "1.2.3.4", 40001, 22, 50, 0),         // no start time
		edgeRecord("::ffff:10.0.0.9", "10.0.0.1", 40002, 80, 7, s0), // IPv4-mapped IPv6 source
	}
	st, err := embedded.Open(testStoreConfig(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	w, err := st.Writer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := w.Begin(ctx, store.SourceID{Name: "edge", Size: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Append(recs); err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	tabs, err := RunReport(ctx, st, "ssh-rdp-traffic", nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := words(tabs[0].Rows[0]...); got != "4 4 650" {
		t.Errorf("ssh-rdp totals over all time: %s, want 4 flows, 4 packets, 650 bytes", got)
	}
	// The record without a destination port is in the totals but in no
	// conversation (whose key includes dstport).
	if n := len(tabs[1].Rows); n != 3 {
		t.Errorf("ssh-rdp conversations: %d rows, want 3", n)
	}
	bounded := Options{Range: store.TimeRange{Start: t0.Add(-time.Hour), End: t0.Add(2 * time.Hour)}}
	tabs, err = RunReport(ctx, st, "ssh-rdp-traffic", nil, bounded)
	if err != nil {
		t.Fatal(err)
	}
	if got := words(tabs[0].Rows[0]...); got != "3 3 600" {
		t.Errorf("ssh-rdp totals over a range (the record without start is out): %s, want 3 3 600", got)
	}

	top, err := Top(ctx, st, TopOptions{By: BySource, Metric: MetricFlows, Options: Options{Limit: 100}})
	if err != nil {
		t.Fatal(err)
	}
	if top.Total.Flows != 7 || len(top.Rows) != 4 || top.Rows[0].Src != "10.0.0.1" || top.Rows[0].Flows != 2 {
		t.Errorf("top sources: total %+v, rows %+v", top.Total, top.Rows)
	}
	for _, r := range top.Rows {
		if r.Src == "" {
			t.Errorf("top sources: row %+v (absent sources must not be ranked)", r)
		}
	}

	series, err := TimeSeries(ctx, st, SeriesOptions{Bucket: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if got := series.Total(); got.Flows != 6 || len(series.Points) != 2 || series.Points[1].Bytes != 300 {
		t.Errorf("series: total %+v, points %+v (the record without start is in no point)", got, series.Points)
	}

	rej, err := Rejected(ctx, st, RejectedOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rej.Rejected.Flows != 0 || rej.All.Flows != 7 {
		t.Errorf("rejected: %+v", rej)
	}

	sum, err := Summarize(ctx, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Sources != 4 || sum.Interfaces != 1 || sum.Breakdown.Status("NODATA").Flows != 1 || sum.Breakdown.Action("").Flows != 1 {
		t.Errorf("summary: %+v, breakdown %+v %+v", sum, sum.Breakdown.Actions, sum.Breakdown.Statuses)
	}
}
