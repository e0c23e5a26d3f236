package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGraphCommand(t *testing.T) {
	dir := t.TempDir()
	gen := filepath.Join(dir, "gen")
	if _, errs, code := runCLI(t, "", "generate", "--seed", "9", "--records", "3000", "--layout", "flat", "--out", gen); code != 0 {
		t.Fatalf("generate: %s", errs)
	}
	logs := filepath.Join(gen, "flowlogs.log")
	out, errs, code := runCLI(t, "", "graph", "-o", "json", "--min-flows", "2", logs)
	if code != 0 {
		t.Fatalf("graph: %s", errs)
	}
	var g struct {
		Nodes []struct{ ID string }
		Edges []struct {
			Src, Dst string
			Count    float64
		}
	}
	if err := json.Unmarshal([]byte(out), &g); err != nil || len(g.Nodes) == 0 || len(g.Edges) == 0 {
		t.Fatalf("graph json: %v\n%.300s", err, out)
	}
	for _, e := range g.Edges {
		if e.Count < 2 {
			t.Fatalf("--min-flows 2 kept an edge with %v flows", e.Count)
		}
	}
	dot, _, code := runCLI(t, "", "graph", "-o", "dot", "--action", "REJECT", logs)
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(dot[strings.Index(dot, "digraph"):]), "digraph") || !strings.Contains(dot, "#d62728") && !strings.Contains(dot, "red") {
		t.Fatalf("rejected dot graph should have red edges:\n%.500s", dot)
	}
	// Pseudonymised: no original address is left.
	t.Setenv("FLOWLENS_PSEUDONYM_KEY", "0123456789abcdef0123456789abcdef")
	pseudo, errs, code := runCLI(t, "", "graph", "-o", "json", "--pseudonymize", logs)
	if code != 0 {
		t.Fatalf("pseudonymize: %s", errs)
	}
	for _, n := range g.Nodes {
		if strings.Contains(pseudo, `"`+n.ID+`"`) {
			t.Fatalf("original node %s in the pseudonymised graph", n.ID)
		}
	}
	os.Unsetenv("FLOWLENS_PSEUDONYM_KEY")
	if _, errs, code := runCLI(t, "", "graph", "--pseudonymize", logs); code != exitUsage || !strings.Contains(errs, "key") {
		t.Fatalf("pseudonymize without a key: exit %d %s", code, errs)
	}
}

func TestServeRefusesOpenAddressWithoutToken(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "store")
	logs := filepath.Join(dir, "a.log")
	if err := os.WriteFile(logs, []byte("2 123456789012 eni-a 10.0.0.1 10.0.0.2 40000 22 6 1 40 1700000000 1700000060 ACCEPT OK\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, errs, code := runCLI(t, "", "ingest", "--quiet", "--data", data, logs); code != 0 {
		t.Fatal(errs)
	}
	_, errs, code := runCLI(t, "", "serve", "--data", data, "--listen", "0.0.0.0:0")
	if code != exitUsage || !strings.Contains(errs, "--token") {
		t.Fatalf("exit %d: %s", code, errs)
	}
}

// TestGraphHTMLAndDemo: -o html writes one self-contained page (when the
// binary has the UI), with --inventory naming interfaces; demo generates,
// stores and summarises, and reuses its data the second time.
func TestGraphHTMLAndDemo(t *testing.T) {
	dir := t.TempDir()
	demo := filepath.Join(dir, "demo")
	out, errs, code := runCLI(t, "", "demo", "--dir", demo, "--records", "4000", "--duration", "1h")
	if code != 0 {
		t.Fatalf("demo: exit %d: %s", code, errs)
	}
	for _, want := range []string{"Top talkers", "demo --serve", "--inventory"} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	for _, step := range []string{"$ flowlens generate", "$ flowlens stats", "$ flowlens ingest", "$ flowlens summary"} {
		if !strings.Contains(errs, step) {
			t.Errorf("demo did not show the step %q:\n%s", step, errs)
		}
	}
	_, errs, code = runCLI(t, "", "demo", "--dir", demo, "--records", "4000", "--duration", "1h")
	if code != 0 || !strings.Contains(errs, "reusing") || strings.Contains(errs, "$ flowlens generate") {
		t.Fatalf("second demo should reuse the data: exit %d: %s", code, errs)
	}
	store, inv := filepath.Join(demo, "store"), filepath.Join(demo, "logs", "inventory.json")
	page := filepath.Join(dir, "graph.html")
	_, errs, code = runCLI(t, "", "graph", "--data", store, "--inventory", inv, "--group", "subnet", "-o", "html", "-O", page)
	if webuiMissing(errs) {
		if os.Getenv("CI") == "true" {
			t.Fatalf("graph -o html without the UI in CI: %s", errs)
		}
		t.Skip("web UI not built")
	}
	if code != 0 {
		t.Fatalf("graph -o html: exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	html := string(b)
	for _, want := range []string{"<!doctype html>", `id="flowlens-graph-data"`, "subnet-", "default-src 'none'"} {
		if !strings.Contains(html, want) {
			t.Errorf("graph.html lacks %q", want)
		}
	}
	// The subnet names of the inventory label the nodes.
	if !strings.Contains(html, "prod-") {
		t.Error("graph.html has no subnet names from --inventory")
	}
}

func webuiMissing(errs string) bool { return strings.Contains(errs, "built without the web UI") }
