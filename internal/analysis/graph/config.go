package graph

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/enrich"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// GroupKind is what a node stands for.
type GroupKind uint8

const (
	// GroupIP makes one node per address.
	GroupIP GroupKind = iota
	// GroupService makes one node per address, and one per (address,
	// service port) on the server side of a flow: the ephemeral ports of
	// clients collapse onto the port they talk to (node "10.0.1.5:5432").
	// This is the IncludePort option of the original graph script.
	GroupService
	// GroupENI makes one node per network interface (learned from the
	// records, see Configuration).
	GroupENI
	// GroupSubnet makes one node per subnet.
	GroupSubnet
	// GroupVPC makes one node per VPC.
	GroupVPC
	// GroupAZ makes one node per availability zone (az-id).
	GroupAZ
	// GroupCIDR makes one node per network of Group.Bits4 (IPv4) or
	// Group.Bits6 (IPv6) bits.
	GroupCIDR
)

var groupNames = [...]string{"ip", "service", "eni", "subnet", "vpc", "az", "cidr"}

// Group says how endpoints become nodes.
type Group struct {
	Kind GroupKind
	// Bits4 and Bits6 are the prefix lengths of GroupCIDR (default /24 and
	// /64).
	Bits4, Bits6 int
}

// ParseGroup parses ip, service, eni, subnet, vpc, az, cidr:/N (N for IPv4,
// IPv6 uses /64) or cidr:/N,/M (M for IPv6).
func ParseGroup(s string) (Group, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	if rest, ok := strings.CutPrefix(k, "cidr"); ok {
		g := Group{Kind: GroupCIDR, Bits4: 24, Bits6: 64}
		rest = strings.TrimPrefix(rest, ":")
		if rest == "" {
			return g, nil
		}
		parts := strings.Split(rest, ",")
		bad := fmt.Errorf("group %q: use cidr:/N for IPv4 networks of N bits, or cidr:/N,/M to also set IPv6 networks of M bits (e.g. cidr:/24,/56)", s)
		if len(parts) > 2 {
			return g, bad
		}
		for i, p := range parts {
			n, err := strconv.Atoi(strings.TrimPrefix(strings.TrimSpace(p), "/"))
			if err != nil || n < 0 || (i == 0 && n > 32) || n > 128 {
				return g, bad
			}
			if i == 0 {
				g.Bits4 = n
			} else {
				g.Bits6 = n
			}
		}
		return g, nil
	}
	for i, n := range groupNames {
		if k == n && GroupKind(i) != GroupCIDR {
			return Group{Kind: GroupKind(i)}, nil
		}
	}
	aliases := map[string]GroupKind{"addr": GroupIP, "address": GroupIP, "port": GroupService,
		"interface": GroupENI, "interface-id": GroupENI, "subnet-id": GroupSubnet, "vpc-id": GroupVPC, "az-id": GroupAZ}
	if kind, ok := aliases[k]; ok {
		return Group{Kind: kind}, nil
	}
	return Group{}, fmt.Errorf("unknown group %q: use ip, service, eni, subnet, vpc, az or cidr:/N", s)
}

// String returns the spelling ParseGroup reads.
func (g Group) String() string {
	if int(g.Kind) >= len(groupNames) {
		return fmt.Sprintf("Group(%d)", g.Kind)
	}
	if g.Kind == GroupCIDR {
		if g.Bits6 == 64 {
			return fmt.Sprintf("cidr:/%d", g.Bits4)
		}
		return fmt.Sprintf("cidr:/%d,/%d", g.Bits4, g.Bits6)
	}
	return groupNames[g.Kind]
}

// MarshalText returns String.
func (g Group) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText parses with ParseGroup.
func (g *Group) UnmarshalText(b []byte) error {
	x, err := ParseGroup(string(b))
	if err != nil {
		return err
	}
	*g = x
	return nil
}

// External is what becomes of external endpoints (addresses outside the
// internal networks).
type External uint8

const (
	// ExternalAuto keeps external endpoints as the group says for ip,
	// service and cidr groups, and collapses them into "internet" for eni,
	// subnet, vpc and az groups.
	ExternalAuto External = iota
	// ExternalKeep gives external endpoints their own nodes (the address,
	// the address and service port, or the network for cidr groups).
	ExternalKeep
	// ExternalInternet collapses every external endpoint into one
	// "internet" node.
	ExternalInternet
	// ExternalPrefix makes one node per external network of
	// ExternalBits4 / ExternalBits6 bits.
	ExternalPrefix
)

var externalNames = [...]string{"auto", "keep", "internet", "prefix"}

// ParseExternal parses auto, keep, internet or prefix.
func ParseExternal(s string) (External, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	for i, n := range externalNames {
		if k == n {
			return External(i), nil
		}
	}
	return 0, fmt.Errorf("unknown external mode %q: use auto, keep, internet or prefix", s)
}

func (e External) String() string {
	if int(e) < len(externalNames) {
		return externalNames[e]
	}
	return fmt.Sprintf("External(%d)", e)
}

// Defaults.
const (
	DefaultMaxNodes      = 500
	DefaultTopPorts      = 5
	DefaultEphemeralFrom = store.DefaultEphemeralFrom // the store's graph cube keeps these service ports
)

// Configuration configures a graph.
type Configuration struct {
	// Group says what a node is.
	Group Group
	// External says what becomes of external endpoints.
	External External
	// ExternalBits4 and ExternalBits6 are the network lengths of
	// ExternalPrefix (default /16 and /32).
	ExternalBits4, ExternalBits6 int
	// AWSServices makes one node per AWS service ("aws:S3") of the external
	// endpoints whose pkt-src-aws-service (source side) or
	// pkt-dst-aws-service (destination side) is known. Those fields are not
	// rollup dimensions: the graph then reads raw records.
	AWSServices bool

	// Aliases name addresses: a named endpoint shows its name (see the
	// package documentation for which groups use them).
	Aliases *enrich.Aliases
	// Networks says which addresses are internal (nil: the default set).
	Networks *enrich.Networks
	// Subnets maps CIDRs to subnets (for example the inventory's), for the
	// subnet, vpc and az of addresses the records do not tell.
	Subnets *enrich.Subnets
	// Pseudonymizer, when set, replaces addresses and identifiers in node
	// IDs and labels (aliased endpoints keep their names). Build it with
	// the same Networks, so that it keeps internal addresses internal in
	// the graph's sense.
	Pseudonymizer *enrich.Pseudonymizer

	// Range selects records by flow start (Start <= start < End).
	Range store.TimeRange
	// Filter selects records. Filter.SQL needs a store: FromRecords and
	// the Builder refuse it (use Match).
	Filter store.Filter
	// Match further selects records in FromRecords and the Builder (for
	// example a compiled filter pattern's Match); Build refuses it.
	Match func(*flowlog.Record) bool
	// Action keeps only accepted or rejected flows (0: both).
	Action flowlog.Action
	// Protocols keeps only these IANA protocols (empty: all).
	Protocols []uint8
	// Ports keeps only flows whose service port (see Edge.Ports) is one of
	// these (empty: all).
	Ports []uint16

	// MinFlows drops edges with fewer flows (the original script's
	// minOccurrencesThreshold).
	MinFlows uint64
	// TopK keeps the K heaviest edges by Weight (0: all).
	TopK int
	// Weight ranks edges (TopK) and nodes (MaxNodes): bytes, packets or
	// flows.
	Weight analysis.Metric
	// MaxNodes caps the nodes (0: DefaultMaxNodes, negative: no cap): the
	// lightest nodes are merged into "other" nodes, and the graph says so.
	MaxNodes int
	// TopPorts is the number of service ports listed per edge (0:
	// DefaultTopPorts, negative: none, which lets rollups answer).
	TopPorts int
	// EphemeralFrom is the first ephemeral port (0: 32768, the Linux
	// default; Windows uses 49152 and up). A port below it may be a
	// service port.
	EphemeralFrom uint16
	// Resolution forces the stored resolution (Build only).
	Resolution store.Resolution
}

// DefaultConfiguration returns a graph of addresses, external ones kept,
// weighted by bytes, with at most DefaultMaxNodes nodes.
func DefaultConfiguration() Configuration {
	return Configuration{
		ExternalBits4: 16, ExternalBits6: 32,
		MaxNodes: DefaultMaxNodes, TopPorts: DefaultTopPorts, EphemeralFrom: DefaultEphemeralFrom,
	}
}

// normalized returns cfg with defaults filled in, or an error naming the
// bad setting.
func (cfg Configuration) normalized() (Configuration, error) {
	if int(cfg.Group.Kind) >= len(groupNames) {
		return cfg, fmt.Errorf("graph: unknown group %d", cfg.Group.Kind)
	}
	if cfg.Group.Kind == GroupCIDR {
		if cfg.Group.Bits4 == 0 && cfg.Group.Bits6 == 0 {
			cfg.Group.Bits4, cfg.Group.Bits6 = 24, 64
		}
		if cfg.Group.Bits4 < 0 || cfg.Group.Bits4 > 32 || cfg.Group.Bits6 < 0 || cfg.Group.Bits6 > 128 {
			return cfg, fmt.Errorf("graph: cidr group /%d,/%d out of range (IPv4 0-32, IPv6 0-128)", cfg.Group.Bits4, cfg.Group.Bits6)
		}
	}
	if int(cfg.External) >= len(externalNames) {
		return cfg, fmt.Errorf("graph: unknown external mode %d", cfg.External)
	}
	if cfg.External == ExternalAuto {
		cfg.External = ExternalKeep
		switch cfg.Group.Kind {
		case GroupENI, GroupSubnet, GroupVPC, GroupAZ:
			cfg.External = ExternalInternet
		}
	}
	if cfg.ExternalBits4 == 0 {
		cfg.ExternalBits4 = 16
	}
	if cfg.ExternalBits6 == 0 {
		cfg.ExternalBits6 = 32
	}
	if cfg.ExternalBits4 < 0 || cfg.ExternalBits4 > 32 || cfg.ExternalBits6 < 0 || cfg.ExternalBits6 > 128 {
		return cfg, fmt.Errorf("graph: external networks /%d,/%d out of range (IPv4 0-32, IPv6 0-128)", cfg.ExternalBits4, cfg.ExternalBits6)
	}
	if err := validMetric(cfg.Weight); err != nil {
		return cfg, err
	}
	if cfg.Action != 0 && cfg.Action != flowlog.ActionAccept && cfg.Action != flowlog.ActionReject {
		return cfg, fmt.Errorf("graph: unknown action %d: use ACCEPT or REJECT", cfg.Action)
	}
	switch {
	case cfg.TopK < 0:
		return cfg, fmt.Errorf("graph: top-k %d is negative: give a number of edges, or 0 for all", cfg.TopK)
	case cfg.MaxNodes == 0:
		cfg.MaxNodes = DefaultMaxNodes
	case cfg.MaxNodes > 0 && cfg.MaxNodes < 3:
		return cfg, fmt.Errorf("graph: max-nodes %d is too small: give at least 3 (the largest nodes plus the 'other' nodes), or a negative number for no cap", cfg.MaxNodes)
	}
	if cfg.TopPorts == 0 {
		cfg.TopPorts = DefaultTopPorts
	}
	if cfg.EphemeralFrom == 0 {
		cfg.EphemeralFrom = DefaultEphemeralFrom
	}
	for _, p := range cfg.Ports {
		if p >= cfg.EphemeralFrom {
			return cfg, fmt.Errorf("graph: port %d is in the ephemeral range (%d and up), so it is never a service port: filter on it with a store filter, or raise the ephemeral start", p, cfg.EphemeralFrom)
		}
	}
	return cfg, nil
}

func validMetric(m analysis.Metric) error {
	for _, v := range analysis.Metrics() {
		if v == m {
			return nil
		}
	}
	return fmt.Errorf("graph: unknown weight %d: use bytes, packets or flows", m)
}

// needs says which record fields a graph reads.
type needs struct {
	ports    bool // srcport, dstport, protocol: service ports
	ifaces   bool // interface-id, flow-direction, subnet-id, vpc-id, az-id
	services bool // pkt-src-aws-service, pkt-dst-aws-service
}

func (cfg *Configuration) needs() needs {
	n := needs{services: cfg.AWSServices}
	n.ports = cfg.Group.Kind == GroupService || cfg.TopPorts > 0 || len(cfg.Ports) > 0
	switch cfg.Group.Kind {
	case GroupENI, GroupSubnet, GroupVPC, GroupAZ:
		n.ifaces = true
	}
	return n
}
