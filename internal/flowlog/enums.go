package flowlog

import "strconv"

// Action is the action field. The zero value means "not set"; check
// Record.Present for absence.
type Action uint8

const (
	ActionAccept Action = iota + 1
	ActionReject
)

var actionNames = [...]string{"", "ACCEPT", "REJECT"}

func (a Action) String() string {
	if int(a) < len(actionNames) {
		return actionNames[a]
	}
	return "Action(" + strconv.Itoa(int(a)) + ")"
}

// ParseAction parses ACCEPT or REJECT.
func ParseAction(b []byte) (Action, bool) {
	switch string(b) {
	case "ACCEPT":
		return ActionAccept, true
	case "REJECT":
		return ActionReject, true
	}
	return 0, false
}

// LogStatus is the log-status field.
type LogStatus uint8

const (
	StatusOK LogStatus = iota + 1
	StatusNoData
	StatusSkipData
)

var statusNames = [...]string{"", "OK", "NODATA", "SKIPDATA"}

func (s LogStatus) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return "LogStatus(" + strconv.Itoa(int(s)) + ")"
}

// ParseLogStatus parses OK, NODATA or SKIPDATA.
func ParseLogStatus(b []byte) (LogStatus, bool) {
	switch string(b) {
	case "OK":
		return StatusOK, true
	case "NODATA":
		return StatusNoData, true
	case "SKIPDATA":
		return StatusSkipData, true
	}
	return 0, false
}

// TrafficType is the type field.
type TrafficType uint8

const (
	TypeIPv4 TrafficType = iota + 1
	TypeIPv6
	TypeEFA
)

var typeNames = [...]string{"", "IPv4", "IPv6", "EFA"}

func (t TrafficType) String() string {
	if int(t) < len(typeNames) {
		return typeNames[t]
	}
	return "TrafficType(" + strconv.Itoa(int(t)) + ")"
}

// ParseTrafficType parses IPv4, IPv6 or EFA.
func ParseTrafficType(b []byte) (TrafficType, bool) {
	switch string(b) {
	case "IPv4":
		return TypeIPv4, true
	case "IPv6":
		return TypeIPv6, true
	case "EFA":
		return TypeEFA, true
	}
	return 0, false
}

// FlowDirection is the flow-direction field.
type FlowDirection uint8

const (
	DirectionIngress FlowDirection = iota + 1
	DirectionEgress
)

var directionNames = [...]string{"", "ingress", "egress"}

func (d FlowDirection) String() string {
	if int(d) < len(directionNames) {
		return directionNames[d]
	}
	return "FlowDirection(" + strconv.Itoa(int(d)) + ")"
}

// ParseFlowDirection parses ingress or egress.
func ParseFlowDirection(b []byte) (FlowDirection, bool) {
	switch string(b) {
	case "ingress":
		return DirectionIngress, true
	case "egress":
		return DirectionEgress, true
	}
	return 0, false
}

// TCPFlags is the tcp-flags bit set, OR-ed over the aggregation interval.
type TCPFlags uint16

const (
	FlagFIN TCPFlags = 1 << iota
	FlagSYN
	FlagRST
	FlagPSH
	FlagACK
	FlagURG
)

var flagNames = [...]string{"FIN", "SYN", "RST", "PSH", "ACK", "URG"}

// Names returns the names of the set flags in bit order (FIN, SYN, RST, PSH,
// ACK, URG). Unknown bits are ignored.
func (f TCPFlags) Names() []string {
	var out []string
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			out = append(out, n)
		}
	}
	return out
}

// String returns the set flags joined with '|' (e.g. "SYN|ACK"), or "0".
func (f TCPFlags) String() string {
	if f == 0 {
		return "0"
	}
	var b []byte
	for i, n := range flagNames {
		if f&(1<<i) != 0 {
			if len(b) > 0 {
				b = append(b, '|')
			}
			b = append(b, n...)
		}
	}
	if rest := f &^ (1<<len(flagNames) - 1); rest != 0 {
		if len(b) > 0 {
			b = append(b, '|')
		}
		b = strconv.AppendUint(append(b, "0x"...), uint64(rest), 16)
	}
	return string(b)
}

// TrafficPath is the traffic-path field (egress traffic only).
type TrafficPath uint8

var trafficPathNames = [...]string{
	1: "through another resource in the same VPC",
	2: "through an internet gateway or a gateway VPC endpoint",
	3: "through a virtual private gateway",
	4: "through an intra-region VPC peering connection",
	5: "through an inter-region VPC peering connection",
	6: "through a local gateway",
	7: "through a gateway VPC endpoint (Nitro-based instances only)",
	8: "through an internet gateway (Nitro-based instances only)",
}

// String describes the path as the AWS documentation does.
func (p TrafficPath) String() string {
	if int(p) < len(trafficPathNames) && trafficPathNames[p] != "" {
		return trafficPathNames[p]
	}
	return "traffic path " + strconv.Itoa(int(p))
}

// EncryptionStatus is the encryption-status field.
type EncryptionStatus uint8

var encryptionNames = [...]string{
	"not encrypted",
	"Nitro encrypted",
	"application encrypted",
	"Nitro and application encrypted",
}

func (e EncryptionStatus) String() string {
	if int(e) < len(encryptionNames) {
		return encryptionNames[e]
	}
	return "encryption status " + strconv.Itoa(int(e))
}

var protocolNames = map[uint8]string{
	0: "HOPOPT", 1: "ICMP", 2: "IGMP", 4: "IPv4", 6: "TCP", 8: "EGP", 17: "UDP",
	27: "RDP", 41: "IPv6", 43: "IPv6-Route", 44: "IPv6-Frag", 46: "RSVP", 47: "GRE",
	50: "ESP", 51: "AH", 58: "ICMPv6", 59: "IPv6-NoNxt", 60: "IPv6-Opts", 88: "EIGRP",
	89: "OSPF", 94: "IPIP", 103: "PIM", 112: "VRRP", 115: "L2TP", 132: "SCTP",
	136: "UDPLite", 137: "MPLS-in-IP",
}

// ProtocolName returns the IANA keyword of a protocol number ("TCP"), or the
// number itself for protocols without a well-known name.
func ProtocolName(p uint8) string {
	if n, ok := protocolNames[p]; ok {
		return n
	}
	return strconv.Itoa(int(p))
}
