package graph

import (
	"cmp"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/internal/enrich"
)

// Container kinds.
const (
	ContainerSubnet = "subnet"
	ContainerVPC    = "vpc"
)

// Container is a box drawn around nodes: the subnet holding addresses and
// interfaces, inside its VPC, or the VPC holding subnets. A node's Group
// names its container.
type Container struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Kind  string `json:"kind"`
	// Parent is the container holding this one (a subnet's VPC), if known.
	Parent string `json:"parent,omitempty"`
}

// Match holds the field filters, in the --where syntax, that select
// exactly the flows a node sends (Src) and receives (Dst). The flows of an
// edge are those of Src of its source and Dst of its destination together
// ("srcaddr=10.0.1.5,dstaddr=10.0.2.9"). Nodes no such filter can describe
// (interfaces, VPCs, zones, merged and pseudonymised nodes) have none.
type Match struct {
	Src string `json:"src"`
	Dst string `json:"dst"`
}

// addrMatch selects the flows of the addresses in prefixes (one address:
// a plain address), with port when it is not negative.
func addrMatch(prefixes []netip.Prefix, port int32) *Match {
	vals := make([]string, len(prefixes))
	for i, p := range prefixes {
		if p.IsSingleIP() && len(prefixes) == 1 {
			vals[i] = p.Addr().String()
		} else {
			vals[i] = p.String()
		}
	}
	v := strings.Join(vals, "|")
	m := &Match{Src: "srcaddr=" + v, Dst: "dstaddr=" + v}
	if port >= 0 {
		p := strconv.Itoa(int(port))
		m.Src += ",srcport=" + p
		m.Dst += ",dstport=" + p
	}
	return m
}

// inSubnet puts n in the container of subnet (a raw, not pseudonymised ID).
func (r *resolver) inSubnet(n *Node, subnet string) {
	n.Group = r.ps.ID(subnet)
	if _, ok := r.containers[n.Group]; ok {
		return
	}
	sn, known := r.cfg.Subnets.ByID(subnet)
	c := Container{ID: n.Group, Label: n.Group, Kind: ContainerSubnet}
	if known && sn.Name != "" && r.ps == nil {
		c.Label = sn.Name + " (" + subnet + ")"
	}
	vpc := r.subnetVPC[subnet]
	if vpc == "" {
		vpc = sn.VPCID
	}
	if vpc != "" {
		c.Parent = r.ps.ID(vpc)
		r.addVPC(vpc)
	}
	r.containers[c.ID] = c
}

// inVPC puts n in the container of vpc (raw ID), when known.
func (r *resolver) inVPC(n *Node, vpc string) {
	if vpc == "" {
		return
	}
	n.Group = r.ps.ID(vpc)
	r.addVPC(vpc)
}

func (r *resolver) addVPC(vpc string) {
	id := r.ps.ID(vpc)
	if _, ok := r.containers[id]; !ok {
		r.containers[id] = Container{ID: id, Label: id, Kind: ContainerVPC}
	}
}

// listContainers returns the containers of the nodes of g and their
// parents, ordered by ID.
func (r *resolver) listContainers(g *Graph) []Container {
	seen := map[string]bool{}
	var out []Container
	var add func(id string)
	add = func(id string) {
		c, ok := r.containers[id]
		if id == "" || seen[id] || !ok {
			return
		}
		seen[id] = true
		out = append(out, c)
		add(c.Parent)
	}
	for i := range g.Nodes {
		add(g.Nodes[i].Group)
	}
	slices.SortFunc(out, func(a, b Container) int { return cmp.Compare(a.ID, b.ID) })
	return out
}

// aliasPrefixes returns the networks of the alias name, or nil when a
// filter on them would not select exactly the alias node's flows: when an
// alias of another name lies inside one of them (its addresses go to that
// other node).
func (r *resolver) aliasPrefixes(name string) []netip.Prefix {
	var own []netip.Prefix
	all := r.cfg.Aliases.All()
	for _, a := range all {
		if a.Name == name {
			own = append(own, a.Prefix)
		}
	}
	// Outside the ip and service groups, internal addresses go to their
	// interface, subnet, VPC or zone node (or network, unless the alias
	// holds the whole network), not to the alias.
	g := r.cfg.Group
	kept := own[:0]
	for _, p := range own {
		switch {
		case r.aliasInside(p, name, all):
			return nil
		case g.Kind == GroupIP || g.Kind == GroupService || !r.nets.IsInternal(p.Addr()):
			kept = append(kept, p)
		case g.Kind == GroupCIDR && p.Bits() <= bitsFor(p.Addr(), g.Bits4, g.Bits6):
			kept = append(kept, p)
		}
	}
	if len(kept) == 0 {
		return nil
	}
	return kept
}

// aliasInside says whether an alias not named name lies inside p (or is
// p): its addresses are not p's node's.
func (r *resolver) aliasInside(p netip.Prefix, name string, all []enrich.Alias) bool {
	for _, a := range all {
		if a.Name != name && a.Prefix.Bits() >= p.Bits() && p.Contains(a.Prefix.Addr()) {
			return true
		}
	}
	return false
}

// aliasSubnet returns the subnet holding every internal network of the
// alias name (from the records, else the CIDR map), or "" when they are
// not all in one known subnet.
func (r *resolver) aliasSubnet(name string) string {
	subnet := ""
	for _, a := range r.cfg.Aliases.All() {
		if a.Name != name || !r.nets.IsInternal(a.Prefix.Addr()) {
			continue
		}
		id := ""
		if m := r.metaOf(a.Prefix.Addr()); a.Prefix.IsSingleIP() && m != nil && m.subnet != "" {
			id = m.subnet
		} else if sn, ok := r.cfg.Subnets.Lookup(a.Prefix.Addr()); ok && sn.Holds(a.Prefix) {
			id = sn.ID
		}
		if id == "" || (subnet != "" && id != subnet) {
			return ""
		}
		subnet = id
	}
	return subnet
}
