package parse

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

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
	for _, c := range []struct {
		name   string
		fields flowlog.FieldSet
	}{
		{name: "all"},
		{name: "stats", fields: statsFields},
	} {
		b.Run(c.name, func(b *testing.B) {
			cfg := DefaultConfig()
			cfg.Fields = c.fields
			p := NewParser(cfg)
			var rec flowlog.Record
			b.SetBytes(int64(len(text) / len(lines)))
			b.ReportAllocs()
			b.ResetTimer()
			cpu := cpuTime()
			for i := 0; i < b.N; i++ {
				if ok, _ := p.ParseLine(lines[i%len(lines)], &rec); !ok {
					b.Fatal("not parsed")
				}
			}
			reportCPU(b, cpu, int64(b.N))
		})
	}
}

// customFormat is a version 5 custom format, parsed by fastFill's loop.
const customFormat = "version vpc-id subnet-id instance-id interface-id account-id type srcaddr dstaddr srcport dstport pkt-srcaddr pkt-dstaddr protocol bytes packets start end action tcp-flags log-status flow-direction"

// BenchmarkParseLineCustom is BenchmarkParseLine for a custom format.
func BenchmarkParseLineCustom(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 7))
	lines := make([][]byte, 10000)
	size := 0
	for i := range lines {
		src, dst := fmt.Sprintf("10.0.%d.%d", rng.IntN(256), rng.IntN(256)), fmt.Sprintf("172.31.%d.%d", rng.IntN(256), rng.IntN(256))
		lines[i] = fmt.Appendf(nil, "5 vpc-0a1b2c3d4e5f60718 subnet-0a1b2c3d4e5f6%04d i-0a1b2c3d4e5f%05d eni-0a1b2c3d4e5f%05d 123456789012 IPv4 %s %s %d 443 %s %s 6 %d %d %d %d ACCEPT %d OK %s",
			rng.IntN(20), rng.IntN(300), rng.IntN(300), src, dst, 32768+rng.IntN(28000), src, dst, 40+rng.IntN(100000), 1+rng.IntN(100),
			1700000000+i/100, 1700000060+i/100, rng.IntN(64), []string{"ingress", "egress"}[rng.IntN(2)])
		size += len(lines[i]) + 1
	}
	f, err := ParseFormat(customFormat)
	if err != nil {
		b.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.Format = f
	p := NewParser(cfg)
	var rec flowlog.Record
	b.SetBytes(int64(size / len(lines)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for i := 0; i < b.N; i++ {
		if ok, err := p.ParseLine(lines[i%len(lines)], &rec); !ok {
			b.Fatal("not parsed: ", err)
		}
	}
	reportCPU(b, cpu, int64(b.N))
}

// statsFields is what `flowlens stats` reads.
var statsFields = flowlog.SetOf(flowlog.FieldVersion, flowlog.FieldInterfaceID, flowlog.FieldSrcAddr, flowlog.FieldDstAddr,
	flowlog.FieldPackets, flowlog.FieldBytes, flowlog.FieldStart, flowlog.FieldEnd, flowlog.FieldAction, flowlog.FieldLogStatus)

// reportCPU reports the wall and CPU time per record since cpu (a
// cpuTime value): on a shared machine the CPU time is the steadier one.
func reportCPU(b *testing.B, cpu time.Duration, records int64) {
	cpu = cpuTime() - cpu
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(records), "ns/record")
	b.ReportMetric(float64(cpu.Nanoseconds())/float64(records), "cpu-ns/record")
}

func BenchmarkReader(b *testing.B) {
	text := benchText(100000)
	batch := make([]flowlog.Record, BatchSize)
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
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
	reportCPU(b, cpu, recs)
}

func BenchmarkParseStream(b *testing.B) {
	text := benchText(200000)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			cpu := cpuTime()
			var recs int64
			for i := 0; i < b.N; i++ {
				st, err := ParseStream(context.Background(), bytes.NewReader(text), "bench", DefaultConfig(), workers, func(int, []flowlog.Record) error { return nil })
				if err != nil {
					b.Fatal(err)
				}
				recs += st.Records
			}
			reportCPU(b, cpu, recs)
		})
	}
}
