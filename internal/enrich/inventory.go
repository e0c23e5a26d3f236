package enrich

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/flowlens/flowlens/internal/generate"
)

// FromInventory names the addresses of a generated data set's network
// interfaces: each private IPv4 and IPv6 address gets "<name> (<eni-id>)"
// (for example "web-03 (eni-0a1b...)"), its public IPv4 address
// "<name> public (<eni-id>)", with the interface's role as the kind.
func FromInventory(inv *generate.Inventory) (*Aliases, error) {
	if inv == nil {
		return nil, fmt.Errorf("aliases: no inventory")
	}
	var out []Alias
	seen := map[netip.Addr]bool{}
	add := func(a netip.Addr, name string, e *generate.ENI) {
		if !a.IsValid() || seen[a] {
			return
		}
		seen[a] = true
		out = append(out, Alias{Name: name, Kind: e.Role, Prefix: netip.PrefixFrom(a, a.BitLen()),
			Source: "inventory " + e.ID})
	}
	for i := range inv.ENIs {
		e := &inv.ENIs[i]
		base := e.Name
		if base == "" {
			base = e.Role
		}
		for _, a := range e.PrivateIPs {
			add(a, base+" ("+e.ID+")", e)
		}
		for _, a := range e.IPv6Addresses {
			add(a, base+" ("+e.ID+")", e)
		}
		add(e.PublicIP, base+" public ("+e.ID+")", e)
	}
	return NewAliases(out)
}

// Subnet is what is known of a subnet for the addresses of its CIDRs.
type Subnet struct {
	ID    string `json:"id"`
	Name  string `json:"name,omitempty"`
	VPCID string `json:"vpc_id,omitempty"`
	AZID  string `json:"az_id,omitempty"`
	// Prefixes are the subnet's IPv4 and IPv6 CIDRs.
	Prefixes []netip.Prefix `json:"cidrs"`
}

// Subnets maps addresses to the subnet whose CIDR holds them (the most
// specific when CIDRs nest, as with a VPC-wide entry and its subnets). A
// nil *Subnets knows no subnet.
type Subnets struct {
	subnets []Subnet
	idx     []int // per table entry: index in subnets
	byID    map[string]int
	table   lpm
}

// NewSubnets builds the CIDR map. A CIDR given twice is an error.
func NewSubnets(subnets []Subnet) (*Subnets, error) {
	s := &Subnets{subnets: slices.Clone(subnets), byID: map[string]int{}}
	type ent struct {
		p netip.Prefix
		i int
	}
	var ents []ent
	for i, sn := range s.subnets {
		if sn.ID == "" {
			return nil, fmt.Errorf("subnets: entry %d has no id", i+1)
		}
		if j, dup := s.byID[sn.ID]; dup {
			return nil, fmt.Errorf("subnets: %s is given twice (entries %d and %d): merge their CIDRs", sn.ID, j+1, i+1)
		}
		s.byID[sn.ID] = i
		for _, p := range sn.Prefixes {
			q, err := normPrefix(p)
			if err != nil {
				return nil, fmt.Errorf("subnets: %s: %v", sn.ID, err)
			}
			ents = append(ents, ent{q, i})
		}
	}
	slices.SortFunc(ents, func(a, b ent) int { return comparePrefix(a.p, b.p) })
	ps := make([]netip.Prefix, len(ents))
	for i, e := range ents {
		if i > 0 && e.p == ents[i-1].p {
			return nil, fmt.Errorf("subnets: %s is the CIDR of both %s and %s", e.p, s.subnets[ents[i-1].i].ID, s.subnets[e.i].ID)
		}
		ps[i] = e.p
		s.idx = append(s.idx, e.i)
	}
	s.table = newLPM(ps)
	return s, nil
}

// SubnetsFromInventory returns the subnets of a generated data set.
func SubnetsFromInventory(inv *generate.Inventory) (*Subnets, error) {
	if inv == nil {
		return nil, fmt.Errorf("subnets: no inventory")
	}
	var out []Subnet
	for _, sn := range inv.Subnets {
		x := Subnet{ID: sn.ID, Name: sn.Name, VPCID: sn.VPCID, AZID: sn.AZID}
		for _, p := range []netip.Prefix{sn.CIDR, sn.IPv6CIDR} {
			if p.IsValid() {
				x.Prefixes = append(x.Prefixes, p)
			}
		}
		out = append(out, x)
	}
	return NewSubnets(out)
}

// Lookup returns the subnet holding a. The Prefixes slice of the result
// must not be modified.
func (s *Subnets) Lookup(a netip.Addr) (Subnet, bool) {
	if s == nil {
		return Subnet{}, false
	}
	i := s.table.lookup(a)
	if i < 0 {
		return Subnet{}, false
	}
	return s.subnets[s.idx[i]], true
}

// ByID returns the subnet with the given ID.
func (s *Subnets) ByID(id string) (Subnet, bool) {
	if s == nil {
		return Subnet{}, false
	}
	if i, ok := s.byID[id]; ok {
		return s.subnets[i], true
	}
	return Subnet{}, false
}

// Holds says whether p lies inside one of the subnet's CIDRs.
func (sn Subnet) Holds(p netip.Prefix) bool {
	for _, sp := range sn.Prefixes {
		if sp.Bits() <= p.Bits() && sp.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// HasInside says whether a CIDR of another subnet lies inside one of sn's
// (its addresses then belong to that other subnet).
func (s *Subnets) HasInside(sn Subnet) bool {
	if s == nil {
		return false
	}
	for _, o := range s.subnets {
		if o.ID == sn.ID {
			continue
		}
		for _, op := range o.Prefixes {
			for _, p := range sn.Prefixes {
				if op.Bits() >= p.Bits() && p.Contains(op.Addr()) {
					return true
				}
			}
		}
	}
	return false
}

// Len returns the number of subnets.
func (s *Subnets) Len() int {
	if s == nil {
		return 0
	}
	return len(s.subnets)
}
