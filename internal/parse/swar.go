package parse

import (
	"encoding/binary"
	"math/bits"
	"net/netip"
	"unsafe"
)

// The fast path reads eight bytes at a time ("SIMD within a register") when
// at least that many bytes of the line remain, and falls back to a byte
// loop near the end of the line. Every function here either returns exactly
// what the byte-wise code would, or reports that it cannot tell (ok false);
// the callers then run the byte-wise code. FuzzSWAR checks both against the
// reference parsers.

const (
	lows  = 0x0101010101010101
	highs = 0x8080808080808080
)

// nonDigits returns x with the high bit of each byte that is not an ASCII
// digit set, and every other bit clear. There is no carry between bytes.
func nonDigits(x uint64) uint64 {
	t := x ^ 0x3030303030303030 // digits become 0..9
	// (t | 0x80) - 10 keeps its high bit unless t < 10: no borrow.
	return ((t | highs) - 0x0A*lows | t) & highs
}

// spaceOrLess returns a word whose lowest set bit is the high bit of the
// first byte of x that is <= ' ' (space, tab, CR, other controls). Bits
// above the first such byte are meaningless.
func spaceOrLess(x uint64) uint64 {
	return (x - 0x21*lows) &^ x & highs
}

// digitsValue converts the n (1..8) ASCII digits in the low bytes of x (the
// first digit in the lowest byte) to their value; bytes past n are ignored.
func digitsValue(x uint64, n int) uint64 {
	// Shift the digits to the top: the bytes below are leading zeros.
	x = (x & 0x0F0F0F0F0F0F0F0F) << ((64 - 8*uint(n)) & 63)
	x = (x * (10<<8 + 1)) >> 8 // 16-bit lanes of two digits
	x = ((x & 0x00FF00FF00FF00FF) * (100<<16 + 1)) >> 16
	return ((x & 0x0000FFFF0000FFFF) * (10000<<32 + 1)) >> 32
}

var pow10 = [9]uint64{1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000}

// scanUint parses the decimal digits at line[i:], which must be 1 to 19
// digits ended by a space or the end of the line. It returns the value and
// the end of the digits.
func scanUint(line []byte, i int) (uint64, int, bool) {
	n := len(line)
	if i+8 > n {
		return scanUintBytes(line, i)
	}
	x := le64(line, i)
	k := bits.TrailingZeros64(nonDigits(x)) >> 3
	if k < 8 {
		if k == 0 || line[i+k] != ' ' {
			return 0, 0, false
		}
		return digitsValue(x, k), i + k, true
	}
	if i+16 > n {
		return scanUintBytes(line, i)
	}
	y := le64(line, i+8)
	k = bits.TrailingZeros64(nonDigits(y)) >> 3
	switch {
	case k == 0:
		if line[i+8] != ' ' {
			return 0, 0, false
		}
		return digitsValue(x, 8), i + 8, true
	case k < 8:
		if line[i+8+k] != ' ' {
			return 0, 0, false
		}
		return digitsValue(x, 8)*pow10[k] + digitsValue(y, k), i + 8 + k, true
	}
	return scanUintBytes(line, i)
}

// scanUintBytes is scanUint one byte at a time.
func scanUintBytes(line []byte, i int) (uint64, int, bool) {
	var v uint64
	j, n := i, len(line)
	for j < n {
		d := line[j] - '0'
		if d > 9 {
			break
		}
		v = v*10 + uint64(d)
		j++
	}
	if j == i || j-i > 19 || (j < n && line[j] != ' ') {
		return 0, 0, false
	}
	return v, j, true
}

// tokenEnd returns the index of the first byte at or after i that is <= ' '
// (len(line) if none).
func tokenEnd(line []byte, i int) int {
	n := len(line)
	for ; i+8 <= n; i += 8 {
		if m := spaceOrLess(le64(line, i)); m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for i < n && line[i] > ' ' {
		i++
	}
	return i
}

// gather8 packs the high bits of the bytes of x (other bits clear) into the
// low 8 bits of the result, byte 0 first.
func gather8(x uint64) uint32 {
	return uint32(((x >> 7) * 0x0102040810204080) >> 56)
}

// columnAddr parses the column line[s:e] as an address: ipv4At for dotted
// quads followed by a space, else parseAddr.
func columnAddr(line []byte, s, e int) (netip.Addr, bool) {
	if e < len(line) && line[e] == ' ' {
		if a, j, ok := ipv4At(line, s); ok && j == e {
			return a, true
		}
	}
	return parseAddr(line[s:e])
}

// at returns line[i] without a bounds check: the caller guarantees
// i < len(line).
func at(line []byte, i int) byte {
	return *(*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(line)), i))
}

// ipv4At parses the dotted quad at line[i:], which must be followed by a
// space, and returns it with the index of that space. It reads 16 bytes
// from i and reports false for anything else (IPv6, an invalid address, an
// address at the end of the line): the caller then finds the end of the
// column and calls parseAddr, which decides.
func ipv4At(line []byte, i int) (netip.Addr, int, bool) {
	if i+16 > len(line) {
		return netip.Addr{}, 0, false
	}
	m := gather8(nonDigits(le64(line, i))) | gather8(nonDigits(le64(line, i+8)))<<8
	p0 := bits.TrailingZeros32(m)
	m &= m - 1
	p1 := bits.TrailingZeros32(m)
	m &= m - 1
	p2 := bits.TrailingZeros32(m)
	m &= m - 1
	p3 := bits.TrailingZeros32(m | 1<<16)
	l1, l2, l3 := p1-p0-1, p2-p1-1, p3-p2-1
	// Octets of 1 to 3 digits put p3 at 15 at most.
	if uint(p0-1) > 2 || uint(l1-1) > 2 || uint(l2-1) > 2 || uint(l3-1) > 2 {
		return netip.Addr{}, 0, false
	}
	if at(line, i+p0) != '.' || at(line, i+p1) != '.' || at(line, i+p2) != '.' || at(line, i+p3) != ' ' {
		return netip.Addr{}, 0, false
	}
	// p2+1+4 <= 16: the loads stay in the 16 bytes.
	w0, w1, w2, w3 := le32(line, i), le32(line, i+p0+1), le32(line, i+p1+1), le32(line, i+p2+1)
	o0, o1, o2, o3 := octet(w0, p0), octet(w1, l1), octet(w2, l2), octet(w3, l3)
	// A leading zero (as in 010) is invalid, as in net/netip: the value of
	// n digits must be at least minOctet[n].
	lz := b2u(o0 < minOctet[p0&3]) | b2u(o1 < minOctet[l1&3]) | b2u(o2 < minOctet[l2&3]) | b2u(o3 < minOctet[l3&3])
	if (o0|o1|o2|o3) > 255 || lz != 0 {
		return netip.Addr{}, 0, false
	}
	return netip.AddrFrom4([4]byte{byte(o0), byte(o1), byte(o2), byte(o3)}), i + p3, true
}

// octet returns the value of the n (1..3) digits in the low bytes of w.
func octet(w uint32, n int) uint32 {
	w = (w & 0x0F0F0F0F) << ((32 - 8*uint(n)) & 31) // digits at the top, zeros below
	w = (w * (10<<8 + 1) >> 8) & 0x00FF00FF         // two-digit lanes
	return (w * (100<<16 + 1) >> 16) & 0xFFFF
}

// minOctet is the smallest value of an octet of n digits without a leading
// zero.
var minOctet = [4]uint32{0, 0, 10, 100}

func b2u(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// numbers parses seven consecutive number columns from line[i:], each
// ended by a space, and returns the start of the column after them. A '-'
// column gives 0 and sets its bit in dashes. It reports false when a column
// is anything else, or ends the line.
func numbers(line []byte, i int, vals *[7]uint64) (next int, dashes uint32, ok bool) {
	n := len(line)
	for k := range vals {
		if i+16 <= n {
			x := le64(line, i)
			d := bits.TrailingZeros64(nonDigits(x)) >> 3
			if uint(d-1) < 7 && at(line, i+d) == ' ' {
				vals[k] = digitsValue(x, d)
				i += d + 1
				continue
			}
			if d == 8 { // 9 to 15 digits (times, large byte counts)
				y := le64(line, i+8)
				e := bits.TrailingZeros64(nonDigits(y)) >> 3
				if uint(e-1) < 7 && at(line, i+8+e) == ' ' {
					vals[k] = digitsValue(x, 8)*pow10[e] + digitsValue(y, e)
					i += 9 + e
					continue
				}
			}
		}
		if i+1 < n && line[i] == '-' && line[i+1] == ' ' {
			vals[k] = 0
			dashes |= 1 << k
			i += 2
			continue
		}
		v, j, ok := scanUint(line, i)
		if !ok || j == n {
			return 0, 0, false
		}
		vals[k] = v
		i = j + 1
	}
	return i, dashes, true
}

// parseIPv6 parses an IPv6 address made of hex groups and at most one
// "::", exactly as netip.ParseAddr does (FuzzParseIPv6 checks it), in a
// third less time. It reports false for anything else, including the forms
// it does not handle (an embedded IPv4 address, a zone): the caller then
// asks netip.
func parseIPv6(b []byte) (netip.Addr, bool) {
	n := len(b)
	if n < 2 || n > 39 {
		return netip.Addr{}, false
	}
	var g [8]uint16
	ellipsis, k, i := -1, 0, 0
	if b[0] == ':' {
		if b[1] != ':' {
			return netip.Addr{}, false
		}
		ellipsis, i = 0, 2 // a leading "::"
		if n == 2 {
			return netip.IPv6Unspecified(), true
		}
	}
	for {
		var v uint32
		j := i
		for j < n && j < i+4 { // up to 4 digits
			h := hexval[at(b, j)]
			if h > 15 {
				break
			}
			v = v<<4 | uint32(h)
			j++
		}
		if j == i || k == 8 {
			return netip.Addr{}, false
		}
		g[k&7] = uint16(v)
		k++
		if j == n {
			break
		}
		if at(b, j) != ':' || j+1 == n {
			return netip.Addr{}, false
		}
		i = j + 1
		if at(b, i) == ':' {
			if ellipsis >= 0 {
				return netip.Addr{}, false
			}
			ellipsis = k
			i++
			if i == n {
				break
			}
		}
	}
	if k < 8 {
		if ellipsis < 0 {
			return netip.Addr{}, false
		}
		// Move the groups after "::" to the end.
		shift := 8 - k
		for j := k - 1; j >= ellipsis; j-- {
			g[j+shift] = g[j]
		}
		for j := ellipsis; j < ellipsis+shift; j++ {
			g[j] = 0
		}
	} else if ellipsis >= 0 {
		return netip.Addr{}, false // "::" must stand for at least one group
	}
	var a [16]byte
	for j, v := range g {
		binary.BigEndian.PutUint16(a[2*j:], v)
	}
	return netip.AddrFrom16(a), true
}

// hexval maps hex digits to their value and every other byte to 0xFF.
var hexval = func() (t [256]uint8) {
	for i := range t {
		t[i] = 0xFF
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = uint8(c - '0')
	}
	for c := 'a'; c <= 'f'; c++ {
		t[c] = uint8(c - 'a' + 10)
		t[c-'a'+'A'] = uint8(c - 'a' + 10)
	}
	return t
}()
