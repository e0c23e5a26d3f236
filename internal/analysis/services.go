package analysis

import (
	"net/netip"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// Protocol numbers the service table knows.
const (
	protoTCP = 6
	protoUDP = 17
)

type portKey struct {
	port  uint16
	proto uint8
}

// services names well-known ports per transport protocol (IANA service
// names, or the product that owns the port in practice).
var services = func() map[portKey]string {
	tcp := map[uint16]string{
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
	udp := map[uint16]string{
		53: "dns", 67: "dhcp", 68: "dhcp-client", 69: "tftp", 88: "kerberos",
		111: "sunrpc", 123: "ntp", 137: "netbios-ns", 138: "netbios-dgm",
		161: "snmp", 162: "snmp-trap", 389: "cldap", 443: "quic", 500: "isakmp",
		514: "syslog", 1194: "openvpn", 2049: "nfs", 3389: "rdp", 4500: "ipsec-nat-t",
		4789: "vxlan", 5353: "mdns", 6081: "geneve", 11211: "memcached",
		51820: "wireguard",
	}
	m := make(map[portKey]string, len(tcp)+len(udp))
	for p, n := range tcp {
		m[portKey{p, protoTCP}] = n
	}
	for p, n := range udp {
		m[portKey{p, protoUDP}] = n
	}
	return m
}()

// ServiceName returns the well-known service of a port for a protocol
// ("https" for 443/TCP, "quic" for 443/UDP), or "" when the port has no
// well-known service for that protocol. Ports mean nothing for protocols
// other than TCP and UDP (SCTP and UDP-Lite use the UDP/TCP names).
func ServiceName(port uint16, protocol uint8) string {
	switch protocol {
	case protoTCP, protoUDP:
	case 132: // SCTP
		protocol = protoTCP
	case 136: // UDP-Lite
		protocol = protoUDP
	default:
		return ""
	}
	return services[portKey{port, protocol}]
}

// internalPrefixes are the non-public address ranges counted as internal:
// RFC 1918 private networks, RFC 6598 shared address space (carrier-grade
// NAT) and RFC 4193 unique local IPv6 addresses.
var internalPrefixes = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("100.64.0.0/10"),
	netip.MustParsePrefix("fc00::/7"),
}

// InternalPrefixes returns the networks IsInternal matches. The caller owns
// the slice.
func InternalPrefixes() []netip.Prefix { return append([]netip.Prefix(nil), internalPrefixes...) }

// IsInternal reports whether a is in a private (RFC 1918), shared (RFC 6598)
// or unique local (RFC 4193) network. IPv4-mapped IPv6 addresses are
// unmapped first.
func IsInternal(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range internalPrefixes {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// internalValues returns the internal prefixes as condition values.
func internalValues() []any {
	out := make([]any, len(internalPrefixes))
	for i, p := range internalPrefixes {
		out[i] = p
	}
	return out
}

// protocolName returns the IANA keyword of a protocol.
func protocolName(p uint8) string { return flowlog.ProtocolName(p) }
