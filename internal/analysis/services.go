package analysis

import (
	"net/netip"

	"github.com/flowlens/flowlens/internal/flowlog"
)

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
