package parquet

import (
	"bytes"
	"io"
	"math/rand/v2"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

func benchRecords(b *testing.B, f *parse.Format, n int) []flowlog.Record {
	rng := rand.New(rand.NewPCG(3, 3))
	recs := make([]flowlog.Record, n)
	for i := range recs {
		recs[i] = randomRecord(rng, f)
	}
	return recs
}

func BenchmarkRead(b *testing.B) {
	const n = 100_000
	f := parse.DefaultFormat()
	data := writeParquet(b, f, DefaultWriterConfig(), benchRecords(b, f, n), 4096)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for range b.N {
		st, err := Read(bytes.NewReader(data), int64(len(data)), "bench", parse.DefaultConfig(), func(*parse.Format, []flowlog.Record) error { return nil })
		if err != nil || st.Records != n {
			b.Fatal(err, st.Records)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}

func BenchmarkWrite(b *testing.B) {
	const n = 100_000
	f := parse.DefaultFormat()
	recs := benchRecords(b, f, n)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		w, err := NewWriter(io.Discard, f, DefaultWriterConfig())
		if err != nil {
			b.Fatal(err)
		}
		for i := 0; i < n; i += 4096 {
			if err := w.Write(recs[i:min(i+4096, n)]); err != nil {
				b.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}
