package memory_test

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver
	"github.com/klauspost/compress/gzip"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/memory"
)

// BenchmarkGzipToTopTalkers measures the time from gzip files to the first
// top-talkers answer (the one-shot mode of flowlens top): DuckDB loading
// the files itself (CREATE TABLE AS SELECT * FROM read_csv, explicit
// columns) and querying, against flowlens parsing on all cores into the
// in-memory store and querying it. FLOWLENS_BENCH_LINES sets the number of
// lines (default 2,000,000, in 8 files). Each sub-benchmark reports its CPU
// time per operation.
func BenchmarkGzipToTopTalkers(b *testing.B) {
	files := gzipFiles(b)
	var top [2]string
	b.Run("duckdb", func(b *testing.B) {
		defer reportCPU(b)()
		for i := 0; i < b.N; i++ {
			top[0] = duckTopTalker(b, files)
		}
	})
	b.Run("memory", func(b *testing.B) {
		defer reportCPU(b)()
		for i := 0; i < b.N; i++ {
			s := memory.New(memory.DefaultConfiguration())
			if err := ingestFiles(s, files); err != nil {
				b.Fatal(err)
			}
			res, err := s.Query(context.Background(), store.Query{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcAddr)},
				Measures: []store.Measure{store.Bytes}, OrderBy: []store.Order{{Column: "bytes", Desc: true}}, Limit: 10})
			if err != nil {
				b.Fatal(err)
			}
			top[1] = fmt.Sprint(res.Rows[0]...)
			s.Close()
		}
	})
	if top[0] != "" && top[1] != "" && top[0] != top[1] {
		b.Fatalf("top talker: duckdb %q, memory %q", top[0], top[1])
	}
}

func duckTopTalker(b *testing.B, files []string) string {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	quoted := make([]string, len(files))
	for j, f := range files {
		quoted[j] = "'" + strings.ReplaceAll(f, "'", "''") + "'"
	}
	_, err = db.Exec(fmt.Sprintf(`CREATE TABLE flows AS SELECT * FROM read_csv([%s], delim = ' ', header = false, columns = {
		'version': 'UTINYINT', 'account_id': 'VARCHAR', 'interface_id': 'VARCHAR', 'srcaddr': 'VARCHAR',
		'dstaddr': 'VARCHAR', 'srcport': 'USMALLINT', 'dstport': 'USMALLINT', 'protocol': 'UTINYINT',
		'packets': 'UBIGINT', 'bytes': 'UBIGINT', 'start': 'BIGINT', 'end': 'BIGINT',
		'action': 'VARCHAR', 'log_status': 'VARCHAR'}, nullstr = '-')`, strings.Join(quoted, ", ")))
	if err != nil {
		b.Fatal(err)
	}
	var top string
	var bytes uint64
	if err := db.QueryRow("SELECT srcaddr, sum(bytes) AS b FROM flows GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10").Scan(&top, &bytes); err != nil {
		b.Fatal(err)
	}
	return top + strconv.FormatUint(bytes, 10)
}

// ingestFiles ingests gzip files the way the one-shot commands do: one
// object at a time, parsed on all cores.
func ingestFiles(s *memory.Store, files []string) error {
	ctx := context.Background()
	w, err := s.OpenWriter(ctx)
	if err != nil {
		return err
	}
	for _, f := range files {
		st, err := os.Stat(f)
		if err != nil {
			return err
		}
		a, skip, err := w.Begin(ctx, store.SourceID{Name: f, Size: st.Size(), ModTime: st.ModTime()})
		if err != nil || skip {
			return err
		}
		fh, err := os.Open(f)
		if err != nil {
			return err
		}
		zr, err := gzip.NewReader(bufio.NewReaderSize(fh, 1<<20))
		if err != nil {
			return err
		}
		stats, err := parse.ParseStream(ctx, zr, f, parse.DefaultConfig(), runtime.NumCPU(), func(_ int, batch []flowlog.Record) error {
			return a.Append(batch)
		})
		fh.Close()
		if err != nil {
			return err
		}
		a.SetMeta(store.ObjectMeta{Malformed: stats.MalformedTotal()})
		if err := a.Commit(); err != nil {
			return err
		}
	}
	return w.Close()
}

var gzipOnce sync.Once
var gzipDir string
var gzipPaths []string

func gzipFiles(b *testing.B) []string {
	gzipOnce.Do(func() {
		lines := 2_000_000
		if v, err := strconv.Atoi(os.Getenv("FLOWLENS_BENCH_LINES")); err == nil && v > 0 {
			lines = v
		}
		dir, err := os.MkdirTemp("", "flowlens-memory-bench-")
		if err != nil {
			b.Fatal(err)
		}
		gzipDir = dir
		const nfiles = 8
		f := parse.DefaultFormat()
		g, err := generate.New(genConfig(int64(lines)))
		if err != nil {
			b.Fatal(err)
		}
		var r flowlog.Record
		var line []byte
		for i := 0; i < nfiles; i++ {
			path := filepath.Join(dir, fmt.Sprintf("part%d.log.gz", i))
			fh, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			zw := gzip.NewWriter(fh)
			bw := bufio.NewWriterSize(zw, 1<<20)
			for j := 0; j < lines/nfiles && g.Next(&r); j++ {
				line = append(f.AppendLine(line[:0], &r), '\n')
				bw.Write(line)
			}
			if err := bw.Flush(); err != nil {
				b.Fatal(err)
			}
			if err := zw.Close(); err != nil {
				b.Fatal(err)
			}
			fh.Close()
			gzipPaths = append(gzipPaths, path)
		}
	})
	return gzipPaths
}

// reportCPU reports the process CPU time per operation of the benchmark.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
	}
}
