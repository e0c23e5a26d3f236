package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/analysis/graph"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

func TestReports(t *testing.T) {
	fx := getFixture(t)
	h := newServer(t, nil).Handler()

	var list ReportList
	get(t, h, "/api/v1/reports").into(t, &list)
	all := analysis.Reports()
	if len(list.Reports) != len(all) || len(all) == 0 {
		t.Fatalf("%d reports, want %d", len(list.Reports), len(all))
	}
	for i, r := range all {
		got := list.Reports[i]
		if got.Name != r.Name || got.Title != r.Title || got.Origin != r.Origin || len(got.Params) != len(r.Params) {
			t.Errorf("report %d: %+v, want %+v", i, got, r)
		}
	}

	f := func(name, query string, params map[string]string, o analysis.Options) {
		t.Helper()
		tabs, err := analysis.RunReport(context.Background(), fx.store, name, params, o)
		if err != nil {
			t.Fatal(err)
		}
		got := wantTables(t, get(t, h, "/api/v1/reports/"+name+"?"+query), tabs)
		if got.Report == nil || got.Report.Name != name {
			t.Errorf("report %+v, want %s", got.Report, name)
		}
	}
	f("top-talkers", "limit=5", nil, opts(t, time.Time{}, time.Time{}, "", 5))
	f("rejected-traffic", "since=2h&where=protocol=6", nil, opts(t, t0.Add(2*time.Hour), time.Time{}, "protocol=6", 0))
	f("traffic-from-source", "srcaddr=10.0.0.0/8", map[string]string{"srcaddr": "10.0.0.0/8"}, analysis.Options{})
	f("admin-port-traffic", "ports=22,3389&limit=3", map[string]string{"ports": "22,3389"}, analysis.Options{Limit: 3})
	// The AWS name works too.
	var got tablesData
	get(t, h, "/api/v1/reports/VpcFlowLogsTopTalkers?limit=2").into(t, &got)
	if got.Report == nil || got.Report.Name != "top-talkers" || len(got.Tables[0].Rows) != 2 {
		t.Errorf("AWS name: %+v", got.Report)
	}
}

func TestGraph(t *testing.T) {
	fx := getFixture(t)
	s := newServer(t, nil)
	h := s.Handler()
	f := func(query string, edit func(*graph.Configuration)) *response {
		t.Helper()
		cfg := graph.DefaultConfiguration()
		cfg.TopK, cfg.MaxNodes = s.cfg.MaxRows, s.cfg.MaxNodes
		edit(&cfg)
		g, err := graph.Build(context.Background(), fx.store, cfg)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := graph.Write(&buf, g, graph.FormatJSON); err != nil {
			t.Fatal(err)
		}
		var want, gotMap map[string]any
		if err := json.Unmarshal(buf.Bytes(), &want); err != nil {
			t.Fatal(err)
		}
		r := get(t, h, "/api/v1/graph?"+query)
		r.into(t, &gotMap)
		if !reflect.DeepEqual(gotMap, want) {
			t.Errorf("%s: the graph differs from graph.Build's", query)
		}
		if !reflect.DeepEqual(r.env.Warnings, g.Notes) && len(g.Notes) > 0 {
			t.Errorf("%s: warnings %q, want the notes %q", query, r.env.Warnings, g.Notes)
		}
		return r
	}
	f("", func(*graph.Configuration) {})
	f("group=service&min_flows=3&top_k=40&weight=flows", func(c *graph.Configuration) {
		c.Group, c.MinFlows, c.TopK, c.Weight = graph.Group{Kind: graph.GroupService}, 3, 40, analysis.MetricFlows
	})
	f("group=subnet&action=reject&since=3h", func(c *graph.Configuration) {
		c.Group, c.Action = graph.Group{Kind: graph.GroupSubnet}, flowlog.ActionReject
		c.Range = store.TimeRange{Start: t0.Add(time.Hour)}
	})
	// The node cap: aggregated, and said so.
	r := f("max_nodes=6", func(c *graph.Configuration) { c.MaxNodes = 6 })
	var g graph.Graph
	r.into(t, &g)
	if !g.Truncated || len(g.Nodes) > 6 || len(r.env.Warnings) == 0 || !strings.Contains(r.env.Warnings[0], "merged") {
		t.Errorf("max_nodes=6: %d nodes, truncated %v, warnings %q", len(g.Nodes), g.Truncated, r.env.Warnings)
	}
	// Above the server's cap: lowered, with a warning.
	small := newServer(t, func(c *Configuration, _ *Dependencies) { c.MaxNodes = 8 })
	r = get(t, small.Handler(), "/api/v1/graph?max_nodes=1000")
	r.into(t, &g)
	if len(g.Nodes) > 8 || len(r.env.Warnings) < 2 || !strings.Contains(r.env.Warnings[0], "above the server's maximum") {
		t.Errorf("max_nodes above the cap: %d nodes, warnings %q", len(g.Nodes), r.env.Warnings)
	}
	// Downloads.
	for _, out := range []string{"dot", "graphml", "json"} {
		r := do(t, h, "GET", "/api/v1/graph?group=vpc&output="+out, nil)
		if r.code != 200 || !strings.Contains(r.header.Get("Content-Disposition"), "graph."+out) || len(r.body) == 0 {
			t.Errorf("output=%s: %d %v", out, r.code, r.header)
		}
	}
}

func TestFlowsPagination(t *testing.T) {
	fx := getFixture(t)
	h := newServer(t, nil).Handler()
	from, to := t0.Add(time.Hour), t0.Add(time.Hour+40*time.Minute)
	rng := "from=" + url.QueryEscape(from.Format(time.RFC3339)) + "&to=" + url.QueryEscape(to.Format(time.RFC3339)) + "&where=protocol=6"
	want := fx.count(from, to, func(r *flowlog.Record) bool { return r.Has(flowlog.FieldProtocol) && r.Protocol == 6 })
	if want < 1000 {
		t.Fatalf("only %d flows in the range", want)
	}
	page := func(query string) tablesData {
		t.Helper()
		var d tablesData
		get(t, h, "/api/v1/flows?"+rng+"&"+query).into(t, &d)
		return d
	}
	whole := page("limit=" + itoa(want+10))
	if n := len(whole.Tables[0].Rows); n != want || whole.Page.HasMore {
		t.Fatalf("%d flows (more: %v), want %d", n, whole.Page.HasMore, want)
	}
	// Pages of 300 give the same rows in the same order.
	var rows []map[string]any
	for off := 0; ; {
		d := page("limit=300&offset=" + itoa(off))
		rows = append(rows, d.Tables[0].Rows...)
		if !d.Page.HasMore {
			break
		}
		if *d.Page.NextOffset != off+300 {
			t.Fatalf("next offset %d after %d", *d.Page.NextOffset, off)
		}
		off = *d.Page.NextOffset
	}
	if !reflect.DeepEqual(rows, whole.Tables[0].Rows) {
		t.Errorf("pages differ from the whole (%d vs %d rows)", len(rows), want)
	}
	// Again: the order is stable.
	if again := page("limit=300&offset=600"); !reflect.DeepEqual(again.Tables[0].Rows, rows[600:900]) {
		t.Error("the same page twice differs")
	}
	// Ordered by start, each row has the default format's columns.
	cols := whole.Tables[0].Columns
	if len(cols) != 14 || cols[10].Name != "start" {
		t.Errorf("columns %+v", cols)
	}
	for i := 1; i < len(rows); i++ {
		if rows[i]["start"].(float64) < rows[i-1]["start"].(float64) {
			t.Fatalf("row %d starts before row %d", i, i-1)
		}
	}
	desc := page("limit=5&order=desc")
	if last := rows[len(rows)-1]["start"]; desc.Tables[0].Rows[0]["start"] != last {
		t.Errorf("order=desc starts at %v, want %v", desc.Tables[0].Rows[0]["start"], last)
	}
	// A layout picks the columns.
	d := page("limit=2&format=" + url.QueryEscape("srcaddr dstaddr bytes"))
	if len(d.Tables[0].Columns) != 3 || d.Tables[0].Columns[2].Name != "bytes" {
		t.Errorf("format columns %+v", d.Tables[0].Columns)
	}
}

func TestFlowsDownload(t *testing.T) {
	h := newServer(t, nil).Handler()
	f := func(query, mime string, lines int) *response {
		t.Helper()
		r := do(t, h, "GET", "/api/v1/flows?"+query, nil)
		if r.code != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), mime) || !strings.HasPrefix(r.header.Get("Content-Disposition"), "attachment;") {
			t.Fatalf("%s: %d %v", query, r.code, r.header)
		}
		if n := strings.Count(string(r.body), "\n"); lines >= 0 && n != lines {
			t.Errorf("%s: %d lines, want %d", query, n, lines)
		}
		return r
	}
	r := f("format=csv&limit=25&where=action=ACCEPT", "text/csv", 26)
	if !strings.HasPrefix(string(r.body), "version,account_id,interface_id,srcaddr,") || r.header.Get("Flowlens-Next-Offset") != "25" {
		t.Errorf("csv: header %q, next offset %q", strings.SplitN(string(r.body), "\n", 2)[0], r.header.Get("Flowlens-Next-Offset"))
	}
	r = f("output=jsonl&limit=10", "application/x-ndjson", 10)
	for _, line := range strings.Split(strings.TrimSpace(string(r.body)), "\n") {
		var row map[string]any
		if err := json.Unmarshal([]byte(line), &row); err != nil || row["action"] == nil && row["log_status"] == nil {
			t.Errorf("jsonl line %q: %v", line, err)
		}
	}
	r = f("format=json&limit=3", "application/json", -1)
	var rows []map[string]any
	if err := json.Unmarshal(r.body, &rows); err != nil || len(rows) != 3 {
		t.Errorf("json download: %v, %d rows", err, len(rows))
	}
	if r := do(t, h, "HEAD", "/api/v1/flows?format=csv&limit=5", nil); r.code != 200 || len(r.body) != 0 {
		t.Errorf("HEAD: %d, %d bytes", r.code, len(r.body))
	}
	// The last page has no next offset.
	r = f("format=csv&limit=100&offset=19950", "text/csv", 51)
	if r.header.Get("Flowlens-Next-Offset") != "" {
		t.Errorf("last page: next offset %q", r.header.Get("Flowlens-Next-Offset"))
	}
}

func TestSourcesAndStatus(t *testing.T) {
	fx := getFixture(t)
	h := newServer(t, nil).Handler()
	var src Sources
	get(t, h, "/api/v1/sources").into(t, &src)
	if src.Total != fixtureObjects || len(src.Sources) != fixtureObjects || src.Page.HasMore {
		t.Fatalf("sources: %+v", src)
	}
	var sum int64
	for _, s := range src.Sources {
		sum += s.Records
	}
	if sum != fixtureRecords {
		t.Errorf("ledger records %d, want %d", sum, fixtureRecords)
	}
	get(t, h, "/api/v1/sources?limit=3&offset=2").into(t, &src)
	if len(src.Sources) != 2 || src.Sources[0].Source.Name != "gen-2.log" || src.Page.HasMore {
		t.Errorf("page of sources: %+v", src)
	}
	get(t, h, "/api/v1/sources?limit=1").into(t, &src)
	if len(src.Sources) != 1 || !src.Page.HasMore || *src.Page.NextOffset != 1 {
		t.Errorf("first source: %+v", src.Page)
	}

	var st Status
	get(t, h, "/api/v1/status").into(t, &st)
	lo, hi, err := fx.store.TimeRange(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if st.Version != "v0.0.0-test" || st.Auth || st.Store == nil || st.Store.Records != fixtureRecords ||
		st.Store.Sources != fixtureObjects || !st.Store.First.Equal(lo) || !st.Store.Last.Equal(hi) || st.Limits.MaxNodes != 500 {
		t.Errorf("status %+v store %+v", st, st.Store)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
