package parse

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// benchText returns default-format lines shaped like real flow logs.
func benchText(n int) []byte {
	rng := rand.New(rand.NewPCG(7, 7))
	var b bytes.Buffer
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "2 123456789012 eni-0a1b2c3d4e5f%05d 10.0.%d.%d 172.31.%d.%d %d %d 6 %d %d %d %d %s OK\n",
			rng.IntN(300), rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(256), 32768+rng.IntN(28000),
			[]int{443, 80, 22, 5432}[rng.IntN(4)], 1+rng.IntN(100), 40+rng.IntN(100000), 1700000000+i/100, 1700000060+i/100,
			[]string{"ACCEPT", "ACCEPT", "ACCEPT", "REJECT"}[rng.IntN(4)])
	}
	return b.Bytes()
}

func BenchmarkParseLine(b *testing.B) {
	text := benchText(10000)
	lines := bytes.Split(bytes.TrimSpace(text), []byte("\n"))
	p := NewParser(DefaultConfig())
	var rec flowlog.Record
	b.SetBytes(int64(len(text) / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if ok, _ := p.ParseLine(lines[i%len(lines)], &rec); !ok {
			b.Fatal("not parsed")
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/record")
}

func BenchmarkReader(b *testing.B) {
	text := benchText(100000)
	batch := make([]flowlog.Record, BatchSize)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	var recs int64
	for i := 0; i < b.N; i++ {
		rd := NewReader(bytes.NewReader(text), "bench", DefaultConfig())
		for {
			n, err := rd.Read(batch)
			recs += int64(n)
			if err != nil {
				break
			}
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(recs), "ns/record")
}

func BenchmarkParseStream(b *testing.B) {
	text := benchText(200000)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			var recs int64
			for i := 0; i < b.N; i++ {
				st, err := ParseStream(context.Background(), bytes.NewReader(text), "bench", DefaultConfig(), workers, func(int, []flowlog.Record) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
				recs += st.Records
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(recs), "ns/record")
		})
	}
}
