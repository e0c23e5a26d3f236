package graph

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/flowlog"
)

type edgeAcc struct {
	src, dst           *Node
	counts             Counts
	accepted, rejected Counts
	// ports are few per edge: a slice searched linearly is several times
	// cheaper than a map per edge over hundreds of thousands of edges.
	ports []PortCount
}

func (e *edgeAcc) merge(o *edgeAcc) {
	e.counts.Add(o.counts)
	e.accepted.Add(o.accepted)
	e.rejected.Add(o.rejected)
	for i := range o.ports {
		p := &o.ports[i]
		e.addPort(p.Port, p.Protocol, p.Flows, p.Bytes)
	}
}

func (e *edgeAcc) addPort(port uint16, proto uint8, flows, bytes uint64) {
	for i := range e.ports {
		if p := &e.ports[i]; p.Port == port && p.Protocol == proto {
			p.Flows += flows
			p.Bytes += bytes
			return
		}
	}
	// The service name is looked up by finish, for the edges kept.
	e.ports = append(e.ports, PortCount{Port: port, Protocol: proto, Flows: flows, Bytes: bytes})
}

type edgeKey struct{ src, dst *Node }

// assembler aggregates rows into edges as they come (cfg is normalized).
// With interface groups, the resolver must first learn from every row
// which interface owns each address (see learn): those rows are kept and
// added at the end.
type assembler struct {
	cfg   *Configuration
	g     *Graph
	r     *resolver
	ms    metas
	edges map[edgeKey]*edgeAcc
	slab  []edgeAcc // edges are carved from slabs: one allocation per block
	held  *rowBlocks
}

func newAssembler(cfg *Configuration, ms metas) *assembler {
	a := &assembler{cfg: cfg, ms: ms, r: newResolver(cfg), edges: make(map[edgeKey]*edgeAcc, 1<<12),
		g: &Graph{Group: cfg.Group, Weight: cfg.Weight.String(), Pseudonymized: cfg.Pseudonymizer != nil}}
	if cfg.needs().ifaces {
		a.held = &rowBlocks{}
	}
	return a
}

// assemble turns rows into a graph (cfg is normalized).
func assemble(cfg *Configuration, rows *rowBlocks, ms metas) (*Graph, error) {
	a := newAssembler(cfg, ms)
	rows.each(a.add)
	return a.graph()
}

// add aggregates a row (or keeps it until graph, see assembler).
func (a *assembler) add(rw *row) {
	if a.held != nil {
		a.held.add(*rw)
		return
	}
	a.aggregate(rw)
}

func (a *assembler) aggregate(rw *row) {
	cfg, g := a.cfg, a.g
	k, c := &rw.key, rw.counts
	side, port := servicePort(k, cfg.EphemeralFrom)
	if len(cfg.Ports) > 0 && (side == flowlog.SideNone || !slices.Contains(cfg.Ports, uint16(port))) {
		return
	}
	if !k.src.IsValid() || !k.dst.IsValid() {
		g.WithoutAddresses.Add(c)
		return
	}
	sp, dp := int32(-1), int32(-1)
	if cfg.Group.Kind == GroupService {
		if side.Serves(true) {
			sp = port
		}
		if side.Serves(false) {
			dp = port
		}
	}
	ek := edgeKey{a.r.resolve(k.src, sp, k.srcSvc), a.r.resolve(k.dst, dp, k.dstSvc)}
	e := a.edges[ek]
	if e == nil {
		if len(a.slab) == cap(a.slab) {
			a.slab = make([]edgeAcc, 0, 1024)
		}
		a.slab = append(a.slab, edgeAcc{src: ek.src, dst: ek.dst})
		e = &a.slab[len(a.slab)-1]
		a.edges[ek] = e
	}
	g.Totals.Add(c)
	e.counts.Add(c)
	switch k.action {
	case 1:
		e.accepted.Add(c)
	case 2:
		e.rejected.Add(c)
	}
	if side != flowlog.SideNone && cfg.TopPorts > 0 {
		e.addPort(uint16(port), uint8(k.proto), c.Flows, c.Bytes)
	}
}

// graph returns the graph of the rows added.
func (a *assembler) graph() (*Graph, error) {
	cfg, g := a.cfg, a.g
	if a.held != nil {
		a.r.learn(a.held, a.ms)
		a.held.each(a.aggregate)
		a.held = nil
	}
	list := make([]*edgeAcc, 0, len(a.edges))
	for _, e := range a.edges {
		list = append(list, e)
	}
	list = applyMinFlows(cfg, g, list)
	list = applyTopK(cfg, g, list)
	list = applyMaxNodes(cfg, g, list)
	finish(cfg, g, list)
	g.Groups = a.r.listContainers(g)
	return g, nil
}

// byWeight orders edges by weight (descending), then by IDs.
func byWeight(m analysis.Metric) func(a, b *edgeAcc) int {
	return func(a, b *edgeAcc) int {
		if c := cmp.Compare(b.counts.Get(m), a.counts.Get(m)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.src.ID, b.src.ID); c != 0 {
			return c
		}
		return cmp.Compare(a.dst.ID, b.dst.ID)
	}
}

func applyMinFlows(cfg *Configuration, g *Graph, list []*edgeAcc) []*edgeAcc {
	if cfg.MinFlows <= 1 {
		return list
	}
	kept := list[:0]
	var dropped Counts
	n := 0
	for _, e := range list {
		if e.counts.Flows < cfg.MinFlows {
			dropped.Add(e.counts)
			n++
			continue
		}
		kept = append(kept, e)
	}
	if n > 0 {
		g.Truncated = true
		g.Notes = append(g.Notes, fmt.Sprintf("min-flows %d: dropped %d edges with fewer flows (%d flows, %d bytes)", cfg.MinFlows, n, dropped.Flows, dropped.Bytes))
	}
	return kept
}

func applyTopK(cfg *Configuration, g *Graph, list []*edgeAcc) []*edgeAcc {
	if cfg.TopK <= 0 || len(list) <= cfg.TopK {
		return list
	}
	heaviest(list, cfg.TopK, byWeight(cfg.Weight))
	var dropped Counts
	for _, e := range list[cfg.TopK:] {
		dropped.Add(e.counts)
	}
	g.Truncated = true
	g.Notes = append(g.Notes, fmt.Sprintf("top-k %d: kept the %d heaviest of %d edges by %s; dropped %d flows, %d bytes",
		cfg.TopK, cfg.TopK, len(list), cfg.Weight, dropped.Flows, dropped.Bytes))
	return list[:cfg.TopK]
}

// heaviest moves the k first edges in the order of cmp (a total order) to
// the front of list, sorted, in O(n log k): a graph keeps a few thousand
// of hundreds of thousands of edges, which a full sort would order.
func heaviest(list []*edgeAcc, k int, cmp func(a, b *edgeAcc) int) {
	if k >= len(list) {
		slices.SortFunc(list, cmp)
		return
	}
	// list[:k] is a heap whose root is the last of the kept edges.
	h := list[:k]
	down := func(i int) {
		for {
			c := 2*i + 1
			if c >= len(h) {
				return
			}
			if c+1 < len(h) && cmp(h[c+1], h[c]) > 0 {
				c++
			}
			if cmp(h[c], h[i]) <= 0 {
				return
			}
			h[i], h[c] = h[c], h[i]
			i = c
		}
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		down(i)
	}
	for j := k; j < len(list); j++ {
		if cmp(list[j], h[0]) < 0 {
			h[0], list[j] = list[j], h[0]
			down(0)
		}
	}
	slices.SortFunc(h, cmp)
}

// nodeTotals returns the flows of the nodes of list (a self-loop once).
func nodeTotals(list []*edgeAcc) map[*Node]Counts {
	t := map[*Node]Counts{}
	for _, e := range list {
		c := t[e.src]
		c.Add(e.counts)
		t[e.src] = c
		if e.dst != e.src {
			c = t[e.dst]
			c.Add(e.counts)
			t[e.dst] = c
		}
	}
	return t
}

// applyMaxNodes merges the lightest nodes into "other" nodes, one for the
// internal side and one for the external side, when there are more nodes
// than the cap.
func applyMaxNodes(cfg *Configuration, g *Graph, list []*edgeAcc) []*edgeAcc {
	totals := nodeTotals(list)
	if cfg.MaxNodes < 0 || len(totals) <= cfg.MaxNodes {
		return list
	}
	nodes := make([]*Node, 0, len(totals))
	for n := range totals {
		nodes = append(nodes, n)
	}
	w := cfg.Weight
	slices.SortFunc(nodes, func(a, b *Node) int {
		if c := cmp.Compare(totals[b].Get(w), totals[a].Get(w)); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	keep := cfg.MaxNodes - 2
	sides := func(rest []*Node) (in, ex bool) {
		for _, n := range rest {
			in, ex = in || !n.External, ex || n.External
		}
		return
	}
	if in, ex := sides(nodes[keep:]); !in || !ex {
		keep++ // one "other" node is enough
	}
	others := map[bool]*Node{}
	other := func(external bool) *Node {
		if n := others[external]; n != nil {
			return n
		}
		n := &Node{ID: "other:internal", Label: "other (internal)", Kind: KindOther}
		if external {
			n = &Node{ID: "other:external", Label: "other (external)", Kind: KindOther, External: true}
		}
		others[external] = n
		return n
	}
	merged := map[*Node]*Node{}
	for _, n := range nodes[keep:] {
		o := other(n.External)
		merged[n] = o
		o.Members++
	}
	var mergedFlows uint64
	out := map[edgeKey]*edgeAcc{}
	var res []*edgeAcc
	for _, e := range list {
		k := edgeKey{e.src, e.dst}
		ms, md := merged[k.src], merged[k.dst]
		if ms != nil {
			k.src = ms
		}
		if md != nil {
			k.dst = md
		}
		if ms != nil || md != nil {
			mergedFlows += e.counts.Flows
		}
		x := out[k]
		if x == nil {
			x = &edgeAcc{src: k.src, dst: k.dst}
			out[k] = x
			res = append(res, x)
		}
		x.merge(e)
	}
	g.Truncated = true
	msg := fmt.Sprintf("max-nodes %d: kept the %d heaviest of %d nodes by %s; merged %d nodes", cfg.MaxNodes, keep, len(nodes), w, len(nodes)-keep)
	for _, ext := range []bool{false, true} {
		if o := others[ext]; o != nil {
			msg += fmt.Sprintf(", %d into %s", o.Members, o.ID)
		}
	}
	g.Notes = append(g.Notes, msg+fmt.Sprintf(" (%d flows go to or from them)", mergedFlows))
	return res
}

// finish fills the graph's nodes and edges, sorted.
func finish(cfg *Configuration, g *Graph, list []*edgeAcc) {
	totals := map[*Node]*Node{}
	node := func(n *Node) *Node {
		if x := totals[n]; x != nil {
			return x
		}
		x := *n
		x.Totals, x.In, x.Out = Counts{}, Counts{}, Counts{}
		totals[n] = &x
		return &x
	}
	g.Edges = make([]Edge, 0, len(list))
	for _, e := range list {
		s, d := node(e.src), node(e.dst)
		s.Out.Add(e.counts)
		d.In.Add(e.counts)
		s.Totals.Add(e.counts)
		if d != s {
			d.Totals.Add(e.counts)
		}
		g.Shown.Add(e.counts)
		ed := Edge{Src: e.src.ID, Dst: e.dst.ID, Count: e.counts.Flows, Counts: e.counts,
			Accepted: e.accepted, Rejected: e.rejected}
		ports := e.ports
		for i := range ports {
			ports[i].Service = flowlog.ServiceName(ports[i].Port, ports[i].Protocol)
		}
		slices.SortFunc(ports, func(a, b PortCount) int {
			if c := cmp.Compare(b.Flows, a.Flows); c != 0 {
				return c
			}
			if c := cmp.Compare(b.Bytes, a.Bytes); c != 0 {
				return c
			}
			if c := cmp.Compare(a.Port, b.Port); c != 0 {
				return c
			}
			return cmp.Compare(a.Protocol, b.Protocol)
		})
		if cfg.TopPorts > 0 && len(ports) > cfg.TopPorts {
			ed.MorePorts = len(ports) - cfg.TopPorts
			ports = ports[:cfg.TopPorts]
		}
		if len(ports) > 0 {
			ed.Ports = ports
		}
		g.Edges = append(g.Edges, ed)
	}
	slices.SortFunc(g.Edges, func(a, b Edge) int {
		if c := cmp.Compare(a.Src, b.Src); c != 0 {
			return c
		}
		return cmp.Compare(a.Dst, b.Dst)
	})
	g.Nodes = make([]Node, 0, len(totals))
	for _, n := range totals {
		g.Nodes = append(g.Nodes, *n)
	}
	slices.SortFunc(g.Nodes, func(a, b Node) int { return cmp.Compare(a.ID, b.ID) })
	if g.Nodes == nil {
		g.Nodes = []Node{}
	}
}
