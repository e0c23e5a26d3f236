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
