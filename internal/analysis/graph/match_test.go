package graph

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/enrich"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/memory"
	"github.com/flowlens/flowlens/internal/where"
)

// TestMatchSelectsNodeFlows: a node's Match.Src selects exactly the flows
// of its outgoing edges and Match.Dst those of its incoming edges, and an
// edge's flows are those of both filters together; the UI shows a node's
// flows with them.
func TestMatchSelectsNodeFlows(t *testing.T) {
	f := getFixture(t)
	aliases, err := enrich.FromInventory(f.inv)
	if err != nil {
		t.Fatal(err)
	}
	subnets, err := enrich.SubnetsFromInventory(f.inv)
	if err != nil {
		t.Fatal(err)
	}
	// Records without interface metadata: the CIDR map alone places
	// addresses in subnets, so subnet nodes have a filter too.
	v2, inv2, err := generateRecords(21, 8_000, "", 2*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	v2store := memory.New(memory.DefaultConfiguration())
	defer v2store.Close()
	if err := ingest(v2store, "v2", v2, 3000); err != nil {
		t.Fatal(err)
	}
	v2subnets, err := enrich.SubnetsFromInventory(inv2)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		st    store.Store
		mod   func(c *Configuration)
		kinds []string // node kinds that must have a match
	}{
		{"ip", f.store, func(c *Configuration) {}, []string{KindInternal, KindExternal}},
		{"ip/aliases", f.store, func(c *Configuration) { c.Aliases = aliases }, []string{KindInternal, KindExternal}},
		{"service/aliases", f.store, func(c *Configuration) { c.Group.Kind, c.Aliases = GroupService, aliases }, []string{KindService}},
		{"cidr/external-prefix/aliases", f.store, func(c *Configuration) {
			c.Group, c.External, c.Aliases = Group{Kind: GroupCIDR, Bits4: 22, Bits6: 56}, ExternalPrefix, aliases
		}, []string{KindGroup}},
		{"subnet/cidr-map", v2store, func(c *Configuration) { c.Group.Kind, c.Subnets = GroupSubnet, v2subnets }, []string{KindGroup}},
		{"ip/subnets", f.store, func(c *Configuration) { c.Subnets = subnets }, []string{KindInternal}},
	}
	ctx := context.Background()
	count := func(t *testing.T, st store.Store, exprs ...string) uint64 {
		t.Helper()
		var conds []store.Cond
		for _, e := range exprs {
			fl, err := where.Parse(e)
			if err != nil {
				t.Fatalf("match %q does not parse: %v", e, err)
			}
			conds = append(conds, fl.Conds...)
		}
		b, err := analysis.ActionBreakdown(ctx, st, analysis.Options{Filter: store.Filter{Conds: conds}})
		if err != nil {
			t.Fatal(err)
		}
		return b.Total.Flows
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := DefaultConfiguration()
			cfg.MaxNodes = 100_000
			tc.mod(&cfg)
			g, err := Build(ctx, tc.st, cfg)
			if err != nil {
				t.Fatal(err)
			}
			nodes := map[string]*Node{}
			var matched []*Node
			kinds := map[string]int{}
			for i := range g.Nodes {
				n := &g.Nodes[i]
				nodes[n.ID] = n
				if n.Match != nil {
					matched = append(matched, n)
					kinds[n.Kind]++
				}
			}
			for _, k := range tc.kinds {
				if kinds[k] == 0 {
					t.Fatalf("no %s node has a match (%v)", k, kinds)
				}
			}
			// The heaviest nodes, and a few light ones.
			sort.Slice(matched, func(i, j int) bool { return matched[i].Totals.Flows > matched[j].Totals.Flows })
			if len(matched) > 12 {
				matched = append(matched[:8], matched[len(matched)-4:]...)
			}
			for _, n := range matched {
				if got := count(t, tc.st, n.Match.Src); got != n.Out.Flows {
					t.Errorf("node %s: %q selects %d flows, its outgoing edges carry %d", n.ID, n.Match.Src, got, n.Out.Flows)
				}
				if got := count(t, tc.st, n.Match.Dst); got != n.In.Flows {
					t.Errorf("node %s: %q selects %d flows, its incoming edges carry %d", n.ID, n.Match.Dst, got, n.In.Flows)
				}
			}
			checked := 0
			for _, e := range g.Edges {
				s, d := nodes[e.Src], nodes[e.Dst]
				if s.Match == nil || d.Match == nil || checked >= 10 {
					continue
				}
				checked++
				if got := count(t, tc.st, s.Match.Src, d.Match.Dst); got != e.Flows {
					t.Errorf("edge %s -> %s: %q + %q select %d flows, the edge has %d", e.Src, e.Dst, s.Match.Src, d.Match.Dst, got, e.Flows)
				}
			}
			// In the service group, clients have no filter (their flows
			// are split between their own node and their services').
			if checked == 0 && cfg.Group.Kind != GroupService {
				t.Error("no edge has matches on both ends")
			}
			t.Logf("%d nodes (%v matched), %d edges checked", len(g.Nodes), kinds, checked)
		})
	}
}

// TestContainers: nodes name their subnet, subnets their VPC, and the
// graph lists exactly the containers its nodes use.
func TestContainers(t *testing.T) {
	f := getFixture(t)
	subnets, err := enrich.SubnetsFromInventory(f.inv)
	if err != nil {
		t.Fatal(err)
	}
	aliases, err := enrich.FromInventory(f.inv)
	if err != nil {
		t.Fatal(err)
	}
	for i, gk := range []GroupKind{GroupIP, GroupENI, GroupSubnet, GroupIP} {
		cfg := DefaultConfiguration()
		cfg.Group.Kind, cfg.Subnets = gk, subnets
		if i == 3 {
			// Named interfaces are in their subnet too.
			cfg.Aliases = aliases
		}
		g, err := Build(context.Background(), f.store, cfg)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]Container{}
		for _, c := range g.Groups {
			byID[c.ID] = c
		}
		used := map[string]bool{}
		for _, n := range g.Nodes {
			if n.Group == "" {
				continue
			}
			c, ok := byID[n.Group]
			if !ok {
				t.Fatalf("%v: node %s is in %q, which is not in groups", gk, n.ID, n.Group)
			}
			want := ContainerSubnet
			if gk == GroupSubnet {
				want = ContainerVPC
			}
			if c.Kind != want {
				t.Errorf("%v: node %s is in a %s, want a %s", gk, n.ID, c.Kind, want)
			}
			for id := n.Group; id != ""; id = byID[id].Parent {
				used[id] = true
			}
		}
		if len(used) == 0 {
			t.Fatalf("%v: no node is in a container", gk)
		}
		if i == 3 {
			for _, n := range g.Nodes {
				if n.AliasKind != "" && !n.External && n.Group == "" {
					t.Errorf("internal named node %s is in no subnet", n.ID)
				}
			}
		}
		for _, c := range g.Groups {
			if !used[c.ID] {
				t.Errorf("%v: container %s holds nothing", gk, c.ID)
			}
			if c.Kind == ContainerSubnet && byID[c.Parent].Kind != ContainerVPC {
				t.Errorf("%v: subnet %s is not inside a VPC (parent %q)", gk, c.ID, c.Parent)
			}
		}
	}
}
