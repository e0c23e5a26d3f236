package embedded

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"github.com/klauspost/compress/gzip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/store"
)

// BenchmarkGzipToTopTalkers compares the time from gzip files to the first
// top-talkers answer: flowlens (parse, store, query the rollups) against
// DuckDB loading the same files itself (CREATE TABLE AS SELECT * FROM
// read_csv) and running the same query. FLOWLENS_BENCH_LINES sets the
// number of lines (default 2,000,000, in 8 files).
func BenchmarkGzipToTopTalkers(b *testing.B) {
	files := benchFiles(b)
	b.Run("duckdb", func(b *testing.B) {
		defer reportCPU(b)()
		for i := 0; i < b.N; i++ {
			db, err := sql.Open("duckdb", "")
			if err != nil {
				b.Fatal(err)
			}
			quoted := make([]string, len(files))
			for j, f := range files {
				quoted[j] = sqlString(f)
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
			db.Close()
		}
	})
	b.Run("flowlens", func(b *testing.B) {
		defer reportCPU(b)()
		for i := 0; i < b.N; i++ {
			cfg := DefaultConfiguration()
			cfg.Dir = b.TempDir()
			if c := os.Getenv("FLOWLENS_BENCH_CODEC"); c != "" {
				cfg.Compression = c
			}
			if n, err := strconv.Atoi(os.Getenv("FLOWLENS_BENCH_COMMIT_ROWS")); err == nil {
				cfg.CommitRows = n
			}
			s, err := Open(cfg)
			if err != nil {
				b.Fatal(err)
			}
			if err := ingestFiles(s, files); err != nil {
				b.Fatal(err)
			}
			res, err := s.Query(context.Background(), store.Query{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcAddr)},
				Measures: []store.Measure{store.Bytes}, OrderBy: []store.Order{{Column: "bytes", Desc: true}}, Limit: 10})
			if err != nil {
				b.Fatal(err)
			}
			if i == 0 {
				b.Logf("plan %s, %d rows, metrics %+v", res.Plan, len(res.Rows), s.Metrics())
				snap, _ := loadSnapshot(s.Dir(), nil)
				for _, level := range allLevels() {
					var rows, size int64
					for _, f := range snap.files(level) {
						rows, size = rows+f.Rows, size+f.Bytes
					}
					b.Logf("%s: %d rows, %d bytes", level, rows, size)
				}
			}
			s.Close()
		}
	})
}

// ingestFiles ingests gzip files the way the ingest command does: one
// object at a time, parsed on all cores.
func ingestFiles(s *Store, files []string) error {
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

var benchOnce sync.Once
var benchPaths []string

func benchFiles(b *testing.B) []string {
	benchOnce.Do(func() {
		lines := 2_000_000
		if v, err := strconv.Atoi(os.Getenv("FLOWLENS_BENCH_LINES")); err == nil && v > 0 {
			lines = v
		}
		dir, err := os.MkdirTemp("", "flowlens-bench-")
		if err != nil {
			b.Fatal(err)
		}
		const nfiles = 8
		f := parse.DefaultFormat()
		gcfg := generate.DefaultConfiguration()
		gcfg.Records = int64(lines)
		gcfg.Duration = 12 * time.Hour
		gen, err := generate.New(gcfg)
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < nfiles; i++ {
			recs := make([]flowlog.Record, lines/nfiles)
			for j := range recs {
				if !gen.Next(&recs[j]) {
					b.Fatalf("generator stopped after %d records", i*len(recs)+j)
				}
			}
			path := filepath.Join(dir, fmt.Sprintf("part%d.log.gz", i))
			fh, err := os.Create(path)
			if err != nil {
				b.Fatal(err)
			}
			zw := gzip.NewWriter(fh)
			bw := bufio.NewWriterSize(zw, 1<<20)
			var line []byte
			for j := range recs {
				line = append(f.AppendLine(line[:0], &recs[j]), '\n')
				bw.Write(line)
			}
			bw.Flush()
			zw.Close()
			fh.Close()
			benchPaths = append(benchPaths, path)
		}
	})
	return benchPaths
}
