package analysis

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/render"
)

// words prints values separated by spaces.
func words(vs ...any) string { return strings.TrimSuffix(fmt.Sprintln(vs...), "\n") }

type recPred func(r *flowlog.Record) bool

func and(ps ...recPred) recPred {
	return func(r *flowlog.Record) bool {
		for _, p := range ps {
			if !p(r) {
				return false
			}
		}
		return true
	}
}

var (
	isAccept = func(r *flowlog.Record) bool { return r.Has(flowlog.FieldAction) && r.Action == flowlog.ActionAccept }
	isReject = func(r *flowlog.Record) bool { return r.Has(flowlog.FieldAction) && r.Action == flowlog.ActionReject }
	isTCP    = func(r *flowlog.Record) bool { return r.Has(flowlog.FieldProtocol) && r.Protocol == 6 }
	isUDP    = func(r *flowlog.Record) bool { return r.Has(flowlog.FieldProtocol) && r.Protocol == 17 }
)

func portIn(ports ...uint16) recPred {
	return func(r *flowlog.Record) bool {
		return (r.Has(flowlog.FieldSrcPort) && slices.Contains(ports, r.SrcPort)) ||
			(r.Has(flowlog.FieldDstPort) && slices.Contains(ports, r.DstPort))
	}
}

func filterRecs(recs []*flowlog.Record, p recPred) []*flowlog.Record {
	var out []*flowlog.Record
	for _, r := range recs {
		if p == nil || p(r) {
			out = append(out, r)
		}
	}
	return out
}

// cell returns the named column of row i of tab, as text.
func cell(t *testing.T, tab *render.Table, i int, col string) string {
	t.Helper()
	for j, c := range tab.Columns {
		if c.Name == col {
			return fmt.Sprint(tab.Rows[i][j])
		}
	}
	t.Fatalf("table %s has no column %s", tab.Name, col)
	return ""
}

// checkRanking compares a ranking table with the oracle's ranking of by.
func checkRanking(t *testing.T, tab *render.Table, recs []*flowlog.Record, by Dimension, m Metric, limit int, keyCols ...string) {
	t.Helper()
	want := oracleTop(recs, by, m, limit)
	if len(tab.Rows) != len(want) {
		t.Fatalf("%s: %d rows, want %d", tab.Name, len(tab.Rows), len(want))
	}
	if len(want) == 0 {
		t.Fatalf("%s: the oracle ranks nothing: the test does not test", tab.Name)
	}
	for i, w := range want {
		var got []string
		for _, c := range keyCols {
			got = append(got, cell(t, tab, i, c))
		}
		wk := w.keys
		if by == BySubnet {
			wk = []any{w.keys[1], w.keys[0]}
		}
		if fmt.Sprint(got) != fmt.Sprint(wk) {
			t.Fatalf("%s row %d: key %v, want %v", tab.Name, i+1, got, wk)
		}
		for _, c := range []struct {
			col string
			v   uint64
		}{{"flows", w.Flows}, {"packets", w.Packets}, {"bytes", w.Bytes}} {
			if g := cell(t, tab, i, c.col); g != fmt.Sprint(c.v) {
				t.Fatalf("%s row %d (%v): %s %s, want %d", tab.Name, i+1, wk, c.col, g, c.v)
			}
		}
	}
}

func checkTotals(t *testing.T, tab *render.Table, recs []*flowlog.Record) {
	t.Helper()
	want := sumCounts(recs)
	if len(tab.Rows) != 1 {
		t.Fatalf("%s: %d rows", tab.Name, len(tab.Rows))
	}
	got := words(cell(t, tab, 0, "flows"), cell(t, tab, 0, "packets"), cell(t, tab, 0, "bytes"))
	if got != words(want.Flows, want.Packets, want.Bytes) {
		t.Fatalf("%s: totals %s, want %+v", tab.Name, got, want)
	}
	if want.Flows == 0 {
		t.Fatalf("%s: no records: the test does not test", tab.Name)
	}
}

var conversationCols = []string{"srcaddr", "dstaddr", "dstport", "protocol", "action"}

// reportCases checks every report against the oracle over recs (the
// records of the scope).
func reportCases() []struct {
	name   string
	params map[string]string
	check  func(t *testing.T, tabs []*render.Table, recs []*flowlog.Record)
} {
	traffic := func(p recPred, m Metric) func(*testing.T, []*render.Table, []*flowlog.Record) {
		return func(t *testing.T, tabs []*render.Table, recs []*flowlog.Record) {
			sel := filterRecs(recs, p)
			checkTotals(t, tabs[0], sel)
			checkRanking(t, tabs[1], sel, ByConversation, m, 50, conversationCols...)
		}
	}
	rank := func(p recPred, by Dimension, m Metric, limit int, cols ...string) func(*testing.T, []*render.Table, []*flowlog.Record) {
		return func(t *testing.T, tabs []*render.Table, recs []*flowlog.Record) {
			checkRanking(t, tabs[0], filterRecs(recs, p), by, m, limit, cols...)
		}
	}
	totals := func(p recPred) func(*testing.T, []*render.Table, []*flowlog.Record) {
		return func(t *testing.T, tabs []*render.Table, recs []*flowlog.Record) {
			checkTotals(t, tabs[0], filterRecs(recs, p))
		}
	}
	src4 := func(r *flowlog.Record) bool { return r.Has(flowlog.FieldSrcAddr) && r.SrcAddr.Unmap().Is4() }
	src6 := func(r *flowlog.Record) bool { return r.Has(flowlog.FieldSrcAddr) && !r.SrcAddr.Unmap().Is4() }
	srcIn10 := func(r *flowlog.Record) bool { return src4(r) && r.SrcAddr.As4()[0] == 10 }
	dstIn10 := func(r *flowlog.Record) bool {
		return r.Has(flowlog.FieldDstAddr) && r.DstAddr.Unmap().Is4() && r.DstAddr.As4()[0] == 10 && r.DstAddr.As4()[1] == 0
	}
	adminPorts := []uint16{22, 23, 2082, 2083, 2086, 2087, 3389, 5900, 5985, 5986, 8443, 9090, 10000}
	type rc = struct {
		name   string
		params map[string]string
		check  func(t *testing.T, tabs []*render.Table, recs []*flowlog.Record)
	}
	return []rc{
		{"accepted-traffic", nil, traffic(and(isAccept, isTCP), MetricBytes)},
		{"admin-port-traffic", nil, func(t *testing.T, tabs []*render.Table, recs []*flowlog.Record) {
			checkAdmin(t, tabs[0], filterRecs(recs, portIn(adminPorts...)), 10)
		}},
		{"VpcFlowLogsAdminPortTraffic", map[string]string{"ports": "22, 443"}, func(t *testing.T, tabs []*render.Table, recs []*flowlog.Record) {
			checkAdmin(t, tabs[0], filterRecs(recs, portIn(22, 443)), 10)
		}},
		{"ipv4-traffic", nil, totals(src4)},
		{"ipv6-traffic", nil, totals(src6)},
		{"rejected-tcp-traffic", nil, traffic(and(isReject, isTCP), MetricFlows)},
		{"rejected-traffic", nil, traffic(isReject, MetricFlows)},
		{"ssh-rdp-traffic", nil, traffic(portIn(22, 3389), MetricBytes)},
		{"top-talkers", nil, rank(nil, BySource, MetricBytes, 50, "srcaddr")},
		{"top-talkers-packet-level", nil, rank(nil, ByPktSource, MetricBytes, 50, "pkt_srcaddr")},
		{"top-talking-instances", nil, rank(nil, ByInstance, MetricBytes, 50, "instance_id")},
		{"top-talking-subnets", nil, rank(nil, BySubnet, MetricBytes, 50, "subnet", "basis")},
		{"top-tcp-traffic", nil, rank(isTCP, BySource, MetricBytes, 50, "srcaddr")},
		{"top-tcp-traffic", map[string]string{"srcaddr": "10.0.0.0/8"}, rank(and(isTCP, srcIn10), BySource, MetricBytes, 50, "srcaddr")},
		{"total-bytes-transferred", nil, rank(nil, ByPair, MetricBytes, 50, "srcaddr", "dstaddr")},
		{"total-bytes-transferred-packet-level", nil, rank(nil, ByPktPair, MetricBytes, 50, "pkt_srcaddr", "pkt_dstaddr")},
		{"traffic-from-source", map[string]string{"srcaddr": "10.0.0.0/8"}, traffic(srcIn10, MetricBytes)},
		{"traffic-to-destination", map[string]string{"dstaddr": "10.0.0.0/16"}, traffic(dstIn10, MetricBytes)},
		{"byte-stats-by-pair", nil, checkByteStats},
		{"skipdata-per-hour", nil, checkSkipData},
		{"subnet-top-destinations", map[string]string{"cidr": "10.0.0.0/8"}, rank(srcIn10, ByDestination, MetricBytes, 15, "dstaddr")},
		{"top-byte-transfers", nil, rank(nil, ByPair, MetricBytes, 10, "srcaddr", "dstaddr")},
		{"top-packet-transfers", nil, rank(nil, ByPair, MetricPackets, 15, "srcaddr", "dstaddr")},
		{"top-rejected-sources", nil, rank(isReject, BySource, MetricFlows, 20, "srcaddr")},
		{"udp-sources", nil, rank(isUDP, BySource, MetricFlows, 100, "srcaddr")},
	}
}

// checkAdmin: addresses ranked by bytes as source plus as destination.
func checkAdmin(t *testing.T, tab *render.Table, recs []*flowlog.Record, limit int) {
	t.Helper()
	sums := map[string]Counts{}
	for _, r := range recs {
		for _, a := range []struct {
			f flowlog.FieldID
			s string
		}{{flowlog.FieldSrcAddr, r.SrcAddr.String()}, {flowlog.FieldDstAddr, r.DstAddr.String()}} {
			if r.Has(a.f) {
				c := sums[a.s]
				c.Add(countsOf(r))
				sums[a.s] = c
			}
		}
	}
	var want []oracleRow
	for k, c := range sums {
		want = append(want, oracleRow{keys: []any{k}, Counts: c})
	}
	slices.SortFunc(want, func(a, b oracleRow) int {
		if c := cmp.Compare(b.Bytes, a.Bytes); c != 0 {
			return c
		}
		return strings.Compare(a.keys[0].(string), b.keys[0].(string))
	})
	want = want[:min(limit, len(want))]
	if len(want) == 0 || len(tab.Rows) != len(want) {
		t.Fatalf("%d rows, want %d (> 0)", len(tab.Rows), len(want))
	}
	for i, w := range want {
		got := words(cell(t, tab, i, "address"), cell(t, tab, i, "flows"), cell(t, tab, i, "packets"), cell(t, tab, i, "bytes"))
		if exp := words(w.keys[0], w.Flows, w.Packets, w.Bytes); got != exp {
			t.Fatalf("row %d: %s, want %s", i+1, got, exp)
		}
	}
}

func checkByteStats(t *testing.T, tabs []*render.Table, recs []*flowlog.Record) {
	type st struct {
		Counts
		min, max uint64
	}
	stats := map[[2]string]*st{}
	for _, r := range recs {
		if !r.Has(flowlog.FieldSrcAddr) || !r.Has(flowlog.FieldDstAddr) || !r.Has(flowlog.FieldBytes) {
			continue
		}
		k := [2]string{r.SrcAddr.String(), r.DstAddr.String()}
		s := stats[k]
		if s == nil {
			s = &st{min: r.Bytes, max: r.Bytes}
			stats[k] = s
		}
		s.Add(countsOf(r))
		s.min, s.max = min(s.min, r.Bytes), max(s.max, r.Bytes)
	}
	keys := make([][2]string, 0, len(stats))
	for k := range stats {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b [2]string) int {
		if c := cmp.Compare(stats[b].Bytes, stats[a].Bytes); c != 0 {
			return c
		}
		if c := strings.Compare(a[0], b[0]); c != 0 {
			return c
		}
		return strings.Compare(a[1], b[1])
	})
	keys = keys[:min(50, len(keys))]
	tab := tabs[0]
	if len(tab.Rows) != len(keys) || len(keys) == 0 {
		t.Fatalf("%d rows, want %d", len(tab.Rows), len(keys))
	}
	for i, k := range keys {
		s := stats[k]
		want := words(k[0], k[1], s.Flows, s.Bytes, float64(s.Bytes)/float64(s.Flows), s.min, s.max)
		got := words(cell(t, tab, i, "srcaddr"), cell(t, tab, i, "dstaddr"), cell(t, tab, i, "flows"), cell(t, tab, i, "bytes"),
			cell(t, tab, i, "avg_bytes"), cell(t, tab, i, "min_bytes"), cell(t, tab, i, "max_bytes"))
		if got != want {
			t.Fatalf("row %d: %s, want %s", i+1, got, want)
		}
	}
}

func checkSkipData(t *testing.T, tabs []*render.Table, recs []*flowlog.Record) {
	per := map[int64]uint64{}
	for _, r := range recs {
		if r.Has(flowlog.FieldLogStatus) && r.Status == flowlog.StatusSkipData && r.Has(flowlog.FieldStart) {
			per[r.Start/3600*3600]++
		}
	}
	hours := make([]int64, 0, len(per))
	for h := range per {
		hours = append(hours, h)
	}
	slices.Sort(hours)
	tab := tabs[0]
	if len(hours) == 0 || len(tab.Rows) != len(hours) {
		t.Fatalf("%d rows, want %d (> 0)", len(tab.Rows), len(hours))
	}
	for i, h := range hours {
		if got, want := words(tab.Rows[i][0], tab.Rows[i][1]), words(time.Unix(h, 0).UTC(), per[h]); got != want {
			t.Fatalf("row %d: %s, want %s", i+1, got, want)
		}
	}
}

func TestReportsAgainstOracle(t *testing.T) {
	f := getFixture(t)
	covered := map[string]bool{}
	for _, s := range []scope{testRanges()[0], testRanges()[1]} {
		recs := f.selectRecs(s)
		for _, c := range reportCases() {
			t.Run(s.name+"/"+c.name, func(t *testing.T) {
				tabs, err := RunReport(context.Background(), f.store, c.name, c.params, s.options())
				if err != nil {
					t.Fatal(err)
				}
				c.check(t, tabs, recs)
				for _, format := range render.Formats() {
					var buf bytes.Buffer
					if err := render.RenderAll(&buf, tabs, format); err != nil || buf.Len() == 0 {
						t.Fatalf("render %s: %v", format, err)
					}
				}
				info, err := LookupReport(c.name)
				if err != nil {
					t.Fatal(err)
				}
				covered[info.Name] = true
			})
		}
	}
	for _, r := range Reports() {
		if !covered[r.Name] {
			t.Errorf("report %s is not tested against the oracle", r.Name)
		}
	}
}
