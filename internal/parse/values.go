package parse

import (
	"net/netip"
	"unsafe"
)

// parseUint parses a decimal unsigned integer that must not exceed max. It
// accepts only ASCII digits (no sign, no spaces).
func parseUint(b []byte, max uint64) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	if len(b) < 20 {
		// Up to 19 digits cannot overflow a uint64: no check per digit.
		var v uint64
		for _, c := range b {
			d := uint64(c - '0')
			if d > 9 {
				return 0, false
			}
			v = v*10 + d
		}
		return v, v <= max
	}
	var v uint64
	for _, c := range b {
		d := uint64(c - '0')
		if d > 9 || v > (max-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// parseIPv4 parses a dotted quad without allocating. It rejects leading
// zeros (as net/netip does) so both paths agree.
func parseIPv4(b []byte) (netip.Addr, bool) {
	var out [4]byte
	part, n, digits := 0, 0, 0
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '.' {
			if digits == 0 || part == 3 {
				return netip.Addr{}, false
			}
			out[part] = byte(n)
			part++
			n, digits = 0, 0
			continue
		}
		if c < '0' || c > '9' {
			return netip.Addr{}, false
		}
		if digits > 0 && n == 0 {
			return netip.Addr{}, false // leading zero
		}
		n = n*10 + int(c-'0')
		digits++
		if n > 255 {
			return netip.Addr{}, false
		}
	}
	if part != 3 || digits == 0 {
		return netip.Addr{}, false
	}
	out[3] = byte(n)
	return netip.AddrFrom4(out), true
}

// parseAddr parses an IPv4 or IPv6 address. Zones are rejected: flow logs
// never carry them.
func parseAddr(b []byte) (netip.Addr, bool) {
	if len(b) == 0 {
		return netip.Addr{}, false
	}
	// The two common cases first; both are exact when they succeed. A
	// dotted quad has 15 bytes at most.
	if len(b) <= 15 {
		if a, ok := parseIPv4(b); ok {
			return a, true
		}
	}
	if a, ok := parseIPv6(b); ok {
		return a, true
	}
	isV6 := false
	for _, c := range b {
		if c == ':' {
			isV6 = true
		} else if c == '%' {
			return netip.Addr{}, false
		}
	}
	if !isV6 {
		return parseIPv4(b)
	}
	// netip.ParseAddr does not retain its argument for zone-less
	// addresses, so a string view of the buffer is safe here.
	a, err := netip.ParseAddr(unsafe.String(&b[0], len(b)))
	return a, err == nil
}

// interner returns one shared string per distinct byte sequence, so
// steady-state parsing allocates nothing for low-cardinality fields (account,
// interface, VPC, subnet ids). Past limit entries it starts afresh, bounding
// memory on high-cardinality input.
type interner struct {
	m     map[string]string
	limit int
}

func newInterner(limit int) *interner {
	if limit <= 0 {
		limit = 1 << 16
	}
	return &interner{m: make(map[string]string, 1024), limit: limit}
}

func (in *interner) intern(b []byte) string {
	if s, ok := in.m[string(b)]; ok { // no allocation: the compiler elides the conversion
		return s
	}
	if len(in.m) >= in.limit {
		clear(in.m)
	}
	s := string(b)
	in.m[s] = s
	return s
}
