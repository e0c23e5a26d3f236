package webui

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/analysis/graph"
)

var update = flag.Bool("update", false, "rewrite the golden files")

func TestInlineSafe(t *testing.T) {
	cases := []struct{ in, end, want string }{
		{`a</script>b`, "</script", `a<\/script>b`},
		{`x="</SCRIPT>";y="</ScRiPt"`, "</script", `x="<\/SCRIPT>";y="<\/ScRiPt"`},
		{`</scrip`, "</script", `</scrip`},
		{`</scriptx</`, "</script", `<\/scriptx</`},
		{`a</style>`, "</style", `a<\/style>`},
		{`1</2`, "</script", `1</2`},
		{``, "</script", ``},
	}
	for _, c := range cases {
		if got := string(inlineSafe([]byte(c.in), c.end)); got != c.want {
			t.Errorf("inlineSafe(%q, %q) = %q, want %q", c.in, c.end, got, c.want)
		}
	}
}

func sampleGraph() *graph.Graph {
	return &graph.Graph{
		Group: graph.Group{Kind: graph.GroupIP}, Weight: "bytes",
		Nodes: []graph.Node{
			{ID: "10.0.1.5", Label: "web </script><script>alert(1)</script>", Kind: graph.KindInternal, Group: "subnet-1",
				Totals: graph.Counts{Flows: 3, Packets: 30, Bytes: 3000}},
			{ID: "198.51.100.7", Label: "198.51.100.7", Kind: graph.KindExternal, External: true,
				Totals: graph.Counts{Flows: 3, Packets: 30, Bytes: 3000}},
		},
		Edges: []graph.Edge{{Src: "198.51.100.7", Dst: "10.0.1.5", Count: 3,
			Counts: graph.Counts{Flows: 3, Packets: 30, Bytes: 3000}, Rejected: graph.Counts{Flows: 1, Packets: 1, Bytes: 40}}},
		Groups: []graph.Container{{ID: "subnet-1", Label: "web-a (subnet-1)", Kind: graph.ContainerSubnet}},
		Totals: graph.Counts{Flows: 3, Packets: 30, Bytes: 3000},
		Shown:  graph.Counts{Flows: 3, Packets: 30, Bytes: 3000},
	}
}

// TestGraphHTMLGolden: the page around the viewer (with a stand-in
// viewer): inlined styles, script and data, and a policy forbidding the
// network.
func TestGraphHTMLGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := writeGraphHTML(&buf, sampleGraph(), []byte(`console.log("</script>")`), []byte(`body{margin:0}`)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "graph.html")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("graph html differs from %s (go test -update, then review):\n%s", path, buf.String())
	}
	// Exactly two script elements and one style element: nothing in the
	// data or the script closed them early.
	page := buf.String()
	if n := strings.Count(strings.ToLower(page), "</script>"); n != 2 {
		t.Errorf("%d </script> tags, want 2", n)
	}
	m := regexp.MustCompile(`(?s)<script type="application/json" id="flowlens-graph-data">(.*?)</script>`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no graph data element")
	}
	var back struct {
		graph.Graph
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(m[1]), &back); err != nil {
		t.Fatalf("the embedded data is not the graph's JSON: %v", err)
	}
	if back.Nodes[0].Label != sampleGraph().Nodes[0].Label || len(back.Edges) != 1 || back.Title == "" {
		t.Errorf("embedded graph = %+v", back)
	}
	if !strings.Contains(page, `content="default-src 'none';`) {
		t.Error("no content security policy forbidding the network")
	}
}

// TestGraphHTMLWithBundle writes the page with the real viewer when the
// UI is built (make ui); a build without it says how to get it.
func TestGraphHTMLWithBundle(t *testing.T) {
	var buf bytes.Buffer
	err := GraphHTML(&buf, sampleGraph())
	if errors.Is(err, ErrNotBuilt) {
		if os.Getenv("CI") == "true" {
			t.Fatal("the web UI is not built: make test builds it (make ui) before the Go tests")
		}
		t.Skip("web UI not built (make ui)")
	}
	if err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	if n := strings.Count(strings.ToLower(page), "</script>"); n != 2 {
		t.Errorf("%d </script> tags, want 2 (the bundle closed its element?)", n)
	}
	if len(page) < 100_000 {
		t.Errorf("page of %d bytes: the viewer bundle looks truncated", len(page))
	}
	for _, ref := range []string{`src="http`, `href="http`, `src="//`, `href="//`} {
		if strings.Contains(page, ref) {
			t.Errorf("the page loads something from the network: %s", ref)
		}
	}
}

func TestAppNotBuilt(t *testing.T) {
	app, err := App()
	if err != nil {
		if !errors.Is(err, ErrNotBuilt) {
			t.Fatal(err)
		}
		if os.Getenv("CI") == "true" {
			t.Fatal("the web UI is not built: make test builds it (make ui) before the Go tests")
		}
		t.Skip("web UI not built")
	}
	b, err := fs.ReadFile(app, "index.html")
	if err != nil || !bytes.Contains(b, []byte("<")) {
		t.Fatalf("index.html: %v %q", err, b)
	}
}
