package filestats

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// benchPools returns interface ids (interned: one string per value) and
// addresses (every 16th one IPv6), like the values a parser produces.
func benchPools(rng *rand.Rand, interfaces, addrs int) ([]string, []netip.Addr) {
	enis := make([]string, interfaces)
	for i := range enis {
		enis[i] = fmt.Sprintf("eni-%017x", rng.Uint64()>>4)
	}
	pool := make([]netip.Addr, addrs)
	for i := range pool {
		if i%16 == 15 {
			var b [16]byte
			b[0], b[1] = 0x20, 0x01
			for j := 8; j < 16; j++ {
				b[j] = byte(rng.Uint32())
			}
			pool[i] = netip.AddrFrom16(b)
		} else {
			pool[i] = netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		}
	}
	return enis, pool
}

// fillBatch writes default-format records into recs the way a parser does,
// with values drawn at random from the pools; every 50th is a NODATA
// record without addresses.
func fillBatch(rng *rand.Rand, recs []flowlog.Record, enis []string, pool []netip.Addr) {
	for i := range recs {
		r := &recs[i]
		r.Reset()
		r.Present = flowlog.SetOf(flowlog.DefaultFields()...)
		r.Version = 2
		r.AccountID = "123456789010"
		r.InterfaceID = enis[rng.IntN(len(enis))]
		r.SrcAddr = pool[rng.IntN(len(pool))]
		r.DstAddr = pool[rng.IntN(len(pool))]
		r.Packets, r.Bytes = 10, 4000
		r.Start = 1_700_000_000 + int64(i)
		r.End = r.Start + 60
		r.Action = flowlog.Action(1 + rng.IntN(2))
		r.Status = flowlog.StatusOK
		if i%50 == 0 {
			r.Present.Remove(flowlog.FieldSrcAddr)
			r.Present.Remove(flowlog.FieldDstAddr)
			r.Status = flowlog.StatusNoData
		}
	}
}

// BenchmarkAggregatorAdd measures the hot path of `flowlens stats` on one
// worker. Each iteration refills a 512-record batch, as a parser would
// (so the records are in cache, as they are in the pipeline), then adds it;
// add-ns/record times the Add calls alone. The sets are filled with the
// whole pools first, so lookups see their final size. The target is
// < 15 ns/record for typical inputs (hundreds of interfaces, tens of
// thousands of addresses); with a million distinct addresses the sets
// outgrow the CPU caches.
func BenchmarkAggregatorAdd(b *testing.B) {
	for _, c := range []struct{ interfaces, addrs int }{{50, 1000}, {500, 50_000}, {5000, 1_000_000}} {
		b.Run(fmt.Sprintf("enis=%d/addrs=%d", c.interfaces, c.addrs), func(b *testing.B) {
			rng := rand.New(rand.NewPCG(1, 2))
			enis, pool := benchPools(rng, c.interfaces, c.addrs)
			a := New(1)
			for _, e := range enis {
				a.accs[0].enis.add(e)
			}
			for _, ad := range pool {
				a.accs[0].src.add(ad)
				a.accs[0].dst.add(ad)
			}
			recs := make([]flowlog.Record, 512)
			var add time.Duration
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				fillBatch(rng, recs, enis, pool)
				t0 := time.Now()
				a.Add(0, recs)
				add += time.Since(t0)
			}
			b.ReportMetric(float64(add.Nanoseconds())/float64(b.N*len(recs)), "add-ns/record")
			if got := a.Result().Interfaces; got != len(enis) {
				b.Fatalf("%d interfaces, want %d", got, len(enis))
			}
		})
	}
}

// BenchmarkAddrSet compares the distinct-address set with Go maps.
func BenchmarkAddrSet(b *testing.B) {
	for _, size := range []int{1000, 1_000_000} {
		rng := rand.New(rand.NewPCG(1, 2))
		_, pool := benchPools(rng, 1, size)
		addrs := make([]netip.Addr, 1<<16)
		for i := range addrs {
			addrs[i] = pool[rng.IntN(len(pool))]
		}
		run := func(name string, add func(netip.Addr)) {
			b.Run(fmt.Sprintf("%s/%d", name, size), func(b *testing.B) {
				for _, a := range addrs {
					add(a)
				}
				b.ReportAllocs()
				b.ResetTimer()
				cpu := cpuTime()
				for i := 0; i < b.N; i++ {
					for _, a := range addrs {
						add(a)
					}
				}
				cpu = cpuTime() - cpu
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(addrs)), "ns/addr")
				b.ReportMetric(float64(cpu.Nanoseconds())/float64(b.N*len(addrs)), "cpu-ns/addr")
			})
		}
		s := newAddrSet()
		run("addrSet", s.add)
		m := map[netip.Addr]struct{}{}
		run("map-netip.Addr", func(a netip.Addr) { m[a] = struct{}{} })
		m16 := map[[16]byte]struct{}{}
		run("map-As16", func(a netip.Addr) { m16[a.As16()] = struct{}{} })
	}
}

// pipelineText returns n default-format lines shaped like the benchmark
// data of bench/flowbench: 300 interfaces, a few thousand addresses, one
// flow in 16 over IPv6, one record in 100 a NODATA record.
func pipelineText(n int) []byte {
	rng := rand.New(rand.NewPCG(3, 4))
	var b []byte
	b = append(b, "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"...)
	for i := 0; i < n; i++ {
		eni := fmt.Sprintf("eni-%017x", 0x7aa04f0b2a9a53a6+uint64(rng.IntN(300)))
		start := 1_767_571_200 + i/2500
		switch {
		case i%100 == 99:
			b = fmt.Appendf(b, "2 123456789012 %s - - - - - - - %d %d - NODATA\n", eni, start, start+60)
		case i%16 == 15:
			b = fmt.Appendf(b, "2 123456789012 %s 2600:1f18:3a24:fe00:%x:%x:%x:%x 2a09:2335:ce8c:14f7:%x:9f0b:ef32:%x %d 443 6 %d %d %d %d ACCEPT OK\n",
				eni, rng.IntN(65536), rng.IntN(65536), rng.IntN(65536), rng.IntN(65536), rng.IntN(65536), rng.IntN(65536),
				32768+rng.IntN(28000), 1+rng.IntN(40), 40+rng.IntN(60000), start, start+rng.IntN(60))
		default:
			action := "ACCEPT"
			if rng.IntN(20) == 0 {
				action = "REJECT"
			}
			b = fmt.Appendf(b, "2 123456789012 %s 10.0.%d.%d %d.%d.%d.%d %d %d 6 %d %d %d %d %s OK\n",
				eni, rng.IntN(64), rng.IntN(256), 10+rng.IntN(200), rng.IntN(256), rng.IntN(256), rng.IntN(256),
				32768+rng.IntN(28000), []int{443, 80, 22, 5432, 9000}[rng.IntN(5)], 1+rng.IntN(40), 40+rng.IntN(60000),
				start, start+rng.IntN(60), action)
		}
	}
	return b
}

var pipelineOnce = sync.OnceValue(func() []byte { return pipelineText(200_000) })

// BenchmarkStatsPipeline measures what `flowlens stats` does per line once
// the text is in memory: parse.ParseStream with the stats projection, then
// Aggregator.Add, in the steady state of a long run (the aggregator's sets
// have their final size after the first pass). cpu-ns/record counts every
// core's time.
func BenchmarkStatsPipeline(b *testing.B) {
	text := pipelineOnce()
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			cfg := parse.DefaultConfig()
			cfg.Fields = Fields()
			a := New(workers)
			b.SetBytes(int64(len(text)))
			b.ReportAllocs()
			cpu := cpuTime()
			var recs int64
			for i := 0; i < b.N; i++ {
				st, err := parse.ParseStream(context.Background(), bytes.NewReader(text), "bench", cfg, workers, a.Handle)
				if err != nil || st.MalformedTotal() != 0 {
					b.Fatal(err, st.Errors)
				}
				recs += st.Records
			}
			cpu = cpuTime() - cpu
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(recs), "ns/record")
			b.ReportMetric(float64(cpu.Nanoseconds())/float64(recs), "cpu-ns/record")
		})
	}
}
