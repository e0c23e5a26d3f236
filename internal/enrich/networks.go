package enrich

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// DefaultInternal lists the networks internal by default: the RFC 1918
// private networks, the RFC 6598 shared address space (carrier-grade NAT,
// also used by EKS pod networks) and the RFC 4193 unique local IPv6
// addresses.
var defaultInternal = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("fc00::/7"),
}

// DefaultInternal returns the default internal networks (10/8, 172.16/12,
// 192.168/16, 100.64/10, fc00::/7). The caller owns the slice.
func DefaultInternal() []netip.Prefix { return slices.Clone(defaultInternal) }

// Networks says which addresses are internal (yours) and which are
// external (the internet, other organisations). A nil *Networks is the
// default set.
type Networks struct {
	prefixes []netip.Prefix // sorted, deduplicated
	outer    []netip.Prefix // those not inside another one
	table    lpm
}

var defaultNetworks = mustNetworks(defaultInternal)

func mustNetworks(ps []netip.Prefix) *Networks {
	n, err := NewNetworks(ps)
	if err != nil {
		panic(err)
	}
	return n
}

// DefaultNetworks returns the default internal networks.
func DefaultNetworks() *Networks { return defaultNetworks }

// NewNetworks builds a set of internal networks. Prefixes are normalised;
// one with host bits set is an error. Nested and repeated prefixes are
// fine. An empty list makes every address external.
func NewNetworks(prefixes []netip.Prefix) (*Networks, error) {
	ps := make([]netip.Prefix, 0, len(prefixes))
	for _, p := range prefixes {
		q, err := normPrefix(p)
		if err != nil {
			return nil, fmt.Errorf("internal networks: %v", err)
		}
		ps = append(ps, q)
	}
	slices.SortFunc(ps, comparePrefix)
	ps = slices.Compact(ps)
	n := &Networks{prefixes: ps, table: newLPM(ps)}
	for _, p := range ps {
		if len(n.outer) > 0 && n.outer[len(n.outer)-1].Overlaps(p) {
			continue // sorted by address then length: the container comes first
		}
		n.outer = append(n.outer, p)
	}
	return n, nil
}

// ParseNetworks parses CIDRs ("10.0.0.0/8", "2600:1f18::/40"); the word
// "default" stands for the default set. Each string may hold several
// comma-separated entries.
func ParseNetworks(specs []string) (*Networks, error) {
	var ps []netip.Prefix
	for _, spec := range specs {
		for _, s := range strings.Split(spec, ",") {
			s = strings.TrimSpace(s)
			if s == "" {
				continue
			}
			if strings.EqualFold(s, "default") {
				ps = append(ps, defaultInternal...)
				continue
			}
			p, err := parseAddrOrPrefix(s)
			if err != nil {
				return nil, fmt.Errorf("internal networks: %v", err)
			}
			ps = append(ps, p)
		}
	}
	return NewNetworks(ps)
}

func (n *Networks) get() *Networks {
	if n == nil {
		return defaultNetworks
	}
	return n
}

// IsInternal reports whether a is in one of the internal networks.
func (n *Networks) IsInternal(a netip.Addr) bool { return n.get().table.lookup(a) >= 0 }

// Network returns the outermost internal network holding a.
func (n *Networks) Network(a netip.Addr) (netip.Prefix, bool) {
	a = a.Unmap()
	for _, p := range n.get().outer {
		if p.Contains(a) {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

// Prefixes returns the internal networks, sorted. The caller owns the slice.
func (n *Networks) Prefixes() []netip.Prefix { return slices.Clone(n.get().prefixes) }

// String lists the networks, comma separated.
func (n *Networks) String() string {
	ps := n.get().prefixes
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ",")
}
