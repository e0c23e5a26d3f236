package graph

import (
	"context"
	"os"
	"testing"

	"github.com/flowlens/flowlens/internal/store/embedded"
)

// BenchmarkBuildStoreDir builds graphs from an existing embedded store, as
// `flowlens graph --data DIR --top-k 1500` and the web UI's default graph
// do: set FLOWLENS_GRAPH_STORE to the store's directory (for example the
// 10 M flows of bench/out/graph-10000000/store). The store is only read.
// cpu-ms/op counts the CPU of every thread, DuckDB's included: on a shared
// machine it varies less than ms/op.
func BenchmarkBuildStoreDir(b *testing.B) {
	dir := os.Getenv("FLOWLENS_GRAPH_STORE")
	if dir == "" {
		b.Skip("FLOWLENS_GRAPH_STORE is not set: give the directory of a store to read")
	}
	cfg := embedded.DefaultConfiguration()
	cfg.Dir = dir
	s, err := embedded.Open(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	configs := append(benchConfigs[:len(benchConfigs):len(benchConfigs)],
		struct {
			name string
			mod  func(c *Configuration)
		}{"ip-ports", func(c *Configuration) { c.Ports = []uint16{5432} }})
	for _, bc := range configs {
		b.Run(bc.name, func(b *testing.B) {
			gc := DefaultConfiguration()
			gc.TopK = 1500
			bc.mod(&gc)
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime()
			var g *Graph
			for i := 0; i < b.N; i++ {
				var err error
				if g, err = Build(ctx, s, gc); err != nil {
					b.Fatal(err)
				}
			}
			ms := float64(b.Elapsed().Milliseconds()) / float64(b.N)
			b.ReportMetric(ms, "ms/op")
			b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(b.N), "cpu-ms/op")
			b.ReportMetric(ms*1e6/float64(max(g.Totals.Flows, 1)), "ns/flow")
			b.ReportMetric(float64(g.Totals.Flows), "flows")
			b.ReportMetric(float64(len(g.Edges)), "edges")
			b.Logf("plan %s", g.Plan)
		})
	}
}
