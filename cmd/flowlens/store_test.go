package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// TestStoreCommands ingests a generated tree and runs every query-like
// command against it, checking their answers against each other.
func TestStoreCommands(t *testing.T) {
	dir := t.TempDir()
	gen, data := filepath.Join(dir, "gen"), filepath.Join(dir, "store")
	if _, errs, code := runCLI(t, "", "generate", "--seed", "5", "--records", "20000", "--layout", "hive", "--out", gen); code != 0 {
		t.Fatalf("generate: %s", errs)
	}
	out, errs, code := runCLI(t, "", "ingest", "--data", data, "--json", gen)
	if code != 0 {
		t.Fatalf("ingest: %s", errs)
	}
	var sum struct{ Records, Ingested, Skipped int }
	if err := json.Unmarshal([]byte(out), &sum); err != nil || sum.Records != 20000 || sum.Ingested == 0 {
		t.Fatalf("ingest summary %+v (%v):\n%s", sum, err, out)
	}
	// Idempotent: a second ingest adds nothing.
	out, _, code = runCLI(t, "", "ingest", "--data", data, "--json", gen)
	var again struct{ Records, Ingested, Skipped int }
	if err := json.Unmarshal([]byte(out), &again); err != nil || code != 0 || again.Records != 0 || again.Skipped != sum.Ingested {
		t.Fatalf("second ingest %+v (exit %d)", again, code)
	}
	q := func(sql string) [][]any {
		t.Helper()
		out, errs, code := runCLI(t, "", "query", "--data", data, "-o", "json", sql)
		if code != 0 {
			t.Fatalf("query %q: %s", sql, errs)
		}
		var rows []map[string]any
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatalf("query output: %v\n%s", err, out)
		}
		var res [][]any
		for _, r := range rows {
			res = append(res, []any{r["n"]})
		}
		return res
	}
	if got := q("SELECT count(*) AS n FROM flows"); got[0][0] != 20000.0 {
		t.Fatalf("count = %v", got)
	}
	rejected22 := q("SELECT count(*) AS n FROM flows WHERE dstport = 22 AND protocol = 6 AND action = 'REJECT'")[0][0].(float64)
	// The CloudWatch pattern of the AWS documentation selects the same flows.
	out, errs, code = runCLI(t, "", "filter", "--data", data, "-o", "jsonl", "--limit", "100000",
		`[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]`)
	if code != 0 || float64(len(jsonLines(t, out))) != rejected22 || rejected22 == 0 {
		t.Fatalf("filter: exit %d, %d flows, want %v: %s", code, len(jsonLines(t, out)), rejected22, errs)
	}
	// --where agrees with SQL.
	out, _, _ = runCLI(t, "", "top", "dstport", "--data", data, "--where", "action=REJECT,dstport=22", "--by", "flows", "-o", "json")
	var top []map[string]any
	if err := json.Unmarshal([]byte(out), &top); err != nil || len(top) != 1 {
		t.Fatalf("top: %v\n%s", err, out)
	}
	if top[0]["flows"] != rejected22 {
		t.Fatalf("top dstport flows %v, want %v (%v)", top[0]["flows"], rejected22, top[0])
	}
	// One-shot mode on files gives the same ranking as the store.
	stored, _, _ := runCLI(t, "", "top", "src", "--data", data, "-o", "csv")
	oneshot, errs, code := runCLI(t, "", "top", "src", "-o", "csv", gen)
	if code != 0 || stored != oneshot || !strings.Contains(stored, "srcaddr") {
		t.Fatalf("one-shot differs (exit %d, %s):\n%s\nvs\n%s", code, errs, oneshot, stored)
	}
	// A pattern in one-shot mode is applied while reading, in Go: same
	// answer as the store's SQL.
	wantRej, _, _ := runCLI(t, "", "top", "dstport", "--data", data, "--where", "action=REJECT", "-o", "csv")
	gotRej, errs, code := runCLI(t, "", "top", "dstport", "--pattern", "[..., action=REJECT, status]", "-o", "csv", gen)
	if code != 0 || gotRej != wantRej || !strings.Contains(gotRej, "22") {
		t.Fatalf("one-shot pattern (exit %d, %s):\n%s\nvs\n%s", code, errs, gotRej, wantRej)
	}
	for _, args := range [][]string{
		{"summary", "--data", data, "-o", "json"},
		{"report", "--data", data, "top-talkers"},
		{"report", "--data", data, "rejected-traffic", "--since", "10000d"},
		{"sources", "--data", data, "-o", "csv"},
		{"report", "--list"},
	} {
		if out, errs, code := runCLI(t, "", args...); code != 0 || len(out) < 50 {
			t.Errorf("%v: exit %d, %d bytes: %s", args, code, len(out), errs)
		}
	}
	// The sandbox: files, network, catalog and settings are out of reach.
	for _, sql := range []string{
		"SELECT * FROM read_csv('/etc/passwd')",
		"COPY (SELECT 1) TO '/tmp/flowlens-escape.csv'",
		"ATTACH '/tmp/x.db'",
		"INSTALL httpfs",
		"SET enable_external_access = true",
		"DROP VIEW flows",
		"SELECT 1; SELECT 2",
	} {
		if _, errs, code := runCLI(t, "", "query", "--data", data, sql); code == 0 || !strings.Contains(errs, "flowlens:") {
			t.Errorf("%q was allowed (exit %d): %s", sql, code, errs)
		}
	}
	// Bad patterns and reports are usage errors.
	if _, errs, code := runCLI(t, "", "filter", "--data", data, "[a, b"); code != exitUsage {
		t.Errorf("bad pattern: exit %d: %s", code, errs)
	}
	if _, errs, code := runCLI(t, "", "report", "--data", data, "nope"); code != exitUsage || !strings.Contains(errs, "top-talkers") {
		t.Errorf("unknown report: exit %d: %s", code, errs)
	}
	// Prune everything before the far future: nothing left.
	if out, errs, code := runCLI(t, "", "prune", "--data", data, "--before", "2100-01-01"); code != 0 || !strings.Contains(out, "pruned") {
		t.Fatalf("prune: %s %s", out, errs)
	}
	if got := q("SELECT count(*) AS n FROM flows"); got[0][0] != 0.0 {
		t.Fatalf("after prune: %v", got)
	}
	if _, errs, code := runCLI(t, "", "summary", "--data", filepath.Join(dir, "none")); code != exitError || !strings.Contains(errs, "ingest flow logs first") {
		t.Errorf("missing data dir: exit %d: %s", code, errs)
	}
}
