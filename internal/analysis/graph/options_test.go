package graph

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

func build(t *testing.T, recs []flowlog.Record, cfg Configuration) *Graph {
	t.Helper()
	g, err := FromRecords(recs, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestAliases(t *testing.T) {
	recs := conv(t)
	al := mustAliases(t, "cidr,name,kind\n10.0.2.9,db-primary,db\n54.1.0.0/16,scanner-net,threat\n10.0.0.0/16,prod-vpc,vpc\n")
	f := func(group string, want string) {
		t.Helper()
		cfg := DefaultConfiguration()
		cfg.Group, _ = ParseGroup(group)
		cfg.Aliases, cfg.TopPorts = al, -1
		if got := describe(build(t, recs, cfg)); got != want {
			t.Errorf("%s:\ngot:\n%s\nwant:\n%s", group, got, want)
		}
	}
	// The most specific alias wins; unaliased addresses keep theirs.
	f("ip", `192.168.7.7 internal
alias:db-primary internal label=db-primary
alias:prod-vpc internal label=prod-vpc
alias:scanner-net external ext label=scanner-net
192.168.7.7 -> alias:prod-vpc 1/76 a=1 r=0
alias:db-primary -> alias:prod-vpc 1/5000 a=1 r=0
alias:prod-vpc -> alias:db-primary 4/3700 a=4 r=0
alias:scanner-net -> alias:prod-vpc 1/40 a=0 r=1
`)
	f("service", `192.168.7.7:123 service
alias:db-primary:5432 service label=db-primary:5432
alias:prod-vpc internal label=prod-vpc
alias:prod-vpc:123 service label=prod-vpc:123
alias:prod-vpc:22 service label=prod-vpc:22
alias:scanner-net external ext label=scanner-net
192.168.7.7:123 -> alias:prod-vpc:123 1/76 a=1 r=0
alias:db-primary:5432 -> alias:prod-vpc 1/5000 a=1 r=0
alias:prod-vpc -> alias:db-primary:5432 4/3700 a=4 r=0
alias:scanner-net -> alias:prod-vpc:22 1/40 a=0 r=1
`)
	// cidr /24: only aliases holding whole /24s apply.
	f("cidr:/24", `192.168.7.0/24 group
alias:prod-vpc internal label=prod-vpc
alias:scanner-net external ext label=scanner-net
192.168.7.0/24 -> alias:prod-vpc 1/76 a=1 r=0
alias:prod-vpc -> alias:prod-vpc 5/8700 a=5 r=0
alias:scanner-net -> alias:prod-vpc 1/40 a=0 r=1
`)
	// Interface nodes are labelled with their address' alias.
	f("eni", `192.168.7.7 internal
alias:prod-vpc internal label=prod-vpc
alias:scanner-net external ext label=scanner-net
eni-a group group=subnet-a label=prod-vpc
eni-b group group=subnet-b label=db-primary
192.168.7.7 -> eni-a 1/76 a=1 r=0
alias:prod-vpc -> eni-b 1/700 a=1 r=0
alias:scanner-net -> eni-a 1/40 a=0 r=1
eni-a -> eni-b 3/3000 a=3 r=0
eni-b -> eni-a 1/5000 a=1 r=0
`)
}

func TestAWSServicesAndExternal(t *testing.T) {
	text := strings.Join([]string{hdr5,
		line5svc("10.0.1.5:50000>52.216.1.2:443/6", 900, "ACCEPT", "eni-a", "subnet-a", "vpc-1", "use1-az1", "egress", "-", "S3"),
		line5svc("52.216.1.2:443>10.0.1.5:50000/6", 9000, "ACCEPT", "eni-a", "subnet-a", "vpc-1", "use1-az1", "ingress", "S3", "-"),
		line5svc("10.0.1.5:50001>52.217.9.9:443/6", 100, "ACCEPT", "eni-a", "subnet-a", "vpc-1", "use1-az1", "egress", "-", "-"),
		line5svc("10.0.1.5:50002>2600:1f18::1:443/6", 50, "ACCEPT", "eni-a", "subnet-a", "vpc-1", "use1-az1", "egress", "-", "-"),
	}, "\n") + "\n"
	recs := parseLines(t, text)
	f := func(mod func(*Configuration), want string) {
		t.Helper()
		cfg := DefaultConfiguration()
		cfg.TopPorts = -1
		mod(&cfg)
		if got := describe(build(t, recs, cfg)); got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
	}
	f(func(c *Configuration) { c.AWSServices = true }, `10.0.1.5 internal
2600:1f18::1 external ext
52.217.9.9 external ext
aws:S3 group ext label=AWS S3
10.0.1.5 -> 2600:1f18::1 1/50 a=1 r=0
10.0.1.5 -> 52.217.9.9 1/100 a=1 r=0
10.0.1.5 -> aws:S3 1/900 a=1 r=0
aws:S3 -> 10.0.1.5 1/9000 a=1 r=0
`)
	f(func(c *Configuration) { c.External = ExternalPrefix }, `10.0.1.5 internal
2600:1f18::/32 group ext
52.216.0.0/16 group ext
52.217.0.0/16 group ext
10.0.1.5 -> 2600:1f18::/32 1/50 a=1 r=0
10.0.1.5 -> 52.216.0.0/16 1/900 a=1 r=0
10.0.1.5 -> 52.217.0.0/16 1/100 a=1 r=0
52.216.0.0/16 -> 10.0.1.5 1/9000 a=1 r=0
`)
	f(func(c *Configuration) { c.External, c.ExternalBits4 = ExternalPrefix, 8 }, `10.0.1.5 internal
2600:1f18::/32 group ext
52.0.0.0/8 group ext
10.0.1.5 -> 2600:1f18::/32 1/50 a=1 r=0
10.0.1.5 -> 52.0.0.0/8 2/1000 a=2 r=0
52.0.0.0/8 -> 10.0.1.5 1/9000 a=1 r=0
`)
	f(func(c *Configuration) { c.Group.Kind = GroupService }, `10.0.1.5 internal
52.216.1.2:443 service ext
52.217.9.9:443 service ext
[2600:1f18::1]:443 service ext
10.0.1.5 -> 52.216.1.2:443 1/900 a=1 r=0
10.0.1.5 -> 52.217.9.9:443 1/100 a=1 r=0
10.0.1.5 -> [2600:1f18::1]:443 1/50 a=1 r=0
52.216.1.2:443 -> 10.0.1.5 1/9000 a=1 r=0
`)
}

// TestLearnWithoutDirection: version 2 records (interface-id, no
// flow-direction): an interface's address is the one in most of its flows.
func TestLearnWithoutDirection(t *testing.T) {
	text := "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n" +
		"2 1 eni-a 10.0.1.5 10.0.2.9 50000 5432 6 1 10 1000 1060 ACCEPT OK\n" +
		"2 1 eni-a 10.0.2.9 10.0.1.5 5432 50000 6 1 10 1000 1060 ACCEPT OK\n" +
		"2 1 eni-a 10.0.1.5 10.0.4.4 50001 443 6 1 10 1000 1060 ACCEPT OK\n" +
		"2 1 eni-b 10.0.1.5 10.0.2.9 50000 5432 6 1 10 1000 1060 ACCEPT OK\n" +
		"2 1 eni-b 10.0.2.9 10.0.1.5 5432 50000 6 1 10 1000 1060 ACCEPT OK\n" +
		"2 1 eni-b 10.0.3.1 10.0.2.9 50000 5432 6 1 10 1000 1060 ACCEPT OK\n"
	cfg := DefaultConfiguration()
	cfg.Group.Kind, cfg.TopPorts = GroupENI, -1
	got := describe(build(t, parseLines(t, text), cfg))
	want := `10.0.3.1 internal
10.0.4.4 internal
eni-a group
eni-b group
10.0.3.1 -> eni-b 1/10 a=1 r=0
eni-a -> 10.0.4.4 1/10 a=1 r=0
eni-a -> eni-b 2/20 a=2 r=0
eni-b -> eni-a 2/20 a=2 r=0
`
	if got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

func TestFilters(t *testing.T) {
	recs := conv(t)
	f := func(mod func(*Configuration), want string) {
		t.Helper()
		cfg := DefaultConfiguration()
		cfg.TopPorts = -1
		mod(&cfg)
		if got := describe(build(t, recs, cfg)); got != want {
			t.Errorf("got:\n%s\nwant:\n%s", got, want)
		}
	}
	f(func(c *Configuration) { c.Ports = []uint16{22, 123} }, `10.0.1.5 internal
192.168.7.7 internal
54.1.2.3 external ext
192.168.7.7 -> 10.0.1.5 1/76 a=1 r=0
54.1.2.3 -> 10.0.1.5 1/40 a=0 r=1
`)
	f(func(c *Configuration) { c.Protocols = []uint8{17} }, `10.0.1.5 internal
192.168.7.7 internal
192.168.7.7 -> 10.0.1.5 1/76 a=1 r=0
`)
	f(func(c *Configuration) {
		c.Filter.Conds = []store.Cond{{Field: flowlog.FieldSrcAddr, Op: store.OpInPrefix, Values: []any{"10.0.0.0/8"}},
			{Field: flowlog.FieldBytes, Op: store.OpGe, Values: []any{1000}}}
	}, `10.0.1.5 internal
10.0.2.9 internal
10.0.1.5 -> 10.0.2.9 3/3000 a=3 r=0
10.0.2.9 -> 10.0.1.5 1/5000 a=1 r=0
`)
	f(func(c *Configuration) {
		c.Filter.Conds = []store.Cond{{Field: flowlog.FieldInterfaceID, Op: store.OpNe, Values: []any{"eni-a"}},
			store.Eq(flowlog.FieldFlowDirection, flowlog.DirectionIngress)}
	}, `10.0.1.5 internal
10.0.2.9 internal
10.0.3.3 internal
10.0.1.5 -> 10.0.2.9 1/1000 a=1 r=0
10.0.3.3 -> 10.0.2.9 1/700 a=1 r=0
`)
	f(func(c *Configuration) {
		c.Match = func(r *flowlog.Record) bool { return r.DstPort == 5432 && r.SrcAddr.String() == "10.0.3.3" }
	}, `10.0.2.9 internal
10.0.3.3 internal
10.0.3.3 -> 10.0.2.9 1/700 a=1 r=0
`)
	// Every test record starts at 1000: [1000, 1001) holds them, [1001, ...) none.
	f(func(c *Configuration) { c.Range = store.TimeRange{Start: time.Unix(1001, 0)} }, "")
	f(func(c *Configuration) {
		c.Range = store.TimeRange{Start: time.Unix(999, 500), End: time.Unix(1000, 1)}
		c.Ports = []uint16{123}
	}, `10.0.1.5 internal
192.168.7.7 internal
192.168.7.7 -> 10.0.1.5 1/76 a=1 r=0
`)
	bad := func(mod func(*Configuration), want string) {
		t.Helper()
		cfg := DefaultConfiguration()
		mod(&cfg)
		_, err := FromRecords(recs, cfg)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want %q", err, want)
		}
	}
	bad(func(c *Configuration) { c.Filter.SQL = "dstport = 22" }, "a SQL filter needs a store")
	bad(func(c *Configuration) { c.Ports = []uint16{40000} }, "port 40000 is in the ephemeral range")
	bad(func(c *Configuration) { c.MaxNodes = 2 }, "max-nodes 2 is too small")
	bad(func(c *Configuration) { c.TopK = -1 }, "top-k -1 is negative")
	bad(func(c *Configuration) { c.Weight = analysis.Metric(9) }, "unknown weight")
	bad(func(c *Configuration) { c.Filter.Conds = []store.Cond{store.Eq(flowlog.FieldAction, "accept")} }, "not a valid value")
	bad(func(c *Configuration) {
		c.Filter.Conds = []store.Cond{{Field: flowlog.FieldVPCID, Op: store.OpLt, Values: []any{"x"}}}
	}, "only numeric fields are ordered")
	cfg := DefaultConfiguration()
	cfg.Match = func(*flowlog.Record) bool { return true }
	if _, err := Build(context.Background(), nil, cfg); err == nil {
		t.Error("Build without a store: no error")
	}
}

// star is a hub talking to n peers, peer i with i+1 flows of 100 bytes.
func star(t *testing.T, n int) []flowlog.Record {
	lines := []string{hdr5}
	for i := 0; i < n; i++ {
		peer := fmt.Sprintf("10.0.9.%d", i+1)
		if i%3 == 2 {
			peer = fmt.Sprintf("54.0.0.%d", i+1)
		}
		for j := 0; j <= i; j++ {
			lines = append(lines, line5(fmt.Sprintf("%s:%d>10.0.0.1:443/6", peer, 40000+j), 100, "ACCEPT", "-", "-", "-", "-", "-"))
		}
	}
	return parseLines(t, strings.Join(lines, "\n")+"\n")
}

func TestLimits(t *testing.T) {
	recs := star(t, 10) // 55 flows
	f := func(mod func(*Configuration), wantEdges, wantNodes int, note string) *Graph {
		t.Helper()
		cfg := DefaultConfiguration()
		mod(&cfg)
		g := build(t, recs, cfg)
		if len(g.Edges) != wantEdges || len(g.Nodes) != wantNodes {
			t.Errorf("%d edges, %d nodes, want %d and %d:\n%s", len(g.Edges), len(g.Nodes), wantEdges, wantNodes, describe(g))
		}
		if got := strings.Join(g.Notes, "\n"); !strings.Contains(got, note) || g.Truncated != (note != "") {
			t.Errorf("notes %q (truncated %v), want %q", got, g.Truncated, note)
		}
		if g.Totals.Flows != 55 {
			t.Errorf("totals %d flows, want 55", g.Totals.Flows)
		}
		return g
	}
	f(func(c *Configuration) {}, 10, 11, "")
	g := f(func(c *Configuration) { c.MinFlows = 7 }, 4, 5, "min-flows 7: dropped 6 edges with fewer flows (21 flows, 2100 bytes)")
	for _, e := range g.Edges {
		if e.Flows < 7 {
			t.Errorf("edge %s -> %s has %d flows", e.Src, e.Dst, e.Flows)
		}
	}
	if g.Shown.Flows != 34 {
		t.Errorf("shown %d flows, want 34", g.Shown.Flows)
	}
	g = f(func(c *Configuration) { c.TopK, c.Weight = 3, analysis.MetricFlows }, 3, 4, "top-k 3: kept the 3 heaviest of 10 edges by flows")
	if got := describe(g); !strings.Contains(got, "10.0.9.10 -> 10.0.0.1 10/") || !strings.Contains(got, "54.0.0.9 -> 10.0.0.1 9/") || !strings.Contains(got, "10.0.9.8 -> 10.0.0.1 8/") {
		t.Errorf("top-k kept:\n%s", got)
	}
	// Ties are broken by IDs: every edge of a 1-flow star weighs the same.
	g = f(func(c *Configuration) { c.MaxNodes = 5 }, 4, 5, "max-nodes 5: kept the 3 heaviest of 11 nodes by bytes; merged 8 nodes, 6 into other:internal, 2 into other:external (36 flows go to or from them)")
	if got := describe(g); !strings.Contains(got, "other:internal other label=other (internal) members=6") ||
		!strings.Contains(got, "other:external other ext label=other (external) members=2") ||
		!strings.Contains(got, "other:internal -> 10.0.0.1 27/2700") || !strings.Contains(got, "other:external -> 10.0.0.1 9/900") {
		t.Errorf("max-nodes:\n%s", got)
	}
	if g.Shown != g.Totals {
		t.Errorf("merging lost flows: shown %+v, totals %+v", g.Shown, g.Totals)
	}
	// One side only: one "other" node, one more node kept.
	f(func(c *Configuration) { c.MaxNodes = 7; c.External = ExternalInternet }, 6, 7, "kept the 6 heaviest of 9 nodes by bytes; merged 3 nodes, 3 into other:internal (7 flows")
	f(func(c *Configuration) { c.MaxNodes = -1 }, 10, 11, "")
}
