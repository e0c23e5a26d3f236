package graph

import (
	"net/netip"
	"strconv"

	"github.com/flowlens/flowlens/internal/enrich"
	"github.com/flowlens/flowlens/internal/flowlog"
)

// resolver turns endpoints into nodes. Every attribute of a node is a
// function of its ID (whatever the order of the rows), so graphs are
// deterministic.
type resolver struct {
	cfg   *Configuration
	nets  *enrich.Networks
	ps    *enrich.Pseudonymizer
	cache map[resolveKey]*Node
	plain map[netip.Addr]*Node // the cache of endpoints without port or service
	nodes map[string]*Node

	// aliasInfo says, per alias name, whether one of its networks is
	// internal, and its kind (the smallest when they differ).
	aliasInfo map[string]aliasInfo

	// Learned from the records (see learn).
	owner     map[netip.Addr]string // internal address → interface
	meta      metas                 // interface → its subnet, VPC, zone
	eniAddr   map[string]netip.Addr // interface → its main address
	subnetVPC map[string]string
	// subnetMeta is set when some record names its subnet.
	subnetMeta bool

	// containers are the boxes nodes are in, by (pseudonymised) ID.
	containers map[string]Container
}

type resolveKey struct {
	a    netip.Addr
	port int32
	svc  string
}

type ifaceMeta struct{ subnet, vpc, az string }

type aliasInfo struct {
	internal bool
	kind     string
}

func newResolver(cfg *Configuration) *resolver {
	nets := cfg.Networks
	if nets == nil {
		nets = enrich.DefaultNetworks()
	}
	return &resolver{cfg: cfg, nets: nets, ps: cfg.Pseudonymizer,
		cache: map[resolveKey]*Node{}, plain: map[netip.Addr]*Node{}, nodes: map[string]*Node{}, containers: map[string]Container{}}
}

// minNonEmpty returns the smaller non-empty string.
func minNonEmpty(a, b string) string {
	if a == "" || (b != "" && b < a) {
		return b
	}
	return a
}

// learn finds which interface logged each internal address (see the
// package documentation), weighting evidence by flows.
func (r *resolver) learn(rows *rowBlocks, ms metas) {
	votes := map[netip.Addr]map[string]uint64{}
	vote := func(a netip.Addr, iface string, n uint64) {
		a = a.Unmap()
		if !a.IsValid() || !r.nets.IsInternal(a) {
			return
		}
		m := votes[a]
		if m == nil {
			m = map[string]uint64{}
			votes[a] = m
		}
		m[iface] += n
	}
	r.meta = ms
	noDir := map[string]map[netip.Addr]uint64{}
	rows.each(func(rw *row) {
		k := &rw.key
		if k.iface == "" {
			return
		}
		f := rw.counts.Flows
		switch k.dir {
		case flowlog.DirectionIngress:
			vote(k.dst, k.iface, f)
		case flowlog.DirectionEgress:
			vote(k.src, k.iface, f)
		default:
			c := noDir[k.iface]
			if c == nil {
				c = map[netip.Addr]uint64{}
				noDir[k.iface] = c
			}
			for _, a := range [2]netip.Addr{k.src.Unmap(), k.dst.Unmap()} {
				if a.IsValid() && r.nets.IsInternal(a) {
					c[a] += f
				}
			}
		}
	})
	for iface, c := range noDir {
		var best netip.Addr
		for a, n := range c {
			if !best.IsValid() || n > c[best] || (n == c[best] && a.Less(best)) {
				best = a
			}
		}
		if best.IsValid() {
			vote(best, iface, c[best])
		}
	}
	r.owner = map[netip.Addr]string{}
	r.eniAddr = map[string]netip.Addr{}
	weight := map[string]uint64{}
	for a, m := range votes {
		best := ""
		for iface, n := range m {
			if best == "" || n > m[best] || (n == m[best] && iface < best) {
				best = iface
			}
		}
		r.owner[a] = best
		prev, ok := r.eniAddr[best]
		if n := m[best]; !ok || n > weight[best] || (n == weight[best] && a.Less(prev)) {
			r.eniAddr[best], weight[best] = a, n
		}
	}
	r.subnetVPC = map[string]string{}
	for _, m := range r.meta {
		if m.subnet != "" {
			r.subnetMeta = true
			r.subnetVPC[m.subnet] = minNonEmpty(r.subnetVPC[m.subnet], m.vpc)
		}
	}
}

// node returns the node id, creating it with init (a function of id only).
func (r *resolver) node(id string, init func(n *Node)) *Node {
	if n := r.nodes[id]; n != nil {
		return n
	}
	n := &Node{ID: id, Label: id}
	if init != nil {
		init(n)
	}
	r.nodes[id] = n
	return n
}

// resolve returns the node of address a; port is its service port in the
// service group (-1: none); svc is its AWS service (pkt-*-aws-service).
func (r *resolver) resolve(a netip.Addr, port int32, svc string) *Node {
	if port < 0 && svc == "" {
		// Most endpoints: a smaller key, hashed faster.
		if n := r.plain[a]; n != nil {
			return n
		}
		n := r.resolveNew(a.Unmap(), port, svc)
		r.plain[a] = n
		return n
	}
	k := resolveKey{a, port, svc}
	if n := r.cache[k]; n != nil {
		return n
	}
	n := r.resolveNew(a.Unmap(), port, svc)
	r.cache[k] = n
	return n
}

func (r *resolver) resolveNew(a netip.Addr, port int32, svc string) *Node {
	alias, aliased := r.cfg.Aliases.Lookup(a)
	g := r.cfg.Group
	if !r.nets.IsInternal(a) {
		switch {
		case aliased:
			return r.aliasNode(alias, port)
		case r.cfg.AWSServices && svc != "":
			return r.node("aws:"+svc, func(n *Node) { n.Label, n.Kind, n.External = "AWS "+svc, KindGroup, true })
		}
		switch r.cfg.External {
		case ExternalInternet:
			return r.node("internet", func(n *Node) { n.Kind, n.External = KindGroup, true })
		case ExternalPrefix:
			return r.prefixNode(a, r.cfg.ExternalBits4, r.cfg.ExternalBits6, true)
		}
		if g.Kind == GroupCIDR {
			return r.prefixNode(a, g.Bits4, g.Bits6, true)
		}
		return r.addrNode(a, port, true)
	}
	switch g.Kind {
	case GroupCIDR:
		p, _ := a.Prefix(bitsFor(a, g.Bits4, g.Bits6))
		if al, ok := r.cfg.Aliases.LookupPrefix(p); ok {
			return r.aliasNode(al, -1)
		}
		return r.prefixNode(a, g.Bits4, g.Bits6, false)
	case GroupENI:
		if iface := r.owner[a]; iface != "" {
			return r.eniNode(iface)
		}
	case GroupSubnet:
		if m := r.metaOf(a); m != nil && m.subnet != "" {
			return r.subnetNode(m.subnet)
		}
		if sn, ok := r.cfg.Subnets.Lookup(a); ok {
			return r.subnetNode(sn.ID)
		}
		return r.prefixNode(a, 24, 64, false)
	case GroupVPC:
		id := "unknown-vpc"
		if m := r.metaOf(a); m != nil && m.vpc != "" {
			id = r.ps.ID(m.vpc)
		} else if sn, ok := r.cfg.Subnets.Lookup(a); ok && sn.VPCID != "" {
			id = r.ps.ID(sn.VPCID)
		}
		return r.node(id, func(n *Node) { n.Kind = KindGroup })
	case GroupAZ:
		id := "unknown-az"
		if m := r.metaOf(a); m != nil && m.az != "" {
			id = m.az
		} else if sn, ok := r.cfg.Subnets.Lookup(a); ok && sn.AZID != "" {
			id = sn.AZID
		}
		return r.node(id, func(n *Node) { n.Kind = KindGroup })
	}
	if aliased {
		return r.aliasNode(alias, port)
	}
	return r.addrNode(a, port, false)
}

func (r *resolver) metaOf(a netip.Addr) *ifaceMeta {
	if iface := r.owner[a]; iface != "" {
		return r.meta[iface]
	}
	return nil
}

func bitsFor(a netip.Addr, bits4, bits6 int) int {
	if a.Is4() {
		return bits4
	}
	return bits6
}

// withPort returns host:port (IPv6 hosts in brackets) and sets the port
// attributes of n.
func withPort(n *Node, host string, bracket bool, port int32) string {
	if port < 0 {
		return host
	}
	n.Kind, n.Port = KindService, uint16(port)
	if n.Service = flowlog.ServiceName(n.Port, 6); n.Service == "" {
		n.Service = flowlog.ServiceName(n.Port, 17)
	}
	if bracket {
		host = "[" + host + "]"
	}
	return host + ":" + strconv.Itoa(int(port))
}

func kindOf(external bool) string {
	if external {
		return KindExternal
	}
	return KindInternal
}

func (r *resolver) addrNode(a netip.Addr, port int32, external bool) *Node {
	host := r.ps.Addr(a).String()
	var probe Node
	id := withPort(&probe, host, a.Is6(), port)
	return r.node(id, func(n *Node) {
		n.Kind, n.External = kindOf(external), external
		withPort(n, host, a.Is6(), port)
		if r.ps == nil && (!external || !r.cfg.AWSServices) && (port >= 0 || r.cfg.Group.Kind != GroupService) {
			n.Match = addrMatch([]netip.Prefix{netip.PrefixFrom(a, a.BitLen())}, port)
		}
		if !external {
			if m := r.metaOf(a); m != nil && m.subnet != "" {
				r.inSubnet(n, m.subnet)
			} else if sn, ok := r.cfg.Subnets.Lookup(a); ok {
				r.inSubnet(n, sn.ID)
			}
		}
	})
}

// aliasNode returns the node of an alias name. Several networks may have
// the same name (the IPv4 and IPv6 addresses of one host): the node is
// external when all of them are.
func (r *resolver) aliasNode(al enrich.Alias, port int32) *Node {
	if r.aliasInfo == nil {
		r.aliasInfo = map[string]aliasInfo{}
		for _, a := range r.cfg.Aliases.All() {
			x := r.aliasInfo[a.Name]
			x.internal = x.internal || r.nets.IsInternal(a.Prefix.Addr())
			x.kind = minNonEmpty(x.kind, a.Kind)
			r.aliasInfo[a.Name] = x
		}
	}
	var probe Node
	id := withPort(&probe, "alias:"+al.Name, false, port)
	return r.node(id, func(n *Node) {
		info := r.aliasInfo[al.Name]
		n.Kind, n.External, n.AliasKind = kindOf(!info.internal), !info.internal, info.kind
		n.Label = withPort(n, al.Name, false, port)
		if ps := r.aliasPrefixes(al.Name); ps != nil && r.ps == nil && (!n.External || !r.cfg.AWSServices) &&
			(port >= 0 || r.cfg.Group.Kind != GroupService) {
			n.Match = addrMatch(ps, port)
		}
		if !n.External {
			if sn := r.aliasSubnet(al.Name); sn != "" {
				r.inSubnet(n, sn)
			}
		}
	})
}

func (r *resolver) prefixNode(a netip.Addr, bits4, bits6 int, external bool) *Node {
	p, _ := a.Prefix(bitsFor(a, bits4, bits6))
	id := r.ps.Prefix(p).String()
	return r.node(id, func(n *Node) {
		n.Kind, n.External = KindGroup, external
		exact := r.cfg.Group.Kind == GroupCIDR || (!r.subnetMeta && r.cfg.Subnets.Len() == 0)
		if external {
			exact = !r.cfg.AWSServices && !r.aliasInside(p, "", r.cfg.Aliases.All())
		}
		if r.ps == nil && exact {
			n.Match = addrMatch([]netip.Prefix{p}, -1)
		}
	})
}

func (r *resolver) eniNode(iface string) *Node {
	return r.node(r.ps.ID(iface), func(n *Node) {
		n.Kind = KindGroup
		if m := r.meta[iface]; m != nil && m.subnet != "" {
			r.inSubnet(n, m.subnet)
		}
		if al, ok := r.cfg.Aliases.Lookup(r.eniAddr[iface]); ok {
			n.Label, n.AliasKind = al.Name, al.Kind
		}
	})
}

// subnetNode returns the node of a subnet, in the VPC the records say, or
// else the CIDR map.
func (r *resolver) subnetNode(subnet string) *Node {
	return r.node(r.ps.ID(subnet), func(n *Node) {
		n.Kind = KindGroup
		sn, known := r.cfg.Subnets.ByID(subnet)
		vpc := r.subnetVPC[subnet]
		if vpc == "" {
			vpc = sn.VPCID
		}
		r.inVPC(n, vpc)
		if known && sn.Name != "" && r.ps == nil {
			n.Label = sn.Name + " (" + subnet + ")"
		}
		// Without interface data, the CIDR map alone places addresses.
		if known && !r.subnetMeta && r.ps == nil && !r.cfg.Subnets.HasInside(sn) {
			var internal []netip.Prefix // external addresses get nodes of their own
			for _, p := range sn.Prefixes {
				if r.nets.IsInternal(p.Addr()) {
					internal = append(internal, p)
				}
			}
			if len(internal) > 0 {
				n.Match = addrMatch(internal, -1)
			}
		}
	})
}
