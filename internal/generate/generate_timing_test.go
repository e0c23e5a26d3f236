package generate

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

func benchConfig(records int64) Configuration {
	cfg := DefaultConfiguration()
	cfg.Records = records
	cfg.Duration = 24 * time.Hour
	return cfg
}

// BenchmarkNext measures record generation alone (no text).
func BenchmarkNext(b *testing.B) {
	cfg := benchConfig(int64(b.N) + 1)
	g, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	var r flowlog.Record
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if !g.Next(&r) {
			b.Fatal("generator ended early")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/record")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

// benchText generates and formats records of format f into one reused
// buffer: the single-core text path of WriteFlat.
func benchText(b *testing.B, f *parse.Format) {
	cfg := benchConfig(int64(b.N) + 1)
	cfg.Format = f
	g, err := New(cfg)
	if err != nil {
		b.Fatal(err)
	}
	var r flowlog.Record
	buf := make([]byte, 0, 4096)
	var total int64
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		g.Next(&r)
		buf = f.AppendLine(buf[:0], &r)
		buf = append(buf, '\n')
		total += int64(len(buf))
	}
	b.SetBytes(total / int64(b.N))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/record")
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "records/s")
}

func BenchmarkTextDefault(b *testing.B) { benchText(b, parse.DefaultFormat()) }

func BenchmarkTextAllFields(b *testing.B) { benchText(b, allVPCFieldsFormat()) }

func BenchmarkTextTransitGateway(b *testing.B) { benchText(b, TransitGatewayFormat()) }

// BenchmarkWriteFlat is the whole flat path (generation goroutine + writer).
func BenchmarkWriteFlat(b *testing.B) {
	for _, gz := range []bool{false, true} {
		name := "plain"
		if gz {
			name = "gzip"
		}
		b.Run(name, func(b *testing.B) {
			const n = 200_000
			cfg := benchConfig(n)
			cfg.Gzip = gz
			b.ReportAllocs()
			var text int64
			for i := 0; i < b.N; i++ {
				sum, err := WriteFlat(context.Background(), cfg, io.Discard)
				if err != nil {
					b.Fatal(err)
				}
				text = sum.TextBytes
			}
			b.SetBytes(text)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
			b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
		})
	}
}

// BenchmarkWriteTree writes gzip S3 objects with all cores.
func BenchmarkWriteTree(b *testing.B) {
	const n = 400_000
	cfg := benchConfig(n)
	cfg.Objects = 16
	b.ReportAllocs()
	var text int64
	for i := 0; i < b.N; i++ {
		sum, err := WriteTree(context.Background(), cfg, b.TempDir())
		if err != nil {
			b.Fatal(err)
		}
		text = sum.TextBytes
	}
	b.SetBytes(text)
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
	b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "records/s")
}
