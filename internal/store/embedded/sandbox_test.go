package embedded

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/storetest"
)

func TestStripExplain(t *testing.T) {
	f := func(in, want string, ok bool) {
		t.Helper()
		got, gotOK := stripExplain(in)
		if got != want || gotOK != ok {
			t.Errorf("stripExplain(%q) = %q, %v; want %q, %v", in, got, gotOK, want, ok)
		}
	}
	f("EXPLAIN SELECT 1", "SELECT 1", true)
	f("  explain analyze\n SELECT 1", "SELECT 1", true)
	f("EXPLAIN (FORMAT json) SELECT 1", "SELECT 1", true)
	f("EXPLAIN (FORMAT 'a)b') COPY x TO 'y'", "COPY x TO 'y'", true)
	f("/* c */ EXPLAIN -- c\n ANALYSE FROM flows", "FROM flows", true)
	f("EXPLAINED SELECT 1", "", false)
	f("EXPLAIN (FORMAT json", "", false)
	f("EXPLAIN", "", false)
	f("SELECT 1", "", false)
}

// listFiles returns the names of the files under dir.
func listFiles(dir string) []string {
	var out []string
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			out = append(out, path)
		}
		return nil
	})
	return out
}

// FuzzSandboxSQL runs arbitrary statements through the sandbox: whatever
// they do, the stored data, the views and the file system stay untouched.
func FuzzSandboxSQL(f *testing.F) {
	dir := f.TempDir()
	outside := f.TempDir()
	out := filepath.Join(outside, "x")
	for _, q := range []string{
		"SELECT count(*) FROM flows",
		"COPY (SELECT 1) TO '" + out + "'",
		"COPY flows TO '" + filepath.Join(dir, dataDir, "raw", "x.parquet") + "'",
		"EXPLAIN ANALYZE COPY flows TO '" + filepath.Join(dir, dataDir, "y.csv") + "'",
		"EXPLAIN (FORMAT json) COPY flows TO '" + out + "'",
		"ATTACH '" + out + ".db'",
		"CREATE TABLE t AS SELECT 1",
		"DROP VIEW flows",
		"SELECT 1; DROP VIEW flows",
		"SET enable_external_access = true",
		"INSTALL httpfs",
		"LOAD '" + out + "'",
		"SELECT * FROM read_csv('/etc/passwd')",
		"WITH x AS (SELECT * FROM flows) SELECT count(*) FROM x",
		"PRAGMA show_tables",
		"CALL pragma_version()",
		"SELECT * FROM query('DROP VIEW flows')",
		"EXPORT DATABASE '" + outside + "'",
	} {
		f.Add(q)
	}
	s, err := Open(testConfig(dir))
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	w, err := s.OpenWriter(ctx)
	if err != nil {
		f.Fatal(err)
	}
	recs := storetest.Generate(storetest.GenConfig{Seed: 9, N: 250, Start: day0Test, Span: 2 * time.Hour})
	a, _, err := w.Begin(ctx, store.SourceID{Name: "seed"})
	if err != nil {
		f.Fatal(err)
	}
	if err := a.Append(recs); err != nil {
		f.Fatal(err)
	}
	if err := a.Commit(); err != nil {
		f.Fatal(err)
	}
	if err := w.Close(); err != nil {
		f.Fatal(err)
	}
	before := strings.Join(listFiles(dir), "\n")
	f.Fuzz(func(t *testing.T, q string) {
		s.SQL(ctx, q) // any outcome, as long as nothing changes
		res, err := s.SQL(ctx, "SELECT count(*) FROM flows")
		if err != nil {
			t.Fatalf("after %q: %v", q, err)
		}
		if n := res.Rows[0][0].(int64); n != 250 {
			t.Fatalf("after %q: flows holds %d records", q, n)
		}
		if after := strings.Join(listFiles(dir), "\n"); after != before {
			t.Fatalf("after %q: the data directory changed:\n%s", q, after)
		}
		if files := listFiles(outside); len(files) != 0 {
			t.Fatalf("after %q: files written outside: %v", q, files)
		}
	})
}
