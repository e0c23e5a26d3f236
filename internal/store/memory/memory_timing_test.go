package memory_test

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/memory"
)

// benchRows is the size of the stores the query benchmarks run on.
const benchRows = 2_000_000

func TestMain(m *testing.M) {
	code := m.Run()
	if gzipDir != "" {
		os.RemoveAll(gzipDir)
	}
	os.Exit(code)
}

func genConfig(records int64) generate.Configuration {
	cfg := generate.DefaultConfiguration()
	cfg.Records, cfg.Duration = records, 12*time.Hour
	return cfg
}

// genRecords returns n records of internal/generate (default format).
func genRecords(b *testing.B, n int) []flowlog.Record {
	g, err := generate.New(genConfig(int64(n)))
	if err != nil {
		b.Fatal(err)
	}
	recs := make([]flowlog.Record, n)
	for i := range recs {
		if !g.Next(&recs[i]) {
			b.Fatalf("generator stopped after %d records", i)
		}
	}
	return recs
}

// lineBytes returns the length of the records as text lines.
func lineBytes(recs []flowlog.Record) int64 {
	f := parse.DefaultFormat()
	var n int64
	var line []byte
	for i := range recs {
		line = f.AppendLine(line[:0], &recs[i])
		n += int64(len(line)) + 1
	}
	return n
}

var appendOnce sync.Once
var appendRecs []flowlog.Record
var appendBytes int64

// appendRows is the number of rows BenchmarkAppend stores per operation.
const appendRows = 1 << 17

// BenchmarkAppend measures staging and publication: 128 k records appended
// as 4 objects in batches of 1,000 by one or two goroutines (as
// parse.ParseStream's workers do), committed and published. The records
// are 16 k generated records repeated, so that they stay in the caches as
// a parser's batches do, and that the garbage collector does not scan
// gigabytes of them. SetBytes is their size as text lines (MB/s is the
// text rate).
func BenchmarkAppend(b *testing.B) {
	appendOnce.Do(func() {
		recs := genRecords(b, 1<<14)
		for len(appendRecs) < appendRows {
			appendRecs = append(appendRecs, recs...)
		}
		appendBytes = lineBytes(appendRecs)
	})
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("goroutines=%d", workers), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(appendBytes)
			var s *memory.Store
			for i := 0; i < b.N; i++ {
				s = memory.New(memory.DefaultConfiguration())
				ingest(b, s, "o", appendRecs, 4, workers)
			}
			b.StopTimer()
			per := float64(b.Elapsed().Nanoseconds()) / float64(b.N*len(appendRecs))
			b.ReportMetric(per, "ns/record")
			b.ReportMetric(1e9/per, "records/s")
			m := s.Metrics()
			b.ReportMetric(float64(m.ColumnBytes)/float64(m.Rows), "column-bytes/row")
		})
	}
}

// ingest stores recs as objects, each appended by workers goroutines in
// batches of 1,000.
func ingest(b testing.TB, s *memory.Store, name string, recs []flowlog.Record, objects, workers int) {
	ctx := context.Background()
	w, err := s.OpenWriter(ctx)
	if err != nil {
		b.Fatal(err)
	}
	per := (len(recs) + objects - 1) / objects
	for o := 0; o < objects; o++ {
		part := recs[min(o*per, len(recs)):min((o+1)*per, len(recs))]
		a, skipped, err := w.Begin(ctx, store.SourceID{Name: fmt.Sprintf("%s-%d", name, o), Size: int64(len(part))})
		if err != nil || skipped {
			b.Fatalf("begin: skipped %v, error %v", skipped, err)
		}
		var wg sync.WaitGroup
		for k := 0; k < workers; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for lo := k * 1000; lo < len(part); lo += workers * 1000 {
					if err := a.Append(part[lo:min(lo+1000, len(part))]); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if err := a.Commit(); err != nil {
			b.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		b.Fatal(err)
	}
}

var queryOnce sync.Once
var queryStore *memory.Store

// benchStore returns a store of benchRows generated records (12 hours of
// a 300-interface VPC), built once.
func benchStore(b *testing.B) *memory.Store {
	queryOnce.Do(func() {
		g, err := generate.New(genConfig(benchRows))
		if err != nil {
			b.Fatal(err)
		}
		s := memory.New(memory.DefaultConfiguration())
		batch := make([]flowlog.Record, 100_000)
		for o := 0; ; o++ {
			n := 0
			for n < len(batch) && g.Next(&batch[n]) {
				n++
			}
			if n == 0 {
				break
			}
			ingest(b, s, fmt.Sprint(o), batch[:n], 1, 1)
		}
		queryStore = s
	})
	return queryStore
}

// BenchmarkQuery runs analysis queries over benchRows records.
func BenchmarkQuery(b *testing.B) {
	s := benchStore(b)
	m := s.Metrics()
	b.Logf("%d rows in %d chunks: %.1f column bytes/row, %.1f bytes/row with the dictionaries (%d strings, %d addresses)",
		m.Rows, m.Chunks, float64(m.ColumnBytes)/float64(m.Rows), float64(m.ColumnBytes+m.DictBytes)/float64(m.Rows), m.Strings, m.Addresses)
	lo, _, err := s.TimeRange(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	fd := store.FieldDim
	desc := func(col string) []store.Order { return []store.Order{{Column: col, Desc: true}} }
	cases := []struct {
		name string
		q    store.Query
	}{
		{"top-talkers", store.Query{GroupBy: []store.Dim{fd(flowlog.FieldSrcAddr)}, Measures: []store.Measure{store.Bytes}, OrderBy: desc("bytes"), Limit: 10}},
		{"summary", store.Query{}},
		{"top-pairs", store.Query{GroupBy: []store.Dim{fd(flowlog.FieldSrcAddr), fd(flowlog.FieldDstAddr)}, OrderBy: desc("bytes"), Limit: 10}},
		{"top-ports-accepted", store.Query{GroupBy: []store.Dim{fd(flowlog.FieldDstPort), fd(flowlog.FieldProtocol)},
			Filter: store.Filter{Conds: []store.Cond{store.Eq(flowlog.FieldAction, flowlog.ActionAccept)}}, OrderBy: desc("flows"), Limit: 10}},
		{"series-5m-by-action", store.Query{Bucket: 5 * time.Minute, GroupBy: []store.Dim{fd(flowlog.FieldAction)}}},
		{"subnets-/24", store.Query{GroupBy: []store.Dim{store.PrefixDim(flowlog.FieldSrcAddr, 24, 64)}, OrderBy: desc("bytes"), Limit: 10}},
		{"rejected-distinct-ports", store.Query{GroupBy: []store.Dim{fd(flowlog.FieldSrcAddr)},
			Filter:   store.Filter{Conds: []store.Cond{store.Eq(flowlog.FieldAction, flowlog.ActionReject)}},
			Measures: []store.Measure{store.Flows, store.Distinct(flowlog.FieldDstPort)}, OrderBy: desc("distinct_dstport"), Limit: 10}},
		{"top-talkers-last-hour", store.Query{Range: store.TimeRange{Start: lo.Add(11 * time.Hour)},
			GroupBy: []store.Dim{fd(flowlog.FieldSrcAddr)}, OrderBy: desc("bytes"), Limit: 10}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				res, err := s.Query(context.Background(), c.q)
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Rows) == 0 {
					b.Fatal("no rows")
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(m.Rows), "ns/row")
		})
	}
}
