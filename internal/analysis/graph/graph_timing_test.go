package graph

import (
	"context"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/store"
)

// The benchmarks build graphs of FLOWLENS_BENCH_RECORDS generated records
// (default 1,000,000) over a day, in the rich v5 format: from the records
// in memory (about 1 KB each: 1 GB for the default) and from an embedded
// store holding them (with the default scan budget of the planner).

var (
	benchOnce sync.Once
	benchFix  *fixture
	benchErr  error
)

func benchRecords() int64 {
	if v, err := strconv.ParseInt(os.Getenv("FLOWLENS_BENCH_RECORDS"), 10, 64); err == nil && v > 0 {
		return v
	}
	return 1_000_000
}

func getBench(b *testing.B) *fixture {
	b.Helper()
	benchOnce.Do(func() {
		began := time.Now()
		f := &fixture{}
		if f.recs, f.inv, benchErr = generateRecords(21, benchRecords(), richFormat, 24*time.Hour); benchErr != nil {
			return
		}
		if f.store, benchErr = openStore(store.DefaultPlanConfig().MaxScanRows); benchErr != nil {
			return
		}
		benchFix = f
		benchErr = ingest(f.store, "bench", f.recs, 200_000)
		b.Logf("bench fixture: %d records generated and stored in %s", len(f.recs), time.Since(began).Round(time.Millisecond))
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchFix
}

var benchConfigs = []struct {
	name string
	mod  func(c *Configuration)
}{
	{"ip", func(c *Configuration) {}},
	{"ip-no-ports", func(c *Configuration) { c.TopPorts = -1 }},
	{"service", func(c *Configuration) { c.Group.Kind = GroupService }},
	{"subnet", func(c *Configuration) { c.Group.Kind = GroupSubnet }},
}

func report(b *testing.B, records int, g *Graph) {
	ms := float64(b.Elapsed().Milliseconds()) / float64(b.N)
	b.ReportMetric(ms, "ms/op")
	b.ReportMetric(ms*1e6/float64(records), "ns/record")
	b.ReportMetric(float64(len(g.Nodes)), "nodes")
	b.ReportMetric(float64(len(g.Edges)), "edges")
}

func BenchmarkFromRecords(b *testing.B) {
	f := getBench(b)
	for _, bc := range benchConfigs {
		b.Run(bc.name, func(b *testing.B) {
			cfg := DefaultConfiguration()
			bc.mod(&cfg)
			b.ReportAllocs()
			b.ResetTimer()
			var g *Graph
			for i := 0; i < b.N; i++ {
				var err error
				if g, err = FromRecords(f.recs, cfg); err != nil {
					b.Fatal(err)
				}
			}
			report(b, len(f.recs), g)
		})
	}
}

func BenchmarkBuildStore(b *testing.B) {
	f := getBench(b)
	ctx := context.Background()
	for _, bc := range benchConfigs {
		b.Run(bc.name, func(b *testing.B) {
			cfg := DefaultConfiguration()
			bc.mod(&cfg)
			b.ReportAllocs()
			b.ResetTimer()
			var g *Graph
			for i := 0; i < b.N; i++ {
				var err error
				if g, err = Build(ctx, f.store, cfg); err != nil {
					b.Fatal(err)
				}
			}
			report(b, len(f.recs), g)
			b.Logf("plan %s", g.Plan)
		})
	}
}
