package enrich

import (
	"math/rand/v2"
	"net/netip"
	"strconv"
	"testing"
	"time"
)

// benchAliases is 10,000 aliases: /32s, /28s and /24s in 10/8 and /128s and
// /64s in an IPv6 /40, nested and disjoint.
func benchAliases(b *testing.B) (*Aliases, []netip.Addr) {
	rng := rand.New(rand.NewPCG(5, 6))
	var entries []Alias
	seen := map[netip.Prefix]bool{}
	for len(entries) < 10_000 {
		var p netip.Prefix
		switch rng.IntN(5) {
		case 0:
			p = netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(rng.IntN(16)), byte(rng.Uint32()), 0}), 24)
		case 1:
			p = netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(rng.IntN(16)), byte(rng.Uint32()), byte(rng.Uint32())}), 28).Masked()
		case 2:
			var a [16]byte
			a[0], a[1], a[2], a[7], a[15] = 0x26, 0x00, 0x1f, byte(rng.Uint32()), byte(rng.Uint32())
			p = netip.PrefixFrom(netip.AddrFrom16(a), 64+64*rng.IntN(2)).Masked()
		default:
			p = netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(rng.IntN(16)), byte(rng.Uint32()), byte(rng.Uint32())}), 32)
		}
		if !seen[p] {
			seen[p] = true
			entries = append(entries, Alias{Name: "n" + strconv.Itoa(len(entries)), Prefix: p})
		}
	}
	a, err := NewAliases(entries)
	if err != nil {
		b.Fatal(err)
	}
	addrs := make([]netip.Addr, 4096)
	for i := range addrs {
		if i%4 == 0 {
			var x [16]byte
			x[0], x[1], x[2], x[7], x[15] = 0x26, 0x00, 0x1f, byte(rng.Uint32()), byte(rng.Uint32())
			addrs[i] = netip.AddrFrom16(x)
		} else {
			addrs[i] = netip.AddrFrom4([4]byte{10, byte(rng.IntN(16)), byte(rng.Uint32()), byte(rng.Uint32())})
		}
	}
	return a, addrs
}

func BenchmarkAliasesLookup(b *testing.B) {
	a, addrs := benchAliases(b)
	b.ReportAllocs()
	b.ResetTimer()
	began := time.Now()
	hits := 0
	for i := 0; i < b.N; i++ {
		if _, ok := a.Lookup(addrs[i&4095]); ok {
			hits++
		}
	}
	b.ReportMetric(float64(time.Since(began).Nanoseconds())/float64(b.N), "ns/lookup")
	if hits == 0 {
		b.Fatal("no hits")
	}
}

func BenchmarkNewAliases(b *testing.B) {
	a, _ := benchAliases(b)
	all := a.All()
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := NewAliases(all); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(all)), "ns/alias")
}

func BenchmarkPseudonymizeAddr(b *testing.B) {
	p, err := NewPseudonymizer(testKey, nil)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for _, fam := range []struct {
		name string
		gen  func() netip.Addr
	}{
		{"internal4", func() netip.Addr {
			return netip.AddrFrom4([4]byte{10, byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
		}},
		{"external4", func() netip.Addr {
			return netip.AddrFrom4([4]byte{byte(1 + rng.IntN(200)), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
		}},
		{"global6", func() netip.Addr {
			var x [16]byte
			for i := range x {
				x[i] = byte(rng.Uint32())
			}
			x[0] = 0x26
			return netip.AddrFrom16(x)
		}},
	} {
		addrs := make([]netip.Addr, 1024)
		for i := range addrs {
			addrs[i] = fam.gen()
		}
		b.Run(fam.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				p.Addr(addrs[i&1023])
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/addr")
		})
	}
}

func BenchmarkPseudonymizeID(b *testing.B) {
	p, err := NewPseudonymizer(testKey, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.ID("eni-0a1b2c3d4e5f67890")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/id")
}
