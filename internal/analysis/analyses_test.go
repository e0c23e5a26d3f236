package analysis

import (
	"context"
	"fmt"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

func TestBreakdownAgainstOracle(t *testing.T) {
	f := getFixture(t)
	for _, s := range testScopes() {
		t.Run(s.name, func(t *testing.T) {
			got, err := ActionBreakdown(context.Background(), f.store, s.options())
			if err != nil {
				t.Fatal(err)
			}
			recs := f.selectRecs(s)
			actions, statuses := map[string]Counts{}, map[string]Counts{}
			for _, r := range recs {
				a, st := "", ""
				if r.Has(flowlog.FieldAction) {
					a = r.Action.String()
				}
				if r.Has(flowlog.FieldLogStatus) {
					st = r.Status.String()
				}
				c := actions[a]
				c.Add(countsOf(r))
				actions[a] = c
				c = statuses[st]
				c.Add(countsOf(r))
				statuses[st] = c
			}
			total := sumCounts(recs)
			if got.Total != total {
				t.Errorf("total %+v, want %+v", got.Total, total)
			}
			if len(got.Actions) < 2 || got.Actions[0].Action != "ACCEPT" || got.Actions[1].Action != "REJECT" {
				t.Fatalf("actions %+v: want ACCEPT and REJECT first", got.Actions)
			}
			seen := 0
			for _, row := range got.Actions {
				want := actions[row.Action]
				seen++
				if row.Counts != want {
					t.Errorf("action %q: %+v, want %+v", row.Action, row.Counts, want)
				}
				if row.BytesShare != percent(want.Bytes, total.Bytes) || row.FlowsShare != percent(want.Flows, total.Flows) {
					t.Errorf("action %q: shares %v/%v", row.Action, row.FlowsShare, row.BytesShare)
				}
			}
			for a := range actions {
				if got.Action(a).Counts != actions[a] {
					t.Errorf("action %q missing or wrong: %+v", a, got.Action(a))
				}
			}
			for st, want := range statuses {
				if g := got.Status(st); g.Counts != want || g.Share != percent(want.Flows, total.Flows) {
					t.Errorf("status %q: %+v, want %+v", st, g, want)
				}
			}
			if len(got.Statuses) < 3 {
				t.Errorf("statuses %+v: want OK, NODATA and SKIPDATA at least", got.Statuses)
			}
		})
	}
	// The data has NODATA records: they must be counted.
	all, err := ActionBreakdown(context.Background(), f.store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if all.Status("NODATA").Flows == 0 || all.Action("").Flows == 0 {
		t.Errorf("no NODATA records or records without action counted: %+v %+v", all.Statuses, all.Actions)
	}
}

// oracleSeries computes a zero-filled series over [from, to).
func oracleSeries(recs []*flowlog.Record, from, to time.Time, bucket time.Duration) []Point {
	secs := int64(bucket / time.Second)
	off := int64(0)
	if bucket%(7*24*time.Hour) == 0 {
		off = 4 * 86400
	}
	floor := func(v int64) int64 {
		v -= off
		r := v % secs
		if r < 0 {
			r += secs
		}
		return v - r + off
	}
	first := floor(from.Unix())
	var pts []Point
	idx := map[int64]int{}
	for s := first; from.Before(to) && s < to.Unix(); s += secs {
		idx[s] = len(pts)
		pts = append(pts, Point{Time: time.Unix(s, 0).UTC()})
	}
	for _, r := range recs {
		if !r.Has(flowlog.FieldStart) {
			continue
		}
		i, ok := idx[floor(r.Start)]
		if !ok {
			panic("record outside the series range")
		}
		pts[i].Add(countsOf(r))
	}
	return pts
}

// oracleRange closes the open sides of a range with the data's range.
func (f *fixture) oracleRange(tr store.TimeRange) store.TimeRange {
	lo, hi := int64(1<<62), int64(-1<<62)
	for i := range f.recs {
		r := &f.recs[i]
		if r.Has(flowlog.FieldStart) {
			lo = min(lo, r.Start)
			hi = max(hi, r.Start)
		}
		if r.Has(flowlog.FieldEnd) {
			hi = max(hi, r.End)
		}
	}
	if tr.Start.IsZero() {
		tr.Start = time.Unix(lo, 0).UTC()
	}
	if tr.End.IsZero() {
		tr.End = time.Unix(hi+1, 0).UTC()
	}
	return tr
}

func TestTimeSeriesAgainstOracle(t *testing.T) {
	f := getFixture(t)
	for _, s := range testScopes() {
		for _, bucket := range []time.Duration{0, time.Minute, 5 * time.Minute, time.Hour, 24 * time.Hour, 7 * 24 * time.Hour, 90 * time.Second} {
			got, err := TimeSeries(context.Background(), f.store, SeriesOptions{Options: s.options(), Bucket: bucket})
			if err != nil {
				t.Fatalf("%s, bucket %s: %v", s.name, bucket, err)
			}
			tr := f.oracleRange(s.rng)
			wantBucket := bucket
			if bucket == 0 {
				wantBucket = AutoBucket(tr.End.Sub(tr.Start))
				if n := len(got.Points); n < 50 || n > 300 {
					if tr.End.Sub(tr.Start) >= 50*time.Minute {
						t.Errorf("%s: automatic bucket %s gives %d points", s.name, got.Bucket, n)
					}
				}
			}
			if got.Bucket != wantBucket || got.Range != tr {
				t.Fatalf("%s: bucket %s range %v, want %s %v", s.name, got.Bucket, got.Range, wantBucket, tr)
			}
			want := oracleSeries(f.selectRecs(s), tr.Start, tr.End, wantBucket)
			if !reflect.DeepEqual(got.Points, want) {
				t.Fatalf("%s, bucket %s: %d points, want %d; first difference %s", s.name, wantBucket, len(got.Points), len(want), firstDiff(got.Points, want))
			}
			if got.Total() != sumCounts(f.selectRecs(s)) {
				t.Errorf("%s, bucket %s: total %+v", s.name, wantBucket, got.Total())
			}
		}
	}
}

func firstDiff(a, b []Point) string {
	for i := 0; i < min(len(a), len(b)); i++ {
		if a[i] != b[i] {
			return a[i].Time.String() + ": " + formatCounts(a[i].Counts) + " vs " + b[i].Time.String() + ": " + formatCounts(b[i].Counts)
		}
	}
	return "lengths differ"
}

func formatCounts(c Counts) string { return fmt.Sprintf("%d/%d/%d", c.Flows, c.Packets, c.Bytes) }

func TestHeatMapAgainstOracle(t *testing.T) {
	f := getFixture(t)
	for _, s := range testScopes() {
		got, err := HeatMapOf(context.Background(), f.store, HeatMapOptions{Options: s.options(), Metric: MetricFlows})
		if err != nil {
			t.Fatal(err)
		}
		var want [7][24]Counts
		for _, r := range f.selectRecs(s) {
			if r.Has(flowlog.FieldStart) {
				tm := time.Unix(r.Start, 0).UTC()
				d := (int(tm.Weekday()) + 6) % 7 // Monday = 0
				want[d][tm.Hour()].Add(countsOf(r))
			}
		}
		if got.Cells != want {
			t.Fatalf("%s: heat map differs", s.name)
		}
		tab := got.Table()
		if len(tab.Rows) != 7 || len(tab.Columns) != 26 || tab.Rows[0][0] != "Monday" {
			t.Fatalf("%s: table shape %d×%d", s.name, len(tab.Rows), len(tab.Columns))
		}
		// Monday 09:00-12:59 holds the data.
		if s.name == "all" && tab.Rows[0][1+9].(uint64) != want[0][9].Flows {
			t.Errorf("table cell Monday 09h = %v, want %d", tab.Rows[0][10], want[0][9].Flows)
		}
	}
}

func isInternalOracle(a netip.Addr) bool {
	for _, p := range []string{"10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"} {
		if netip.MustParsePrefix(p).Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

func TestRejectedAgainstOracle(t *testing.T) {
	f := getFixture(t)
	for _, s := range testScopes() {
		t.Run(s.name, func(t *testing.T) {
			got, err := Rejected(context.Background(), f.store, RejectedOptions{Options: s.options()})
			if err != nil {
				t.Fatal(err)
			}
			all := f.selectRecs(s)
			var rej []*flowlog.Record
			var internal, external, unknown Counts
			for _, r := range all {
				if !r.Has(flowlog.FieldAction) || r.Action != flowlog.ActionReject {
					continue
				}
				rej = append(rej, r)
				switch {
				case !r.Has(flowlog.FieldSrcAddr):
					unknown.Add(countsOf(r))
				case isInternalOracle(r.SrcAddr):
					internal.Add(countsOf(r))
				default:
					external.Add(countsOf(r))
				}
			}
			if got.All != sumCounts(all) || got.Rejected != sumCounts(rej) {
				t.Errorf("all %+v rejected %+v", got.All, got.Rejected)
			}
			if got.Internal != internal || got.External != external || got.Unknown != unknown {
				t.Errorf("internal %+v external %+v unknown %+v, want %+v %+v %+v", got.Internal, got.External, got.Unknown, internal, external, unknown)
			}
			if s.name == "all" && (internal.Flows == 0 || external.Flows == 0) {
				t.Errorf("the data should have internal and external rejected sources")
			}
			checkTop(t, got.TopSources, rej, BySource, MetricFlows, DefaultLimit)
			checkTop(t, got.TopPorts, rej, ByDstPort, MetricFlows, DefaultLimit)
			tr := f.oracleRange(s.rng)
			want := oracleSeries(rej, tr.Start, tr.End, AutoBucket(tr.End.Sub(tr.Start)))
			if !reflect.DeepEqual(got.Series.Points, want) {
				t.Errorf("rejected series differs: %s", firstDiff(got.Series.Points, want))
			}
			if n := len(got.Tables()); n != 4 {
				t.Errorf("%d tables", n)
			}
		})
	}
}

func TestSummaryAgainstOracle(t *testing.T) {
	f := getFixture(t)
	for _, s := range testScopes() {
		t.Run(s.name, func(t *testing.T) {
			got, err := Summarize(context.Background(), f.store, s.options())
			if err != nil {
				t.Fatal(err)
			}
			recs := f.selectRecs(s)
			srcs, dsts, enis := map[string]bool{}, map[string]bool{}, map[string]bool{}
			var first, last int64 = 1 << 62, -1 << 62
			var rej []*flowlog.Record
			for _, r := range recs {
				if r.Has(flowlog.FieldSrcAddr) {
					srcs[r.SrcAddr.String()] = true
				}
				if r.Has(flowlog.FieldDstAddr) {
					dsts[r.DstAddr.String()] = true
				}
				if r.Has(flowlog.FieldInterfaceID) {
					enis[r.InterfaceID] = true
				}
				if r.Has(flowlog.FieldStart) {
					first = min(first, r.Start)
				}
				if r.Has(flowlog.FieldEnd) {
					last = max(last, r.End)
				}
				if r.Has(flowlog.FieldAction) && r.Action == flowlog.ActionReject {
					rej = append(rej, r)
				}
			}
			if got.Totals != sumCounts(recs) {
				t.Errorf("totals %+v", got.Totals)
			}
			if got.Sources != uint64(len(srcs)) || got.Destinations != uint64(len(dsts)) || got.Interfaces != uint64(len(enis)) {
				t.Errorf("distinct %d/%d/%d, want %d/%d/%d", got.Sources, got.Destinations, got.Interfaces, len(srcs), len(dsts), len(enis))
			}
			if got.First.Unix() != first || got.Last.Unix() != last {
				t.Errorf("time range %v → %v, want %v → %v", got.First, got.Last, time.Unix(first, 0).UTC(), time.Unix(last, 0).UTC())
			}
			checkTop(t, got.TopTalkers, recs, BySource, MetricBytes, SummaryTop)
			checkTop(t, got.TopPorts, recs, ByDstPort, MetricBytes, SummaryTop)
			checkTop(t, got.TopRejected, rej, BySource, MetricFlows, SummaryTop)
			tabs := got.Tables()
			if len(tabs) != 6 || tabs[0].Rows[0][0] != got.Totals.Flows {
				t.Errorf("tables: %d, first cell %v", len(tabs), tabs[0].Rows[0][0])
			}
		})
	}
}
