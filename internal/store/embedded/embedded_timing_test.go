package embedded

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/storetest"
)

// reportCPU reports the process CPU time per operation: on a shared machine
// it is steadier than the elapsed time.
func reportCPU(b *testing.B) func() {
	start := cpuTime()
	return func() {
		b.ReportMetric((cpuTime()-start).Seconds()/float64(b.N), "cpu-s/op")
	}
}

// dirSize returns the bytes of the data files under dir.
func dirSize(t testing.TB, dir string) int64 {
	var n int64
	filepath.Walk(filepath.Join(dir, dataDir), func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			n += info.Size()
		}
		return nil
	})
	return n
}

// BenchmarkIngest measures appending, committing and publishing records
// (raw Parquet files and both rollups), in objects of 100k records.
func BenchmarkIngest(b *testing.B) {
	const perObject, objects = 100_000, 10
	// Realistic records (internal/generate), 100k per object; the objects
	// follow each other in time.
	gcfg := generate.DefaultConfiguration()
	gcfg.Records = perObject * objects
	gcfg.Duration = 6 * time.Hour
	gen, err := generate.New(gcfg)
	if err != nil {
		b.Fatal(err)
	}
	all := make([][]flowlog.Record, objects)
	for o := range all {
		all[o] = make([]flowlog.Record, perObject)
		for j := range all[o] {
			gen.Next(&all[o][j])
		}
	}
	recs := all[0]
	text := 0
	f := parse.DefaultFormat()
	var line []byte
	for i := range recs[:10000] {
		line = f.AppendLine(line[:0], &recs[i])
		text += len(line) + 1
	}
	b.SetBytes(int64(text / 10000 * perObject * objects))
	b.ReportAllocs()
	b.ResetTimer()
	defer reportCPU(b)()
	var size int64
	for i := 0; i < b.N; i++ {
		cfg := DefaultConfiguration()
		cfg.Dir = b.TempDir()
		cfg.Fsync = false
		s, err := Open(cfg)
		if err != nil {
			b.Fatal(err)
		}
		w, err := s.OpenWriter(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		for o := 0; o < objects; o++ {
			a, _, err := w.Begin(context.Background(), store.SourceID{Name: fmt.Sprint(o), Size: 1})
			if err != nil {
				b.Fatal(err)
			}
			for lo := 0; lo < perObject; lo += 4096 {
				if err := a.Append(all[o][lo:min(lo+4096, perObject)]); err != nil {
					b.Fatal(err)
				}
			}
			if err := a.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
		size = dirSize(b, cfg.Dir)
		s.Close()
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*perObject*objects), "ns/record")
	b.ReportMetric(float64(size)/float64(perObject*objects)*1e6/(1<<20), "MiB/Mflows")
}

// BenchmarkStage measures staging alone (Append without encoding).
func BenchmarkStage(b *testing.B) {
	recs := storetest.Generate(storetest.GenConfig{Seed: 1, N: 100_000, Start: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC), Span: 6 * time.Hour})
	b.ReportAllocs()
	b.ResetTimer()
	st := newStage()
	for i := 0; i < b.N; i++ {
		st.reset() // writers reuse stages
		for j := range recs {
			st.add(&recs[j], nil)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
}

// BenchmarkRollups measures building every cube from a staged batch.
func BenchmarkRollups(b *testing.B) {
	gcfg := generate.DefaultConfiguration()
	gcfg.Records = 500_000
	gcfg.Duration = 3 * time.Hour
	gen, err := generate.New(gcfg)
	if err != nil {
		b.Fatal(err)
	}
	st := newStage()
	var r flowlog.Record
	for gen.Next(&r) {
		st.add(&r, nil)
	}
	st.padAll()
	perm, _ := sortByDay(st)
	e := &encoder{}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		minute := buildRollup(st, perm, 60, store.FullCube(), e.getRollupBuf(len(perm)))
		hour := minute.aggregate(store.FullCube(), 3600, e.getRollupBuf(len(minute.keys)))
		for _, c := range store.Cubes()[1:] {
			if c.ServiceFrom != 0 {
				continue // below, as writeRollups does
			}
			if c.HourOnly {
				e.releaseRollup(hour.aggregate(&c, 3600, e.getRollupBuf(len(hour.keys))))
				continue
			}
			m := minute.aggregate(&c, 60, e.getRollupBuf(len(minute.keys)))
			e.releaseRollup(m.aggregate(&c, 3600, e.getRollupBuf(len(m.keys))))
			e.releaseRollup(m)
		}
		wide, _ := store.CubeByName("graph_eni")
		narrow, _ := store.CubeByName("graph")
		w := buildRollup(st, perm, 3600, wide, e.getRollupBuf(len(perm)/4))
		e.releaseRollup(w.aggregate(narrow, 3600, e.getRollupBuf(len(w.keys))))
		e.releaseRollup(w)
		e.releaseRollup(hour)
		e.releaseRollup(minute)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*st.n), "ns/record")
}

// BenchmarkHybrid measures the RLE/bit-packing of dictionary indices.
func BenchmarkHybrid(b *testing.B) {
	vs := make([]uint32, 122_880)
	for i := range vs {
		vs[i] = uint32(i*2654435761>>7) % 5000
		if i%100 < 30 {
			vs[i] = 7 // runs
		}
	}
	var dst []byte
	var buf []uint32
	b.SetBytes(int64(4 * len(vs)))
	for i := 0; i < b.N; i++ {
		dst = appendHybrid(dst[:0], vs, 13, &buf)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(vs)), "ns/value")
}
