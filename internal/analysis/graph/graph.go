// Package graph builds the conversation graph of flow records: nodes are
// endpoints (addresses, services, interfaces, subnets, VPCs, zones or
// networks, see Group), directed edges carry the flows, packets and bytes
// from one to the other, split into accepted and rejected, with the service
// ports seen. It is the successor of the original graph script, whose JSON
// shape ({"nodes": [...], "edges": [{"src", "dst", "count"}]}) the json
// export extends.
//
// A graph is computed by the store (Build: the store aggregates, never the
// raw records in Go) or from records in memory (FromRecords, Builder, for
// one-shot file mode). Both reduce the records to the same aggregated rows
// and assemble them with the same code, so they give the same graph.
//
// Service ports. The service port of a flow is the port of its server
// side: of its two ports (TCP, UDP, SCTP and UDP-Lite only), those below
// Configuration.EphemeralFrom may be service ports; when both are, the one
// with a well-known service name wins, else the lower (equal ports: both
// sides serve). Flows between two ephemeral ports have none. Edges list
// their top service ports; GroupService puts the port in the server's node.
//
// Interfaces, subnets, VPCs and zones. A record's interface-id, subnet-id,
// vpc-id and az-id describe the interface that logged it: the destination
// address for ingress records and the source for egress ones
// (flow-direction, v5 and later). Without flow-direction, an interface's
// address is the address appearing in most of its flows. What is learned
// so about an internal address applies to all its flows; addresses never
// seen on a logging interface fall back to Configuration.Subnets, then to
// their /24 (/64) network for subnets, "unknown-vpc" and "unknown-az".
//
// Aliases. A named address becomes a node with the name (node ID
// "alias:NAME"): always for external addresses, for internal ones in the ip
// and service groups (and in the other groups when the address falls back
// to its own node); in the cidr group, a network takes the name of the
// most specific alias holding all of it. Interface nodes take the alias of
// their address as label.
package graph

import (
	"github.com/flowlens/flowlens/internal/analysis"
)

// Counts are additive measures.
type Counts struct {
	Flows   uint64 `json:"flows"`
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
}

// Add adds o to c.
func (c *Counts) Add(o Counts) {
	c.Flows += o.Flows
	c.Packets += o.Packets
	c.Bytes += o.Bytes
}

// Get returns the measure m.
func (c Counts) Get(m analysis.Metric) uint64 {
	switch m {
	case analysis.MetricFlows:
		return c.Flows
	case analysis.MetricPackets:
		return c.Packets
	}
	return c.Bytes
}

// Node kinds.
const (
	KindInternal = "internal" // an internal address (or named internal endpoint)
	KindExternal = "external" // an external address (or named external endpoint)
	KindService  = "service"  // an address and service port
	KindGroup    = "group"    // an interface, subnet, VPC, zone, network, AWS service or "internet"
	KindOther    = "other"    // nodes merged by the MaxNodes cap
)

// Node is an endpoint.
type Node struct {
	// ID identifies the node in edges; unique in a graph.
	ID string `json:"id"`
	// Label is what to show: the alias name, or the ID.
	Label string `json:"label"`
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// External is set for endpoints outside the internal networks.
	External bool `json:"external"`
	// Group is the subnet (or for subnet nodes the VPC) holding the node,
	// when known.
	Group string `json:"group,omitempty"`
	// Port is the service port of service nodes.
	Port uint16 `json:"port,omitempty"`
	// Service is the well-known name of Port ("postgresql").
	Service string `json:"service,omitempty"`
	// AliasKind is the kind of the alias naming the node.
	AliasKind string `json:"alias_kind,omitempty"`
	// Match selects the node's flows, when a field filter can.
	Match *Match `json:"match,omitempty"`
	// Members is the number of nodes an "other" node stands for.
	Members int `json:"members,omitempty"`
	// Totals counts the flows of the node's edges (a self-loop once).
	Totals Counts `json:"totals"`
	// Out and In count the flows of the node's outgoing and incoming edges.
	Out Counts `json:"out"`
	In  Counts `json:"in"`
}

// PortCount is a service port of an edge.
type PortCount struct {
	Port     uint16 `json:"port"`
	Protocol uint8  `json:"protocol"`
	// Service is the port's well-known service name.
	Service string `json:"service,omitempty"`
	Flows   uint64 `json:"flows"`
	Bytes   uint64 `json:"bytes"`
}

// Edge is the traffic from Src to Dst.
type Edge struct {
	Src string `json:"src"`
	Dst string `json:"dst"`
	// Count is the number of flows (the original script's count).
	Count uint64 `json:"count"`
	Counts
	// Accepted and Rejected split the flows whose action is known.
	Accepted Counts `json:"accepted"`
	Rejected Counts `json:"rejected"`
	// Ports are the top service ports by flows (then bytes, then port).
	Ports []PortCount `json:"ports,omitempty"`
	// MorePorts is the number of service ports not listed.
	MorePorts int `json:"more_ports,omitempty"`
}

// Graph is a conversation graph. Nodes are ordered by ID, edges by source
// then destination ID.
type Graph struct {
	Group  Group  `json:"group"`
	Weight string `json:"weight"`
	Nodes  []Node `json:"nodes"`
	Edges  []Edge `json:"edges"`
	// Groups are the containers (subnets, VPCs) the nodes' Group names.
	Groups []Container `json:"groups,omitempty"`
	// Totals counts the flows selected (range and filters) that have both
	// addresses; Shown those of the edges kept (MinFlows and TopK drop
	// edges; MaxNodes merges nodes but keeps their flows).
	Totals Counts `json:"totals"`
	Shown  Counts `json:"shown"`
	// Truncated is set when MinFlows, TopK or MaxNodes removed or merged
	// anything; Notes say what.
	Truncated bool     `json:"truncated"`
	Notes     []string `json:"notes,omitempty"`
	// WithoutAddresses counts selected flows without a source or
	// destination address (NODATA and SKIPDATA records): not in the graph.
	WithoutAddresses Counts `json:"without_addresses"`
	// Pseudonymized is set when addresses and identifiers were replaced.
	Pseudonymized bool `json:"pseudonymized,omitempty"`
	// Plan says which stored data answered (Build only).
	Plan string `json:"plan,omitempty"`
}
