package enrich

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"sync"
)

// MinKeyBytes is the shortest pseudonymisation key accepted.
const MinKeyBytes = 16

// Pseudonymizer replaces addresses and AWS identifiers by stable,
// irreversible pseudonyms, for sharing graphs and tables without revealing
// the network.
//
// Addresses. Each address is mapped by a keyed pseudorandom permutation
// (a Feistel network with AES-128 round functions under keys derived from
// the user's key with HMAC-SHA256) of the set of addresses of its class:
//
//   - an internal address (see Networks) stays in the outermost internal
//     network holding it: 10.x stays in 10/8, 172.16/12, 192.168/16,
//     100.64/10 and fc00::/7 likewise;
//   - special-purpose addresses that identify no one (unspecified,
//     loopback, link-local, multicast, documentation and benchmarking
//     ranges, 240/4) are kept as they are, so 169.254.169.254 stays
//     readable;
//   - any other address is external and maps to an external address that is
//     neither internal nor special: IPv6 global unicast (2000::/3) stays in
//     2000::/3, and other IPv6 space stays outside it.
//
// IPv4 stays IPv4 (an IPv4-mapped IPv6 address stays mapped) and IPv6
// stays IPv6. Because each class is permuted, two addresses never share a
// pseudonym (no collisions). The same key always gives the same pseudonym;
// another key gives an unrelated mapping; without the key the mapping can
// be neither computed nor inverted. It does not preserve subnets: two
// neighbours get unrelated pseudonyms. Prefix maps a network to a network
// of the same length, permuting the networks of that length of its class
// independently of the addresses.
//
// Identifiers (ID) keep their shape: an AWS resource ID (one or two words
// of letters, a dash, then 8 or 17 lower-case hex digits: "eni-" followed
// by 17 hex digits) maps to the same resource type followed by as many
// other hex digits, and a string of digits (a 12-digit account ID) to as
// many digits, both by keyed permutations, so without collisions. Other
// text (names, ARNs) becomes "anon-" and 16 hex digits of a keyed hash
// (collisions are possible but need about 2^32 distinct strings).
//
// The key is never kept: only keys derived from it, which no String,
// GoString, Format, MarshalJSON or MarshalText output reveals. A nil
// *Pseudonymizer returns everything unchanged. It is safe for concurrent
// use.
type Pseudonymizer struct {
	s *pseudoState
}

// pseudoState holds the derived key behind a second pointer: fmt
// dereferences at most one pointer level of values it cannot format, so
// no verb applied to a struct holding a Pseudonymizer reaches the bytes.
type pseudoState struct {
	nets    *Networks
	root    *[sha256.Size]byte
	domains sync.Map // levelKey → *level, idKey → *perm
}

var special4 = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"), netip.MustParsePrefix("127.0.0.0/8"),
	netip.MustParsePrefix("169.254.0.0/16"), netip.MustParsePrefix("192.0.0.0/24"),
	netip.MustParsePrefix("192.0.2.0/24"), netip.MustParsePrefix("198.18.0.0/15"),
	netip.MustParsePrefix("198.51.100.0/24"), netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("224.0.0.0/3"),
}

var special6 = []netip.Prefix{
	netip.MustParsePrefix("::/127"), netip.MustParsePrefix("fe80::/10"),
	netip.MustParsePrefix("ff00::/8"), netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("2001:2::/48"), netip.MustParsePrefix("3fff::/20"),
}

var global6 = netip.MustParsePrefix("2000::/3")

// NewPseudonymizer derives the mapping from key (at least MinKeyBytes
// bytes; use random bytes, e.g. `head -c 32 /dev/urandom > flowlens.key`).
// nets says which addresses are internal (nil: DefaultNetworks).
func NewPseudonymizer(key []byte, nets *Networks) (*Pseudonymizer, error) {
	if len(key) < MinKeyBytes {
		return nil, fmt.Errorf("pseudonymization key is %d bytes long: use at least %d random bytes (e.g. head -c 32 /dev/urandom > flowlens.key)", len(key), MinKeyBytes)
	}
	st := &pseudoState{nets: nets.get(), root: new([sha256.Size]byte)}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("flowlens/pseudonymize/v1"))
	mac.Sum(st.root[:0])
	return &Pseudonymizer{s: st}, nil
}

// ReadKeyFile reads a pseudonymisation key file. One trailing newline
// (\n or \r\n) is removed, so that a key written with echo works. Errors
// never quote the content.
func ReadKeyFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("pseudonymization key: %w", err)
	}
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) < MinKeyBytes {
		return nil, fmt.Errorf("pseudonymization key %s is %d bytes long: use at least %d random bytes (e.g. head -c 32 /dev/urandom > %s)", path, len(b), MinKeyBytes, path)
	}
	return b, nil
}

// KeyFromEnv reads a pseudonymisation key from an environment variable.
// Errors never quote the value.
func KeyFromEnv(name string) ([]byte, error) {
	v, ok := os.LookupEnv(name)
	switch {
	case !ok || v == "":
		return nil, fmt.Errorf("pseudonymization key: $%s is not set: set it to at least %d random bytes, or give a key file", name, MinKeyBytes)
	case len(v) < MinKeyBytes:
		return nil, fmt.Errorf("pseudonymization key: $%s is %d bytes long: use at least %d random bytes (e.g. $(head -c 32 /dev/urandom | base64))", name, len(v), MinKeyBytes)
	}
	return []byte(v), nil
}

const redacted = "enrich.Pseudonymizer{key: REDACTED}"

// String never reveals the key.
func (p Pseudonymizer) String() string { return redacted }

// GoString never reveals the key.
func (p Pseudonymizer) GoString() string { return redacted }

// Format prints the same text for every verb, never revealing the key.
func (p Pseudonymizer) Format(f fmt.State, _ rune) { f.Write([]byte(redacted)) }

// MarshalJSON never reveals the key.
func (p Pseudonymizer) MarshalJSON() ([]byte, error) { return []byte(strconv.Quote(redacted)), nil }

// MarshalText never reveals the key.
func (p Pseudonymizer) MarshalText() ([]byte, error) { return []byte(redacted), nil }

func (s *pseudoState) String() string             { return redacted }
func (s *pseudoState) Format(f fmt.State, _ rune) { f.Write([]byte(redacted)) }

// derive returns a 16-byte key for the named use.
func (s *pseudoState) derive(label string) []byte {
	mac := hmac.New(sha256.New, s.root[:])
	mac.Write([]byte(label))
	return mac.Sum(nil)[:16]
}

// Addr returns the pseudonym of a. Invalid addresses are returned as they
// are; zones are dropped.
func (p *Pseudonymizer) Addr(a netip.Addr) netip.Addr {
	if p == nil || !a.IsValid() {
		return a
	}
	mapped := a.Is4In6()
	a = a.Unmap().WithZone("")
	out := numAddr(p.s.mapBlock(addrNum(a), a.Is4(), a.BitLen()), a.Is4())
	if mapped {
		return netip.AddrFrom16(out.As16())
	}
	return out
}

// Prefix returns the pseudonym of the network p (masked first): a network
// of the same length and class.
func (p *Pseudonymizer) Prefix(pfx netip.Prefix) netip.Prefix {
	if p == nil || !pfx.IsValid() {
		return pfx
	}
	a, bits := pfx.Addr(), pfx.Bits()
	mapped := a.Is4In6()
	if mapped {
		if bits < 96 {
			return pfx.Masked()
		}
		a, bits = a.Unmap(), bits-96
	}
	a = a.WithZone("")
	w := uint(a.BitLen())
	x := addrNum(a).shr(w - uint(bits))
	y := p.s.mapBlock(x, a.Is4(), bits).shl(w - uint(bits))
	out := numAddr(y, a.Is4())
	if mapped {
		return netip.PrefixFrom(netip.AddrFrom16(out.As16()), bits+96)
	}
	return netip.PrefixFrom(out, bits)
}

// level is the classification of the networks of one length of one
// family: the internal networks with their domains, the special ranges
// kept as they are, and the external domains.
type level struct {
	internal []levelDomain
	special  []interval
	external *domain
	global6  *domain  // IPv6 only: 2000::/3 (nil for lengths below 3)
	global   interval // the blocks of 2000::/3
}

type levelDomain struct {
	blocks interval
	d      *domain
}

type levelKey struct {
	v6   bool
	bits uint8
}

// mapBlock maps block x (an address shifted right to its first bits bits).
func (s *pseudoState) mapBlock(x u128, is4 bool, bits int) u128 {
	lv := s.level(is4, bits)
	in := func(iv interval) bool { return !x.less(iv.first) && !iv.last.less(x) }
	for _, ld := range lv.internal {
		if in(ld.blocks) {
			return ld.d.mapNum(x)
		}
	}
	for _, iv := range lv.special {
		if in(iv) {
			return x
		}
	}
	if lv.global6 != nil && in(lv.global) {
		return lv.global6.mapNum(x)
	}
	return lv.external.mapNum(x)
}

func (s *pseudoState) level(is4 bool, bits int) *level {
	k := levelKey{!is4, uint8(bits)}
	if v, ok := s.domains.Load(k); ok {
		return v.(*level)
	}
	w := uint(128)
	spec := special6
	if is4 {
		w, spec = 32, special4
	}
	shift := w - uint(bits)
	blocks := func(q netip.Prefix) interval {
		f, l := prefixSpan(q)
		return interval{f.shr(shift), l.shr(shift)}
	}
	key := func(class string, first u128) []byte {
		return s.derive(fmt.Sprintf("addr|%t|%d|%s|%x.%x", !is4, bits, class, first.hi, first.lo))
	}
	lv := &level{}
	var holes []interval
	for _, q := range s.nets.outer {
		if q.Addr().Is4() != is4 || q.Bits() > bits {
			continue
		}
		b := blocks(q)
		lv.internal = append(lv.internal, levelDomain{b, newDomain(key("internal", b.first), b, nil)})
		holes = append(holes, b)
	}
	for _, q := range spec {
		if q.Bits() <= bits {
			lv.special = append(lv.special, blocks(q))
			holes = append(holes, blocks(q))
		}
	}
	rng := interval{u128{}, mask(uint(bits))}
	if !is4 && bits >= global6.Bits() {
		lv.global = blocks(global6)
		lv.global6 = newDomain(key("global", lv.global.first), lv.global, holes)
		holes = append(holes, lv.global)
	}
	lv.external = newDomain(key("external", rng.first), rng, holes)
	v, _ := s.domains.LoadOrStore(k, lv)
	return v.(*level)
}

type idKey struct {
	prefix string
	radix  int
	digits int
}

// ID returns the pseudonym of an AWS identifier (see Pseudonymizer).
// "", "-" and "unknown" are returned as they are.
func (p *Pseudonymizer) ID(s string) string {
	if p == nil || s == "" || s == "-" || s == "unknown" {
		return s
	}
	if len(s) <= 38 && strings.Trim(s, "0123456789") == "" {
		return p.s.mapDigits("", s, 10)
	}
	if i := strings.LastIndexByte(s, '-'); i > 0 && (len(s)-i-1 == 8 || len(s)-i-1 == 17) &&
		idPrefix(s[:i]) && strings.Trim(s[i+1:], "0123456789abcdef") == "" {
		return s[:i+1] + p.s.mapDigits(s[:i+1], s[i+1:], 16)
	}
	mac := hmac.New(sha256.New, p.s.root[:])
	mac.Write([]byte("name|" + s))
	return "anon-" + hex.EncodeToString(mac.Sum(nil)[:8])
}

// idPrefix accepts the resource type of an AWS ID ("eni", "tgw-attach"):
// one or two words of lower-case letters, 20 characters at most.
func idPrefix(s string) bool {
	if s == "" || len(s) > 20 || strings.Count(s, "-") > 1 {
		return false
	}
	for _, w := range strings.Split(s, "-") {
		if w == "" || strings.Trim(w, "abcdefghijklmnopqrstuvwxyz") != "" {
			return false
		}
	}
	return true
}

// mapDigits permutes a string of digits of the given radix (10 or lower-
// case 16) among the strings of its length.
func (s *pseudoState) mapDigits(prefix, digits string, radix int) string {
	k := idKey{prefix, radix, len(digits)}
	var pm *perm
	if v, ok := s.domains.Load(k); ok {
		pm = v.(*perm)
	} else {
		n := u128{0, 1}
		for range digits {
			n, _ = n.mul64(uint64(radix))
		}
		label := fmt.Sprintf("id|%s|%d|%d", prefix, radix, len(digits))
		v, _ := s.domains.LoadOrStore(k, newPerm(s.derive(label), n))
		pm = v.(*perm)
	}
	var x u128
	for i := 0; i < len(digits); i++ {
		d, _ := strconv.ParseUint(digits[i:i+1], radix, 8)
		x, _ = x.mul64(uint64(radix))
		x = x.add(u128{0, d})
	}
	y := pm.apply(x)
	out := make([]byte, len(digits))
	const alphabet = "0123456789abcdef"
	for i := len(out) - 1; i >= 0; i-- {
		var r uint64
		y, r = y.divmod64(uint64(radix))
		out[i] = alphabet[r]
	}
	return string(out)
}
