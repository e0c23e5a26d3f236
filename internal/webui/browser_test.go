package webui

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/flowlens/flowlens/internal/analysis/graph"
	"github.com/flowlens/flowlens/internal/enrich"
)

// dashboardPanels are the panels of the overview dashboard.
var dashboardPanels = []string{"panel-totals", "panel-actions", "panel-timeseries", "panel-rejected",
	"panel-top-src", "panel-top-dst", "panel-top-dstport", "panel-top-srcport", "panel-protocols",
	"panel-heatmap", "panel-sankey"}

// api GETs an API path from the demo server and decodes the envelope's data.
func (d *demo) api(t *testing.T, path string, data any) {
	t.Helper()
	resp, err := http.Get(d.url + "api/v1/" + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s %s", path, resp.Status, b)
	}
	env := struct{ Data any }{data}
	if err := json.Unmarshal(b, &env); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
}

// flowsOf returns the flows counted by /api/v1/breakdown with the query q.
func (d *demo) flowsOf(t *testing.T, q string) uint64 {
	t.Helper()
	var br struct {
		Tables []struct {
			Name string
			Rows []map[string]any
		}
	}
	d.api(t, "breakdown?"+q, &br)
	var n uint64
	for _, tb := range br.Tables {
		if tb.Name == "actions" {
			for _, r := range tb.Rows {
				if f, ok := r["flows"].(float64); ok {
					n += uint64(f)
				}
			}
		}
	}
	return n
}

// jsInt evaluates a JavaScript expression giving a number.
func (b *browser) jsInt(t *testing.T, expr string) int64 {
	t.Helper()
	var f float64
	b.run(t, "evaluate "+expr, chromedp.Evaluate(expr, &f))
	return int64(f)
}

// waitFor polls a JavaScript condition until it holds.
func (b *browser) waitFor(t *testing.T, what, cond string, timeout time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Run(ctx, chromedp.Poll(cond, nil, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		var state string
		_ = chromedp.Run(b.ctx, chromedp.Evaluate(`JSON.stringify({hash: location.hash, errors: (window.__flowlens||{}).errors,
			notices: [...document.querySelectorAll('[data-testid=api-error],[data-testid=notices]')].map(e => e.textContent)})`, &state))
		t.Fatalf("waiting for %s (%s): %v; page: %s", what, cond, err, state)
	}
}

// uiTimings are the browser measurements of docs/BENCHMARKS.md.
type uiTimings struct {
	Flows            int64   `json:"flows"`
	DashboardFirstMs float64 `json:"dashboard_first_render_ms"`
	DashboardWarmMs  float64 `json:"dashboard_warm_render_ms"`
	GraphNodes       int64   `json:"graph_nodes"`
	GraphEdges       int64   `json:"graph_edges"`
	GraphLayoutMs    float64 `json:"graph_layout_ms"`
	GraphTotalMs     float64 `json:"graph_total_ms"`
	Big              struct {
		Nodes    int64   `json:"nodes"`
		Edges    int64   `json:"edges"`
		LayoutMs float64 `json:"layout_ms"`
		TotalMs  float64 `json:"total_ms"`
	} `json:"graph_500"`
	StandaloneNodes      int64   `json:"standalone_nodes"`
	StandaloneLayoutMs   float64 `json:"standalone_layout_ms"`
	ChromiumVersionShown string  `json:"browser"`
}

// TestBrowser drives the UI in headless chromium over demo data: the
// dashboard's panels, a filter, the graph (node count, compound boxes,
// red rejected edges, a click showing the node's flows), the flows view
// and the self-contained html export, failing on any console error. It
// saves screenshots and the render timings under test-artifacts/.
func TestBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test (-short)")
	}
	d := startDemo(t, 200_000)
	b := newBrowser(t)
	var tm uiTimings
	tm.Flows = d.n
	b.run(t, "browser version", chromedp.Evaluate(`navigator.userAgent`, &tm.ChromiumVersionShown))

	t.Run("dashboard", func(t *testing.T) {
		b.run(t, "open the dashboard", chromedp.Navigate(d.url+"#/dashboard"))
		b.waitFor(t, "the dashboard", `document.body.dataset.dashboard === "ready"`, time.Minute)
		var states map[string]string
		b.run(t, "panel states", chromedp.Evaluate(`Object.fromEntries([...document.querySelectorAll('[data-testid^="panel-"]')].map(e => [e.dataset.testid, e.dataset.state]))`, &states))
		for _, p := range dashboardPanels {
			if states[p] != "ready" {
				t.Errorf("panel %s is %q, want ready (all: %v)", p, states[p], states)
			}
		}
		if got := b.jsInt(t, `+document.querySelector('[data-testid=total-flows]').dataset.value`); got != d.n {
			t.Errorf("total flows shown %d, want %d", got, d.n)
		}
		// The top source of the API is the first row of the top-sources panel.
		var top struct {
			Tables []struct{ Rows []map[string]any }
		}
		d.api(t, "top?by=src&limit=1", &top)
		first := fmt.Sprint(top.Tables[0].Rows[0]["srcaddr"])
		var panelText string
		b.run(t, "top sources", chromedp.Text(`[data-testid=panel-top-src]`, &panelText, chromedp.ByQuery))
		if !strings.Contains(panelText, first) {
			t.Errorf("the top sources panel does not show the top source %s: %q", first, panelText)
		}
		var ms float64
		b.run(t, "render time", chromedp.Evaluate(`window.__flowlens.dashboardRenderMs`, &ms))
		tm.DashboardFirstMs = ms
		b.screenshot(t, "dashboard")
		b.noErrors(t)
		// A second load, with the store warm.
		b.run(t, "reload", chromedp.Navigate("about:blank"), chromedp.Navigate(d.url+"#/dashboard"))
		b.waitFor(t, "the dashboard again", `document.body.dataset.dashboard === "ready"`, time.Minute)
		b.run(t, "render time", chromedp.Evaluate(`window.__flowlens.dashboardRenderMs`, &tm.DashboardWarmMs))
		t.Logf("dashboard first render %.0f ms (cold), %.0f ms (warm), %d flows", tm.DashboardFirstMs, tm.DashboardWarmMs, d.n)
	})

	t.Run("filter", func(t *testing.T) {
		want := d.flowsOf(t, "where="+url.QueryEscape("action=REJECT"))
		if want == 0 || want >= uint64(d.n) {
			t.Fatalf("the data has %d rejected flows of %d: the filter tests nothing", want, d.n)
		}
		b.run(t, "type a filter",
			chromedp.SetValue(`[data-testid=filter-where]`, "action=REJECT", chromedp.ByQuery),
			chromedp.Click(`[data-testid=filter-apply]`, chromedp.ByQuery))
		b.waitFor(t, "the filtered totals", fmt.Sprintf(`(() => { const e = document.querySelector('[data-testid=total-flows]');
			return document.body.dataset.dashboard === "ready" && e && +e.dataset.value === %d })()`, want), time.Minute)
		var hash string
		b.run(t, "url", chromedp.Evaluate(`decodeURIComponent(location.hash)`, &hash))
		if !strings.Contains(hash, "where=action=REJECT") {
			t.Errorf("the URL does not hold the filter: %q", hash)
		}
		b.screenshot(t, "dashboard-rejected")
		b.noErrors(t)
	})

	// The graph with the UI's defaults made explicit, so the API gives the
	// same graph.
	gq := "group=ip&top_k=1500&max_nodes=500"
	var g graph.Graph
	d.api(t, "graph?"+gq, &g)
	t.Run("graph", func(t *testing.T) {
		b.run(t, "open the graph", chromedp.Navigate(d.url+"#/graph?"+gq))
		b.waitFor(t, "the graph", `document.body.dataset.graph === "ready"`, time.Minute)
		nodes := b.jsInt(t, `+document.querySelector('[data-testid=graph-count]').dataset.nodes`)
		edges := b.jsInt(t, `+document.querySelector('[data-testid=graph-count]').dataset.edges`)
		if nodes != int64(len(g.Nodes)) || edges != int64(len(g.Edges)) {
			t.Errorf("graph shows %d nodes and %d edges, the API has %d and %d", nodes, edges, len(g.Nodes), len(g.Edges))
		}
		if len(g.Nodes) < 100 {
			t.Errorf("only %d nodes: the test should draw a big graph", len(g.Nodes))
		}
		if parents := b.jsInt(t, `window.__flowlens.cy.nodes(':parent').length`); parents != int64(len(g.Groups)) || parents == 0 {
			t.Errorf("%d compound boxes drawn, the graph has %d subnets and VPCs", parents, len(g.Groups))
		}
		b.run(t, "layout time", chromedp.Evaluate(`window.__flowlens.graph.layoutMs`, &tm.GraphLayoutMs),
			chromedp.Evaluate(`window.__flowlens.graph.totalMs || 0`, &tm.GraphTotalMs))
		tm.GraphNodes, tm.GraphEdges = nodes, edges
		b.screenshot(t, "graph")
		b.noErrors(t)
	})

	t.Run("graph-click", func(t *testing.T) {
		// The heaviest node with flows to show: centre it, click it.
		var pick *graph.Node
		for i := range g.Nodes {
			n := &g.Nodes[i]
			if n.Match != nil && (pick == nil || n.Totals.Bytes > pick.Totals.Bytes) {
				pick = n
			}
		}
		if pick == nil {
			t.Fatal("no node has a flow filter")
		}
		id, _ := json.Marshal(pick.ID)
		var xy []float64
		b.run(t, "centre the node", chromedp.Evaluate(fmt.Sprintf(`(() => { const cy = window.__flowlens.cy, n = cy.getElementById(%s);
			cy.zoom(2); cy.center(n); const p = n.renderedPosition(), r = cy.container().getBoundingClientRect();
			return [r.left + p.x, r.top + p.y] })()`, id), &xy))
		b.run(t, "click the node", chromedp.MouseClickXY(xy[0], xy[1]))
		b.waitFor(t, "the side panel's flows", `document.querySelectorAll('[data-testid=side-panel] [data-testid=side-flows] tr[data-row]').length > 0`, 30*time.Second)
		var title string
		b.run(t, "side panel title", chromedp.Text(`[data-testid=side-title]`, &title, chromedp.ByQuery))
		if !strings.Contains(title, pick.Label) {
			t.Errorf("side panel for %q, clicked %q", title, pick.Label)
		}
		// Every flow listed is the node's.
		var cells []string
		b.run(t, "side flows", chromedp.Evaluate(`[...document.querySelectorAll('[data-testid=side-flows] tr[data-row]')].map(r => r.textContent)`, &cells))
		addr := strings.TrimPrefix(pick.Match.Src, "srcaddr=")
		for _, c := range cells {
			if !strings.Contains(c, strings.Split(addr, "|")[0]) && !strings.Contains(addr, "/") {
				t.Errorf("a flow of the side panel does not involve %s: %q", addr, c)
				break
			}
		}
		b.screenshot(t, "graph-node")
		b.noErrors(t)
	})

	t.Run("graph-rejected", func(t *testing.T) {
		// Weighted by flows, the scans' rejected edges are among the top.
		q := "group=ip&weight=flows&top_k=400&max_nodes=500"
		var rg graph.Graph
		d.api(t, "graph?"+q, &rg)
		rejected := 0
		for _, e := range rg.Edges {
			if e.Rejected.Flows > 0 {
				rejected++
			}
		}
		if rejected == 0 || rejected == len(rg.Edges) {
			t.Fatalf("%d of %d edges carry rejected flows: the test needs both kinds", rejected, len(rg.Edges))
		}
		b.run(t, "open the graph", chromedp.Navigate(d.url+"#/graph?"+q))
		b.waitFor(t, "the graph", `document.body.dataset.graph === "ready" && location.hash.includes("weight=flows")`, time.Minute)
		red := b.jsInt(t, `window.__flowlens.cy.edges().filter(e => {
			const m = /rgb\((\d+),\s*(\d+),\s*(\d+)\)/.exec(e.style('line-color'));
			return m && +m[1] > 150 && +m[2] < 110 && +m[3] < 110 }).length`)
		if red != int64(rejected) {
			t.Errorf("%d edges drawn red, %d edges carry rejected flows", red, rejected)
		}
		b.screenshot(t, "graph-rejected")
		b.noErrors(t)
	})

	t.Run("graph-500-nodes", func(t *testing.T) {
		q := "group=ip&max_nodes=500&top_k=4000"
		var bg graph.Graph
		d.api(t, "graph?"+q, &bg)
		b.run(t, "open the graph", chromedp.Navigate(d.url+"#/graph?"+q))
		b.waitFor(t, "the graph", `document.body.dataset.graph === "ready" && location.hash.includes("top_k=4000")`, 2*time.Minute)
		nodes := b.jsInt(t, `+document.querySelector('[data-testid=graph-count]').dataset.nodes`)
		if nodes != int64(len(bg.Nodes)) {
			t.Errorf("graph shows %d nodes, the API has %d", nodes, len(bg.Nodes))
		}
		tm.Big.Nodes, tm.Big.Edges = nodes, int64(len(bg.Edges))
		b.run(t, "layout time", chromedp.Evaluate(`window.__flowlens.graph.layoutMs`, &tm.Big.LayoutMs),
			chromedp.Evaluate(`window.__flowlens.graph.totalMs || 0`, &tm.Big.TotalMs))
		t.Logf("%d nodes, %d edges: layout %.0f ms, until drawn %.0f ms", nodes, len(bg.Edges), tm.Big.LayoutMs, tm.Big.TotalMs)
		b.screenshot(t, "graph-500")
		b.noErrors(t)
	})

	t.Run("flows", func(t *testing.T) {
		b.run(t, "open the flows", chromedp.Navigate(d.url+"#/flows?where="+url.QueryEscape("action=REJECT")+"&limit=50"))
		b.waitFor(t, "the flows", `document.querySelectorAll('[data-testid=flows-table] tr[data-row]').length === 50`, time.Minute)
		var first string
		b.run(t, "first row", chromedp.Text(`[data-testid=flows-table] tr[data-row]`, &first, chromedp.ByQuery))
		if !strings.Contains(first, "REJECT") {
			t.Errorf("a flow of the REJECT filter: %q", first)
		}
		b.run(t, "next page", chromedp.Click(`[data-testid=flows-next]`, chromedp.ByQuery))
		b.waitFor(t, "the next page", `decodeURIComponent(location.hash).includes("offset=50")`, 30*time.Second)
		b.waitFor(t, "the rows of the next page", fmt.Sprintf(`(() => { const r = document.querySelector('[data-testid=flows-table] tr[data-row]');
			return r && r.textContent !== %q })()`, first), 30*time.Second)
		var href string
		b.run(t, "csv link", chromedp.AttributeValue(`[data-testid=download-csv]`, "href", &href, nil, chromedp.ByQuery))
		if !strings.Contains(href, "output=csv") || !strings.Contains(href, "where=") {
			t.Errorf("csv download link %q", href)
		}
		b.screenshot(t, "flows")
		b.noErrors(t)
	})

	t.Run("html-export", func(t *testing.T) {
		cfg := graph.DefaultConfiguration()
		cfg.TopK = 600
		var err error
		if cfg.Subnets, err = enrich.SubnetsFromInventory(d.inv); err != nil {
			t.Fatal(err)
		}
		if cfg.Aliases, err = enrich.FromInventory(d.inv); err != nil {
			t.Fatal(err)
		}
		sg, err := graph.Build(context.Background(), d.store, cfg)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "graph.html")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := GraphHTML(f, sg); err != nil {
			t.Fatal(err)
		}
		f.Close()
		b.run(t, "open the html export", chromedp.Navigate("file://"+path))
		b.waitFor(t, "the offline graph", `document.body.dataset.graph === "ready"`, time.Minute)
		tm.StandaloneNodes = b.jsInt(t, `window.__flowlens.graph.nodes`)
		if tm.StandaloneNodes != int64(len(sg.Nodes)) {
			t.Errorf("the html export shows %d nodes, the graph has %d", tm.StandaloneNodes, len(sg.Nodes))
		}
		b.run(t, "layout time", chromedp.Evaluate(`window.__flowlens.graph.layoutMs`, &tm.StandaloneLayoutMs))
		b.screenshot(t, "graph-html-export")
		b.noErrors(t)
	})

	out, _ := json.MarshalIndent(tm, "", "  ")
	if err := os.WriteFile(filepath.Join(artifacts(t), "ui-timings.json"), out, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("timings: %s", out)
}
