package parse

import (
	"net/netip"
	"strconv"
	"strings"
	"testing"
)

// The word-at-a-time helpers against plain references, at every offset of
// a column in a line, so that the 8- and 16-byte reads meet the end of the
// line in every possible place.

// refUint is scanUint's specification: 1 to 19 digits ended by a space or
// the end of the line.
func refUint(line string, i int) (uint64, int, bool) {
	j := i
	for j < len(line) && line[j] >= '0' && line[j] <= '9' {
		j++
	}
	if j == i || j-i > 19 || (j < len(line) && line[j] != ' ') {
		return 0, 0, false
	}
	v, err := strconv.ParseUint(line[i:j], 10, 64)
	return v, j, err == nil
}

// refAddr is what ipv4At may return: parseAddr of the column, for dotted
// quads ended by a space.
func refIPv4(line string, i int) (netip.Addr, int, bool) {
	j := strings.IndexByte(line[i:], ' ')
	if j < 0 {
		return netip.Addr{}, 0, false
	}
	a, err := netip.ParseAddr(line[i : i+j])
	if err != nil || !a.Is4() || strings.Contains(line[i:i+j], ":") {
		return netip.Addr{}, 0, false
	}
	return a, i + j, true
}

func checkSWAR(t *testing.T, line string) {
	t.Helper()
	b := []byte(line)
	for i := 0; i <= len(b); i++ {
		v, j, ok := scanUint(b, i)
		rv, rj, rok := refUint(line, i)
		if ok != rok || (ok && (v != rv || j != rj)) {
			t.Fatalf("scanUint(%q, %d) = %d, %d, %v; want %d, %d, %v", line, i, v, j, ok, rv, rj, rok)
		}
		if a, j, ok := ipv4At(b, i); ok {
			ra, rj, rok := refIPv4(line, i)
			if !rok || a != ra || j != rj {
				t.Fatalf("ipv4At(%q, %d) = %v, %d; want %v, %d, %v", line, i, a, j, ra, rj, rok)
			}
		}
		e := i
		for e < len(b) && b[e] > ' ' {
			e++
		}
		if got := tokenEnd(b, i); got != e {
			t.Fatalf("tokenEnd(%q, %d) = %d, want %d", line, i, got, e)
		}
		if e > i {
			ca, cok := columnAddr(b, i, e)
			pa, pok := parseAddr(b[i:e])
			if cok != pok || ca != pa {
				t.Fatalf("columnAddr(%q) = %v, %v; want %v, %v", line[i:e], ca, cok, pa, pok)
			}
		}
		// numbers is a chain of scanUint (or '-') columns ended by spaces.
		var vals [7]uint64
		next, dashes, ok := numbers(b, i, &vals)
		k, want, wantNext, wantOK := i, [7]uint64{}, 0, true
		var wantDashes uint32
		for c := range want {
			if k+1 < len(line) && line[k] == '-' && line[k+1] == ' ' {
				wantDashes |= 1 << c
				k += 2
				continue
			}
			v, j, ok := refUint(line, k)
			if !ok || j == len(line) {
				wantOK = false
				break
			}
			want[c], k = v, j+1
		}
		wantNext = k
		if ok != wantOK || (ok && (vals != want || next != wantNext || dashes != wantDashes)) {
			t.Fatalf("numbers(%q, %d) = %v, %d, %b, %v; want %v, %d, %b, %v", line, i, vals, next, dashes, ok, want, wantNext, wantDashes, wantOK)
		}
	}
	// parseIPv6 agrees with netip whenever it answers, and answers for
	// every address without an embedded IPv4 address or a zone.
	a, ok := parseIPv6(b)
	ra, err := netip.ParseAddr(line)
	if ok && (err != nil || a != ra) {
		t.Fatalf("parseIPv6(%q) = %v; netip says %v, %v", line, a, ra, err)
	}
	if !ok && err == nil && ra.Is6() && !strings.ContainsAny(line, ".%") {
		t.Fatalf("parseIPv6(%q) failed; netip says %v", line, ra)
	}
}

func TestSWAR(t *testing.T) {
	for _, line := range []string{
		"2 123456789012 eni-0a1b2c3d4e5f00001 10.0.1.2 172.31.255.255 49152 443 6 12 3456 1767571200 1767571260 ACCEPT OK",
		"1 12 123 1234 12345 123456 1234567 12345678 123456789 1234567890 12345678901234567 1234567890123456789 12345678901234567890 ",
		"18446744073709551615 18446744073709551616 99999999999999999999 00000000000000000001 ",
		"- 1 - 2 -- 3 -1 1- 1a a1 1\t2 1\r 1\n ",
		"0.0.0.0 255.255.255.255 1.2.3.4 256.1.1.1 01.2.3.4 1.02.3.4 1.2.3.04 1.2.3 1.2.3.4.5 1..2.3 .1.2.3 1.2.3. 1234.1.1.1 ",
		"10.0.0.1x 10.0.0.1\t 10.0.0.1:80 1.2.3.4/8 999.999.999.999 100.200.250.255 ",
		"2001:db8::1 :: ::1 1:: 1:2:3:4:5:6:7:8 1:2:3:4:5:6:7:8:9 1::2::3 ::ffff:1.2.3.4 fe80::1%eth0 12345::1 2001:0db8:0000:0000:0000:ff00:0042:8329 :1 1: ",
		"::: 1:::2 1:2:3:4:5:6:7::8 1:2:3:4:5:6:7:: ::2:3:4:5:6:7:8 1:2:3:4:5:6:7:8:: ABCD:EF01:abcd:ef01:0:00:000:0000 g::1 1:2:3:4:5:6:7 2a09:2335:ce8c:14f7:678d:9f0b:ef32:2858",
	} {
		checkSWAR(t, line)
		for _, tok := range strings.Fields(line) {
			checkSWAR(t, tok)
		}
	}
}

func TestDigitsValue(t *testing.T) {
	for n := 1; n <= 8; n++ {
		s := "98765432"[:n] + "x7 ab"
		x := le64([]byte(s+"........"), 0)
		want, _ := strconv.ParseUint(s[:n], 10, 64)
		if got := digitsValue(x, n); got != want {
			t.Fatalf("digitsValue(%q, %d) = %d, want %d", s, n, got, want)
		}
	}
}

func FuzzSWAR(f *testing.F) {
	f.Add("2 123456789012 eni-1 10.0.1.2 172.31.255.255 49152 443 6 12 3456 1767571200 1767571260 ACCEPT OK")
	f.Add("2001:db8::1 1:2:3:4:5:6:7:8 ::ffff:1.2.3.4")
	f.Add("- 12345678901234567 1..2.3 1.2.3.4 ")
	f.Fuzz(func(t *testing.T, line string) {
		checkSWAR(t, line)
	})
}

func FuzzParseIPv6(f *testing.F) {
	for _, s := range []string{"2001:db8::1", "::", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "fe80::1%eth0", "1::2::3", "ABCD:ef01::", "2a09:2335:ce8c:14f7:678d:9f0b:ef32:2858"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, ok := parseIPv6([]byte(s))
		ra, err := netip.ParseAddr(s)
		if ok && (err != nil || a != ra) {
			t.Fatalf("parseIPv6(%q) = %v; netip says %v, %v", s, a, ra, err)
		}
		if !ok && err == nil && ra.Is6() && !strings.ContainsAny(s, ".%") {
			t.Fatalf("parseIPv6(%q) failed; netip says %v", s, ra)
		}
		// parseAddr is netip without zones, for every input.
		pa, pok := parseAddr([]byte(s))
		want := err == nil && ra.Zone() == "" && !strings.Contains(s, "%")
		if pok != want || (pok && pa != ra) {
			t.Fatalf("parseAddr(%q) = %v, %v; netip says %v, %v", s, pa, pok, ra, err)
		}
	})
}
