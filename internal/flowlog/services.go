package flowlog

import "slices"

// Transport protocol numbers the service table knows.
const (
	ProtoTCP     = 6
	ProtoUDP     = 17
	ProtoSCTP    = 132
	ProtoUDPLite = 136
)

type servicePortKey struct {
	port  uint16
	proto uint8
}

var tcpServices = map[uint16]string{
	20: "ftp-data", 21: "ftp", 22: "ssh", 23: "telnet", 25: "smtp", 53: "dns",
	80: "http", 88: "kerberos", 110: "pop3", 111: "sunrpc", 135: "msrpc",
	139: "netbios-ssn", 143: "imap", 389: "ldap", 443: "https", 445: "smb",
	465: "smtps", 587: "submission", 636: "ldaps", 873: "rsync", 993: "imaps",
	995: "pop3s", 1433: "mssql", 1521: "oracle", 2049: "nfs", 2375: "docker",
	2376: "docker-tls", 2379: "etcd", 3000: "grafana", 3306: "mysql", 3389: "rdp",
	5432: "postgresql", 5439: "redshift", 5601: "kibana", 5671: "amqps",
	5672: "amqp", 5900: "vnc", 5985: "winrm", 5986: "winrm-https",
	6379: "redis", 6443: "kubernetes-api", 8080: "http-alt", 8443: "https-alt",
	9042: "cassandra", 9090: "prometheus", 9092: "kafka", 9200: "elasticsearch",
	9300: "elasticsearch-transport", 10250: "kubelet", 11211: "memcached",
	27017: "mongodb",
}

var udpServices = map[uint16]string{
	53: "dns", 67: "dhcp", 68: "dhcp-client", 69: "tftp", 88: "kerberos",
	111: "sunrpc", 123: "ntp", 137: "netbios-ns", 138: "netbios-dgm",
	161: "snmp", 162: "snmp-trap", 389: "cldap", 443: "quic", 500: "isakmp",
	514: "syslog", 1194: "openvpn", 2049: "nfs", 3389: "rdp", 4500: "ipsec-nat-t",
	4789: "vxlan", 5353: "mdns", 6081: "geneve", 11211: "memcached",
	51820: "wireguard",
}

// services names well-known ports per transport protocol (IANA service
// names, or the product that owns the port in practice).
var services = func() map[servicePortKey]string {
	m := make(map[servicePortKey]string, len(tcpServices)+len(udpServices))
	for p, n := range tcpServices {
		m[servicePortKey{p, ProtoTCP}] = n
	}
	for p, n := range udpServices {
		m[servicePortKey{p, ProtoUDP}] = n
	}
	return m
}()

// serviceTable returns the protocol whose names protocol uses: TCP for TCP
// and SCTP, UDP for UDP and UDP-Lite, 0 for protocols without ports.
func serviceTable(protocol uint8) uint8 {
	switch protocol {
	case ProtoTCP, ProtoSCTP:
		return ProtoTCP
	case ProtoUDP, ProtoUDPLite:
		return ProtoUDP
	}
	return 0
}

// HasPorts reports whether ports mean something for protocol: TCP, UDP,
// SCTP and UDP-Lite.
func HasPorts(protocol uint8) bool { return serviceTable(protocol) != 0 }

// ServiceName returns the well-known service of a port for a protocol
// ("https" for 443/TCP, "quic" for 443/UDP), or "" when the port has no
// well-known service for that protocol. Ports mean nothing for protocols
// other than TCP and UDP (SCTP and UDP-Lite use the TCP and UDP names).
func ServiceName(port uint16, protocol uint8) string {
	t := serviceTable(protocol)
	if t == 0 {
		return ""
	}
	return services[servicePortKey{port, t}]
}

// ServicePorts returns the ports with a well-known service for protocol
// (see ServiceName), sorted; nil for protocols without ports.
func ServicePorts(protocol uint8) []uint16 {
	var m map[uint16]string
	switch serviceTable(protocol) {
	case ProtoTCP:
		m = tcpServices
	case ProtoUDP:
		m = udpServices
	default:
		return nil
	}
	out := make([]uint16, 0, len(m))
	for p := range m {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// Side says which end of a flow serves.
type Side uint8

const (
	SideNone Side = iota // no port identifies a service
	SideSrc              // the source port is the service port
	SideDst              // the destination port is the service port
	SideBoth             // both ports are the same service port
)

// ServiceSide decides which end of a flow serves, and on which port. A
// port at or above ephemeralFrom is a client's ephemeral port, never a
// service port; hasSrc and hasDst say whether the ports are known. Of two
// service-range ports, a well-known one (ServiceName) wins over an unknown
// one, else the lower one wins (equal ports: both ends). Protocols without
// ports have no service side. The rule is also written in SQL by
// store.ServiceDim; the two must agree.
func ServiceSide(protocol uint8, srcPort, dstPort uint16, hasSrc, hasDst bool, ephemeralFrom uint16) (Side, uint16) {
	if !HasPorts(protocol) {
		return SideNone, 0
	}
	s := hasSrc && srcPort < ephemeralFrom
	d := hasDst && dstPort < ephemeralFrom
	switch {
	case s && d:
		if srcPort == dstPort {
			return SideBoth, srcPort
		}
		sk := ServiceName(srcPort, protocol) != ""
		dk := ServiceName(dstPort, protocol) != ""
		if sk != dk {
			if sk {
				return SideSrc, srcPort
			}
			return SideDst, dstPort
		}
		if srcPort < dstPort {
			return SideSrc, srcPort
		}
		return SideDst, dstPort
	case s:
		return SideSrc, srcPort
	case d:
		return SideDst, dstPort
	}
	return SideNone, 0
}

// Serves reports whether side is the service side or both.
func (s Side) Serves(src bool) bool {
	if src {
		return s == SideSrc || s == SideBoth
	}
	return s == SideDst || s == SideBoth
}
