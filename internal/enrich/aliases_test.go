package enrich

import (
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"
)

func mustAliases(t testing.TB, entries ...Alias) *Aliases {
	t.Helper()
	a, err := NewAliases(entries)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func al(name, cidr string) Alias {
	p, err := parseAddrOrPrefix(cidr)
	if err != nil {
		panic(err)
	}
	return Alias{Name: name, Prefix: p}
}

func TestAliasesLookup(t *testing.T) {
	a := mustAliases(t,
		al("vpc", "10.0.0.0/16"), al("lb-subnet", "10.0.1.0/24"), al("lb", "10.0.1.10"),
		al("tail", "10.0.1.128/25"), al("everything", "0.0.0.0/0"), al("last", "255.255.255.255"),
		al("v6-vpc", "2600:1f18:1234::/56"), al("v6-host", "2600:1f18:1234::10"),
		al("v6-end", "ffff::/16"), al("mapped", "::ffff:192.0.2.0/120"))
	f := func(addr, want string) {
		t.Helper()
		got, ok := a.Lookup(netip.MustParseAddr(addr))
		if want == "" {
			if ok {
				t.Errorf("Lookup(%s) = %q, want none", addr, got.Name)
			}
			return
		}
		if !ok || got.Name != want {
			t.Errorf("Lookup(%s) = %q %v, want %q", addr, got.Name, ok, want)
		}
	}
	f("10.0.1.10", "lb")
	f("10.0.1.9", "lb-subnet")
	f("10.0.1.11", "lb-subnet")
	f("10.0.1.127", "lb-subnet")
	f("10.0.1.128", "tail")
	f("10.0.1.255", "tail")
	f("10.0.2.0", "vpc")
	f("10.0.0.0", "vpc")
	f("10.1.0.0", "everything")
	f("0.0.0.0", "everything")
	f("255.255.255.254", "everything")
	f("255.255.255.255", "last")
	f("::ffff:10.0.1.10", "lb") // IPv4-mapped addresses are IPv4
	f("192.0.2.77", "mapped")   // and so are mapped prefixes
	f("2600:1f18:1234::10", "v6-host")
	f("2600:1f18:1234::11", "v6-vpc")
	f("2600:1f18:1234:ff::1", "v6-vpc")
	f("2600:1f18:1234:100::", "")
	f("::", "")
	f("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "v6-end")
	f("fffe::1", "")
	var nilAliases *Aliases
	if _, ok := nilAliases.Lookup(netip.MustParseAddr("10.0.0.1")); ok || nilAliases.Len() != 0 {
		t.Error("a nil table found an alias")
	}
	if _, ok := a.Lookup(netip.Addr{}); ok {
		t.Error("the zero address has an alias")
	}
}

// TestAliasesLookupRandom checks the flattened table against a linear scan
// over random nested and disjoint prefixes.
func TestAliasesLookupRandom(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for round := 0; round < 40; round++ {
		var entries []Alias
		seen := map[netip.Prefix]bool{}
		for len(entries) < 1+rng.IntN(200) {
			var p netip.Prefix
			if rng.IntN(3) == 0 {
				var b [16]byte
				b[0], b[1], b[2] = 0x26, 0x00, byte(rng.IntN(4))
				b[3], b[15] = byte(rng.IntN(256)), byte(rng.IntN(256))
				p = netip.PrefixFrom(netip.AddrFrom16(b), 16+rng.IntN(113)).Masked()
			} else {
				a := netip.AddrFrom4([4]byte{10, byte(rng.IntN(4)), byte(rng.IntN(256)), byte(rng.IntN(256))})
				p = netip.PrefixFrom(a, 8+rng.IntN(25)).Masked()
			}
			if seen[p] {
				continue
			}
			seen[p] = true
			entries = append(entries, Alias{Name: p.String(), Prefix: p})
		}
		a := mustAliases(t, entries...)
		for i := 0; i < 2000; i++ {
			var addr netip.Addr
			if i%3 == 0 {
				var b [16]byte
				b[0], b[1], b[2], b[3] = 0x26, 0x00, byte(rng.IntN(4)), byte(rng.IntN(256))
				b[15] = byte(rng.IntN(256))
				addr = netip.AddrFrom16(b)
			} else {
				addr = netip.AddrFrom4([4]byte{10, byte(rng.IntN(4)), byte(rng.IntN(256)), byte(rng.IntN(256))})
			}
			if i%7 == 0 { // an entry's boundaries
				p := entries[rng.IntN(len(entries))].Prefix
				first, last := prefixSpan(p)
				addr = numAddr([]u128{first, last, last.inc(), first.sub(u128{0, 1})}[rng.IntN(4)], p.Addr().Is4())
			}
			want, best := "", -1
			for _, e := range entries {
				if e.Prefix.Contains(addr) && e.Prefix.Bits() > best {
					want, best = e.Name, e.Prefix.Bits()
				}
			}
			got, ok := a.Lookup(addr)
			if got.Name != want || ok != (want != "") {
				t.Fatalf("round %d: Lookup(%s) = %q, want %q", round, addr, got.Name, want)
			}
			// LookupPrefix: the most specific alias holding a whole network.
			q := netip.PrefixFrom(addr, rng.IntN(addr.BitLen()+1)).Masked()
			want, best = "", -1
			for _, e := range entries {
				if e.Prefix.Bits() <= q.Bits() && e.Prefix.Contains(q.Addr()) && e.Prefix.Bits() > best {
					want, best = e.Name, e.Prefix.Bits()
				}
			}
			if got, ok := a.LookupPrefix(q); got.Name != want || ok != (want != "") {
				t.Fatalf("round %d: LookupPrefix(%s) = %q, want %q", round, q, got.Name, want)
			}
		}
	}
}

func TestNewAliasesErrors(t *testing.T) {
	f := func(want string, entries ...Alias) {
		t.Helper()
		_, err := NewAliases(entries)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("NewAliases(%v) = %v, want an error containing %q", entries, err, want)
		}
	}
	a, b := al("a", "10.0.0.0/24"), al("b", "10.0.0.0/24")
	a.Source, b.Source = "x.csv:3", "x.csv:9"
	f(`x.csv:9: 10.0.0.0/24 is already named "a" at x.csv:3`, a, b)
	f("host bits set: use 10.0.0.0/24 for the network or 10.0.0.5/32", Alias{Name: "h", Prefix: netip.MustParsePrefix("10.0.0.5/24")})
	f("empty name", Alias{Name: "  ", Prefix: netip.MustParsePrefix("10.0.0.0/24")})
	f("control character", Alias{Name: "a\nb", Prefix: netip.MustParsePrefix("10.0.0.0/24")})
	f("no valid address", Alias{Name: "z"})
	f("longer than 64", Alias{Name: "k", Kind: strings.Repeat("x", 65), Prefix: netip.MustParsePrefix("10.0.0.0/24")})
	// Many problems are all reported, up to a cap.
	var many []Alias
	for i := 0; i < 30; i++ {
		many = append(many, Alias{Name: "", Prefix: netip.MustParsePrefix("10.0.0.0/24")})
	}
	_, err := NewAliases(many)
	if err == nil || !strings.Contains(err.Error(), "... and 10 more problems") {
		t.Errorf("30 bad entries: %v", err)
	}
}

func TestAliasesAllAndMerge(t *testing.T) {
	a := mustAliases(t, al("b", "10.0.1.0/24"), al("a", "10.0.0.0/16"), al("c", "2600::/16"))
	all := a.All()
	if len(all) != 3 || all[0].Name != "a" || all[1].Name != "b" || all[2].Name != "c" {
		t.Fatalf("All = %v", all)
	}
	m, err := Merge(a, mustAliases(t, al("d", "10.0.1.1")))
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := m.Lookup(netip.MustParseAddr("10.0.1.1")); got.Name != "d" || m.Len() != 4 {
		t.Errorf("merged lookup = %v (len %d)", got, m.Len())
	}
	if _, err := Merge(a, mustAliases(t, al("dup", "10.0.1.0/24"))); err == nil {
		t.Error("merging a duplicate network succeeded")
	}
}
