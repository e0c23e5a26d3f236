package file

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// gzipSet writes n gzipped text objects of lines records each and returns
// them with their total decompressed size.
func gzipSet(b *testing.B, n, lines int) ([]Object, int64) {
	b.Helper()
	root := b.TempDir()
	var paths []string
	var size int64
	for i := range n {
		text := realisticText(uint64(i), lines)
		size += int64(len(text))
		paths = append(paths, touch(b, root, fmt.Sprintf("o%03d.log.gz", i), gzipped(b, text)))
	}
	objs, _, err := List(DefaultConfiguration(), paths)
	if err != nil {
		b.Fatal(err)
	}
	return objs, size
}

// realisticText returns n default-format lines with the variety of real
// flow logs (so gzip compresses them about as well, 5-8x): a few hundred
// interfaces, random peers, ports, sizes and times, some rejects and NODATA.
func realisticText(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 42))
	var b []byte
	b = append(b, parse.DefaultFormat().Header()...)
	b = append(b, '\n')
	for range n {
		eni := rng.IntN(300)
		start := 1709978400 + rng.IntN(600)
		if rng.IntN(50) == 0 {
			b = fmt.Appendf(b, "2 123456789012 eni-%017x - - - - - - - %d %d - NODATA\n", eni, start, start+60)
			continue
		}
		action := "ACCEPT"
		if rng.IntN(10) == 0 {
			action = "REJECT"
		}
		b = fmt.Appendf(b, "2 123456789012 eni-%017x 10.%d.%d.%d %d.%d.%d.%d %d %d %d %d %d %d %d %s OK\n",
			eni, rng.IntN(4), rng.IntN(256), rng.IntN(256),
			rng.IntN(223)+1, rng.IntN(256), rng.IntN(256), rng.IntN(256),
			rng.IntN(65536), []int{443, 80, 53, 22, 3306, 8080}[rng.IntN(6)], []int{6, 17, 6, 6}[rng.IntN(4)],
			1+rng.IntN(200), 40+rng.IntN(300000), start, start+rng.IntN(60), action)
	}
	return b
}

// BenchmarkDecompressOnly is the baseline: decompressing the gzip set with
// 2 workers and doing nothing else.
func BenchmarkDecompressOnly(b *testing.B) {
	objs, size := gzipSet(b, 8, 40000)
	cfg := DefaultConfiguration()
	cfg.Workers = 2
	b.ReportAllocs()
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		if n, err := DecompressOnly(context.Background(), cfg, objs); err != nil || n != size {
			b.Fatal(n, err)
		}
	}
}

// BenchmarkScanGzip parses the gzip set with 2 workers and reports its
// throughput as a share of the decompress-only baseline (the target is at
// least 80%).
func BenchmarkScanGzip(b *testing.B) {
	const lines = 40000
	objs, size := gzipSet(b, 8, lines)
	cfg := DefaultConfiguration()
	cfg.Workers = 2
	var baseline time.Duration
	for range 3 {
		start := time.Now()
		if _, err := DecompressOnly(context.Background(), cfg, objs); err != nil {
			b.Fatal(err)
		}
		if d := time.Since(start); baseline == 0 || d < baseline {
			baseline = d
		}
	}
	var records atomic.Int64
	h := func(_ int, _ *Object, batch []flowlog.Record) error {
		records.Add(int64(len(batch)))
		return nil
	}
	b.ReportAllocs()
	b.SetBytes(size)
	b.ResetTimer()
	for range b.N {
		res, err := Scan(context.Background(), cfg, objs, parse.DefaultConfig(), h)
		if err != nil || res.Failed != 0 || res.Total.Records != int64(len(objs)*lines) {
			b.Fatal(err, res.Errors())
		}
	}
	b.StopTimer()
	perOp := b.Elapsed() / time.Duration(b.N)
	b.ReportMetric(float64(perOp.Nanoseconds())/float64(len(objs)*lines), "ns/record")
	b.ReportMetric(100*float64(baseline)/float64(perOp), "%-of-baseline")
}

// BenchmarkScanSmallObjects measures the per-object cost: AWS writes many
// small objects (one per flow log, region and 5 minutes).
func BenchmarkScanSmallObjects(b *testing.B) {
	const lines = 100
	objs, size := gzipSet(b, 1000, lines)
	cfg := DefaultConfiguration()
	cfg.Workers = 2
	b.Run("decompress-only", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(size)
		for range b.N {
			if _, err := DecompressOnly(context.Background(), cfg, objs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("scan", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(size)
		for range b.N {
			res, err := Scan(context.Background(), cfg, objs, parse.DefaultConfig(), func(int, *Object, []flowlog.Record) error { return nil })
			if err != nil || res.Total.Records != int64(len(objs)*lines) {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(objs)), "ns/object")
	})
}
