package ingest

import (
	"bytes"
	"compress/gzip"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/source/file"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/memory"
)

const line = "2 123456789012 eni-a 10.0.0.1 10.0.0.2 40000 %d 6 1 40 1700000000 1700000060 %s OK\n"

func write(t *testing.T, dir, name, body string, gz bool) {
	t.Helper()
	data := []byte(body)
	if gz {
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write(data)
		w.Close()
		data = b.Bytes()
	}
	if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func lines(n int, action string) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteString(strings.Replace(strings.Replace(line, "%d", "22", 1), "%s", action, 1))
	}
	return b.String()
}

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.log", lines(10, "ACCEPT")+"broken line\n", false)
	write(t, dir, "b.log.gz", lines(5, "REJECT"), true)
	write(t, dir, "copy.log", lines(10, "ACCEPT")+"broken line\n", false) // same content as a.log
	// A truncated gzip object: rolled back, reported, not in the ledger.
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write([]byte(lines(100, "ACCEPT")))
	w.Close()
	if err := os.WriteFile(filepath.Join(dir, "bad.log.gz"), b.Bytes()[:b.Len()/2], 0o644); err != nil {
		t.Fatal(err)
	}
	objs, _, err := file.List(file.DefaultConfiguration(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	s := memory.New(memory.DefaultConfiguration())
	ctx := context.Background()
	sum, err := Run(ctx, s, file.DefaultConfiguration(), parse.DefaultConfig(), objs, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Records != 15 || sum.Ingested != 2 || sum.Duplicates != 1 || sum.Failed != 1 || sum.Malformed != 3 || len(sum.Failures) != 1 || !strings.Contains(sum.Failures[0].Object, "bad.log.gz") {
		t.Fatalf("summary %+v", sum)
	}
	srcs, _ := s.Sources(ctx)
	if len(srcs) != 3 {
		t.Fatalf("ledger: %d entries, want 3 (the failed object is not recorded)", len(srcs))
	}
	// Idempotent: nothing new.
	again, err := Run(ctx, s, file.DefaultConfiguration(), parse.DefaultConfig(), objs, nil, nil)
	if err != nil || again.Records != 0 || again.Skipped != 3 || again.Failed != 1 {
		t.Fatalf("second run %+v %v", again, err)
	}
	res, err := s.Query(ctx, store.Query{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldAction)}, Measures: []store.Measure{store.Flows}})
	if err != nil || len(res.Rows) != 2 {
		t.Fatalf("query: %v %v", res, err)
	}
}

func TestRunKeep(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "a.log", lines(10, "ACCEPT")+lines(4, "REJECT"), false)
	objs, _, _ := file.List(file.DefaultConfiguration(), []string{dir})
	s := memory.New(memory.DefaultConfiguration())
	rejected := func(r *flowlog.Record) bool { return r.Action == flowlog.ActionReject }
	sum, err := Run(context.Background(), s, file.DefaultConfiguration(), parse.DefaultConfig(), objs, nil, rejected)
	if err != nil || sum.Records != 4 || sum.Lines != 14 {
		t.Fatalf("summary %+v %v", sum, err)
	}
}
