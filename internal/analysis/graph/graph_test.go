package graph

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/flowlog"
)

func TestServicePort(t *testing.T) {
	f := func(proto int16, sport, dport int, wantSide flowlog.Side, wantPort int32) {
		t.Helper()
		k := rowKey{proto: proto, sport: normPort(uint64(sport), sport >= 0, 32768), dport: normPort(uint64(dport), dport >= 0, 32768)}
		side, port := servicePort(&k, DefaultEphemeralFrom)
		if side != wantSide || (side != flowlog.SideNone && port != wantPort) {
			t.Errorf("servicePort(%d, %d→%d) = %d %d, want %d %d", proto, sport, dport, side, port, wantSide, wantPort)
		}
	}
	f(6, 50000, 443, flowlog.SideDst, 443)
	f(6, 443, 50000, flowlog.SideSrc, 443)
	f(6, 5432, 1025, flowlog.SideSrc, 5432) // a well-known service beats a lower port
	f(6, 1500, 1025, flowlog.SideDst, 1025) // else the lower port
	f(6, 8080, 443, flowlog.SideDst, 443)   // both well known: the lower
	f(17, 53, 53, flowlog.SideBoth, 53)
	f(17, 123, 40000, flowlog.SideSrc, 123)
	f(6, 40000, 50000, flowlog.SideNone, -1)
	f(1, 0, 0, flowlog.SideNone, -1)    // ICMP has no ports
	f(6, -1, 443, flowlog.SideDst, 443) // absent source port
	f(6, 32767, 32768, flowlog.SideSrc, 32767)
	f(132, 40000, 3868, flowlog.SideDst, 3868) // SCTP
}

// conv is a small data set: a client, a database, an SSH scan, DNS.
func conv(t *testing.T) []flowlog.Record {
	lines := []string{hdr5,
		line5("10.0.1.5:50000>10.0.2.9:5432/6", 1000, "ACCEPT", "eni-a", "subnet-a", "vpc-1", "use1-az1", "egress"),
		line5("10.0.1.5:50001>10.0.2.9:5432/6", 1000, "ACCEPT", "eni-a", "subnet-a", "vpc-1", "use1-az1", "egress"),
		line5("10.0.1.5:50002>10.0.2.9:5432/6", 1000, "ACCEPT", "eni-b", "subnet-b", "vpc-1", "use1-az2", "ingress"),
		line5("10.0.2.9:5432>10.0.1.5:50000/6", 5000, "ACCEPT", "eni-b", "subnet-b", "vpc-1", "use1-az2", "egress"),
		line5("54.1.2.3:40000>10.0.1.5:22/6", 40, "REJECT", "eni-a", "subnet-a", "vpc-1", "use1-az1", "ingress"),
		line5("10.0.3.3:41000>10.0.2.9:5432/6", 700, "ACCEPT", "eni-b", "subnet-b", "vpc-1", "use1-az2", "ingress"),
		line5("192.168.7.7:123>10.0.1.5:123/17", 76, "ACCEPT", "eni-a", "subnet-a", "vpc-1", "use1-az1", "ingress"),
		"5 123456789012 eni-a - - - - - - - 1000 1060 - NODATA vpc-1 subnet-a use1-az1 - - -",
	}
	return parseLines(t, strings.Join(lines, "\n")+"\n")
}

func TestGroups(t *testing.T) {
	recs := conv(t)
	f := func(group string, mod func(*Configuration), want string) {
		t.Helper()
		cfg := DefaultConfiguration()
		g, err := ParseGroup(group)
		if err != nil {
			t.Fatal(err)
		}
		cfg.Group = g
		if mod != nil {
			mod(&cfg)
		}
		gr, err := FromRecords(recs, cfg)
		if err != nil {
			t.Fatalf("%s: %v", group, err)
		}
		if got := describe(gr); got != want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", group, got, want)
		}
		wantFlows, wantWithout := uint64(7), uint64(1)
		if cfg.Action == flowlog.ActionReject {
			wantFlows, wantWithout = 1, 0 // NODATA records have no action
		}
		if gr.Totals.Flows != wantFlows || gr.WithoutAddresses.Flows != wantWithout || gr.Shown != gr.Totals {
			t.Errorf("%s: totals %+v shown %+v without addresses %+v", group, gr.Totals, gr.Shown, gr.WithoutAddresses)
		}
	}
	f("ip", nil, `10.0.1.5 internal
10.0.2.9 internal
10.0.3.3 internal
192.168.7.7 internal
54.1.2.3 external ext
10.0.1.5 -> 10.0.2.9 3/3000 a=3 r=0 5432/6:3
10.0.2.9 -> 10.0.1.5 1/5000 a=1 r=0 5432/6:1
10.0.3.3 -> 10.0.2.9 1/700 a=1 r=0 5432/6:1
192.168.7.7 -> 10.0.1.5 1/76 a=1 r=0 123/17:1
54.1.2.3 -> 10.0.1.5 1/40 a=0 r=1 22/6:1
`)
	f("service", nil, `10.0.1.5 internal
10.0.1.5:123 service
10.0.1.5:22 service
10.0.2.9:5432 service
10.0.3.3 internal
192.168.7.7:123 service
54.1.2.3 external ext
10.0.1.5 -> 10.0.2.9:5432 3/3000 a=3 r=0 5432/6:3
10.0.2.9:5432 -> 10.0.1.5 1/5000 a=1 r=0 5432/6:1
10.0.3.3 -> 10.0.2.9:5432 1/700 a=1 r=0 5432/6:1
192.168.7.7:123 -> 10.0.1.5:123 1/76 a=1 r=0 123/17:1
54.1.2.3 -> 10.0.1.5:22 1/40 a=0 r=1 22/6:1
`)
	f("cidr:/16", nil, `10.0.0.0/16 group
192.168.0.0/16 group
54.1.0.0/16 group ext
10.0.0.0/16 -> 10.0.0.0/16 5/8700 a=5 r=0 5432/6:5
192.168.0.0/16 -> 10.0.0.0/16 1/76 a=1 r=0 123/17:1
54.1.0.0/16 -> 10.0.0.0/16 1/40 a=0 r=1 22/6:1
`)
	// Interfaces learned from flow-direction; 10.0.3.3 and 192.168.7.7
	// never logged themselves; external endpoints become "internet".
	f("eni", func(c *Configuration) { c.TopPorts = -1 }, `10.0.3.3 internal
192.168.7.7 internal
eni-a group group=subnet-a
eni-b group group=subnet-b
internet group ext
10.0.3.3 -> eni-b 1/700 a=1 r=0
192.168.7.7 -> eni-a 1/76 a=1 r=0
eni-a -> eni-b 3/3000 a=3 r=0
eni-b -> eni-a 1/5000 a=1 r=0
internet -> eni-a 1/40 a=0 r=1
`)
	subnets := mustSubnets(t, subnet("subnet-c", "vpc-2", "use1-az3", "10.0.3.0/24"), subnet("subnet-a", "vpc-1", "use1-az1", "10.0.1.0/24"))
	f("subnet", func(c *Configuration) { c.Subnets, c.TopPorts = subnets, -1 }, `192.168.7.0/24 group
internet group ext
subnet-a group group=vpc-1
subnet-b group group=vpc-1
subnet-c group group=vpc-2
192.168.7.0/24 -> subnet-a 1/76 a=1 r=0
internet -> subnet-a 1/40 a=0 r=1
subnet-a -> subnet-b 3/3000 a=3 r=0
subnet-b -> subnet-a 1/5000 a=1 r=0
subnet-c -> subnet-b 1/700 a=1 r=0
`)
	f("vpc", func(c *Configuration) { c.Subnets, c.TopPorts = subnets, -1 }, `internet group ext
unknown-vpc group
vpc-1 group
vpc-2 group
internet -> vpc-1 1/40 a=0 r=1
unknown-vpc -> vpc-1 1/76 a=1 r=0
vpc-1 -> vpc-1 4/8000 a=4 r=0
vpc-2 -> vpc-1 1/700 a=1 r=0
`)
	f("az", func(c *Configuration) { c.Subnets, c.External, c.TopPorts = subnets, ExternalPrefix, -1 }, `54.1.0.0/16 group ext
unknown-az group
use1-az1 group
use1-az2 group
use1-az3 group
54.1.0.0/16 -> use1-az1 1/40 a=0 r=1
unknown-az -> use1-az1 1/76 a=1 r=0
use1-az1 -> use1-az2 3/3000 a=3 r=0
use1-az2 -> use1-az1 1/5000 a=1 r=0
use1-az3 -> use1-az2 1/700 a=1 r=0
`)
	f("ip", func(c *Configuration) { c.External = ExternalInternet; c.Action = flowlog.ActionReject }, `10.0.1.5 internal
internet group ext
internet -> 10.0.1.5 1/40 a=0 r=1 22/6:1
`)
}

func TestParseGroupAndExternal(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		g, err := ParseGroup(in)
		if want == "" {
			if err == nil {
				t.Errorf("ParseGroup(%q) = %v, want an error", in, g)
			}
			return
		}
		if err != nil || g.String() != want {
			t.Errorf("ParseGroup(%q) = %v %v, want %s", in, g, err, want)
		}
		if back, err := ParseGroup(g.String()); err != nil || back != g {
			t.Errorf("ParseGroup(%q) does not round trip: %v %v", g, back, err)
		}
	}
	f("ip", "ip")
	f(" Service ", "service")
	f("interface-id", "eni")
	f("subnet", "subnet")
	f("vpc", "vpc")
	f("az", "az")
	f("cidr", "cidr:/24")
	f("cidr:/16", "cidr:/16")
	f("cidr:/24,/56", "cidr:/24,/56")
	f("cidr:/33", "")
	f("cidr:/24,/129", "")
	f("cidr:/a", "")
	f("cidr:/8,/48,/1", "")
	f("host", "")
	for _, s := range []string{"auto", "keep", "internet", "prefix"} {
		if e, err := ParseExternal(s); err != nil || e.String() != s {
			t.Errorf("ParseExternal(%q) = %v %v", s, e, err)
		}
	}
	if _, err := ParseExternal("world"); err == nil {
		t.Error("ParseExternal(world): no error")
	}
}

// TestHeaviest checks the top-k selection against a full sort.
func TestHeaviest(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	cmp := byWeight(analysis.MetricBytes)
	for _, n := range []int{0, 1, 2, 7, 100, 1000} {
		for _, k := range []int{1, 2, 5, 50, 2000} {
			var list []*edgeAcc
			for i := 0; i < n; i++ {
				list = append(list, &edgeAcc{src: &Node{ID: fmt.Sprint(rng.IntN(20))}, dst: &Node{ID: fmt.Sprint(i)},
					counts: Counts{Bytes: uint64(rng.IntN(30))}})
			}
			want := slices.Clone(list)
			slices.SortFunc(want, cmp)
			heaviest(list, k, cmp)
			m := min(k, n)
			if !slices.Equal(list[:m], want[:m]) {
				t.Fatalf("n=%d k=%d: kept edges differ from a full sort", n, k)
			}
			rest := slices.Clone(list[m:])
			slices.SortFunc(rest, cmp)
			if !slices.Equal(rest, want[m:]) {
				t.Fatalf("n=%d k=%d: the dropped edges are not the rest", n, k)
			}
		}
	}
}
