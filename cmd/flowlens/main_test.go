package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// runCLI runs flowlens in-process and returns stdout, stderr and the exit code.
func runCLI(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb}
	code := a.run(context.Background(), args)
	return out.String(), errb.String(), code
}

func jsonLines(t *testing.T, s string) []map[string]any {
	t.Helper()
	var out []map[string]any
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("bad JSON line %q: %v", sc.Text(), err)
		}
		out = append(out, m)
	}
	return out
}

func TestCatJSONLShape(t *testing.T) {
	in := "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" +
		"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK\n" +
		"2 unknown eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA\n" +
		"this line is broken\n"
	out, errs, code := runCLI(t, in, "cat", "-")
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	recs := jsonLines(t, out)
	if len(recs) != 2 {
		t.Fatalf("%d records, want 2:\n%s", len(recs), out)
	}
	want := map[string]any{"version": 2.0, "account_id": "123456789010", "interface_id": "eni-1235b8ca123456789",
		"srcaddr": "172.31.16.139", "dstaddr": "172.31.16.21", "srcport": 20641.0, "dstport": 22.0, "protocol": 6.0,
		"packets": 20.0, "bytes": 4249.0, "start": 1418530010.0, "end": 1418530070.0, "action": "ACCEPT", "log_status": "OK"}
	for k, v := range want {
		if recs[0][k] != v {
			t.Errorf("%s = %#v, want %#v", k, recs[0][k], v)
		}
	}
	if len(recs[1]) != 6 || recs[1]["account_id"] != "unknown" || recs[1]["srcaddr"] != nil {
		t.Errorf("NODATA record: %v", recs[1])
	}
	if !strings.Contains(errs, "-:4: field-count") || !strings.Contains(errs, "1 malformed line") {
		t.Errorf("stderr should name the bad line:\n%s", errs)
	}
	// --strict turns it into exit code 3.
	if _, _, code := runCLI(t, in, "cat", "--strict", "-"); code != exitMalformed {
		t.Errorf("--strict exit %d, want %d", code, exitMalformed)
	}
}

func TestExitCodes(t *testing.T) {
	f := func(want int, stderr string, args ...string) {
		t.Helper()
		_, errs, code := runCLI(t, "", args...)
		if code != want || !strings.Contains(errs, stderr) {
			t.Errorf("flowlens %v: exit %d (want %d), stderr:\n%s", args, code, want, errs)
		}
	}
	f(exitUsage, "unknown flag", "cat", "--nope", "x")
	f(exitUsage, "missing PATH", "stats")
	f(exitUsage, "--format", "cat", "--format", "${version", "x")
	f(exitUsage, "--from", "stats", "--from", "yesterday", "x")
	f(exitUsage, "parquet", "cat", "-o", "xml", "-")
	f(exitError, "no-such-file", "stats", "no-such-file")
	f(exitUsage, "--out", "generate")
}

// TestPipeline generates an S3 tree, then checks that stats, cat and the
// Parquet round trip all see the same records.
func TestPipeline(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	if _, errs, code := runCLI(t, "", "generate", "--seed", "3", "--records", "5000", "--layout", "s3", "--hourly", "--out", data); code != 0 {
		t.Fatalf("generate: %s", errs)
	}
	out, errs, code := runCLI(t, "", "stats", "-o", "json", data)
	if code != 0 {
		t.Fatalf("stats: %s", errs)
	}
	var stats map[string][]map[string]any
	if err := json.Unmarshal([]byte(out), &stats); err != nil {
		t.Fatalf("stats JSON: %v\n%s", err, out)
	}
	summary := stats["summary"][0]
	if summary["records"] != 5000.0 || summary["malformed_lines"] != 0.0 || summary["interfaces"].(float64) < 10 {
		t.Fatalf("summary: %v", summary)
	}
	if !strings.Contains(errs, "inventory.json") {
		t.Errorf("stats should say it skipped inventory.json:\n%s", errs)
	}
	jl, _, code := runCLI(t, "", "cat", data)
	if code != 0 || len(jsonLines(t, jl)) != 5000 {
		t.Fatalf("cat: exit %d, %d records", code, len(jsonLines(t, jl)))
	}
	pq := filepath.Join(dir, "all.parquet")
	if _, errs, code := runCLI(t, "", "cat", "-o", "parquet", "-O", pq, data); code != 0 {
		t.Fatalf("cat -o parquet: %s", errs)
	}
	back, errs, code := runCLI(t, "", "cat", pq)
	if code != 0 || back != jl {
		t.Fatalf("parquet round trip differs (exit %d): %s", code, errs)
	}
	// --from/--to prune whole folders and files without opening them.
	_, errs, code = runCLI(t, "", "stats", "--from", "2027-01-01", data)
	if code != 0 || !strings.Contains(errs, "outside --from/--to") {
		t.Fatalf("pruning: exit %d\n%s", code, errs)
	}
}

// TestBinary runs the built binary the way a user would.
func TestBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "flowlens")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	gen := exec.Command(bin, "generate", "--records", "1000", "--layout", "flat", "--out", "-")
	cat := exec.Command(bin, "cat", "-o", "csv", "-")
	pipe, err := gen.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cat.Stdin = pipe
	var out bytes.Buffer
	cat.Stdout, cat.Stderr = &out, os.Stderr
	if err := gen.Start(); err != nil {
		t.Fatal(err)
	}
	if err := cat.Run(); err != nil {
		t.Fatal(err)
	}
	if err := gen.Wait(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 1001 || lines[0] != "version,account_id,interface_id,srcaddr,dstaddr,srcport,dstport,protocol,packets,bytes,start,end,action,log_status" {
		t.Fatalf("%d lines, header %q", len(lines), lines[0])
	}
	if err := exec.Command(bin, "stats", "--strict", "/nonexistent").Run(); err == nil {
		t.Fatal("stats of a missing path succeeded")
	} else if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitError {
		t.Fatalf("exit: %v", err)
	}
}
