package parse

import (
	"strconv"
	"testing"
)

func TestParseUint(t *testing.T) {
	f := func(in string, max uint64, want uint64, ok bool) {
		t.Helper()
		got, gok := parseUint([]byte(in), max)
		if gok != ok || (ok && got != want) {
			t.Fatalf("parseUint(%q, %d) = %d, %v; want %d, %v", in, max, got, gok, want, ok)
		}
	}
	f("0", 255, 0, true)
	f("255", 255, 255, true)
	f("256", 255, 0, false)
	f("65535", 65535, 65535, true)
	f("65536", 65535, 0, false)
	f("18446744073709551615", 1<<64-1, 1<<64-1, true)
	f("18446744073709551616", 1<<64-1, 0, false)
	f("99999999999999999999", 1<<64-1, 0, false)
	f("9999999999999999999", 1<<64-1, 9999999999999999999, true)
	f("9999999999999999999", 1<<62, 0, false)
	f("000000000000000000001", 1<<64-1, 0, false) // 21 digits
	f("00000000000000000001", 1<<64-1, 1, true)
	f("", 10, 0, false)
	f("1a", 100, 0, false)
	f("-1", 100, 0, false)
	f("+1", 100, 0, false)
	f(" 1", 100, 0, false)
	for _, v := range []uint64{1, 9, 10, 99, 1 << 31, 1<<32 + 7, 1<<63 + 12345} {
		f(strconv.FormatUint(v, 10), 1<<64-1, v, true)
	}
}

func FuzzParseUint(f *testing.F) {
	f.Add("123", uint64(255))
	f.Add("18446744073709551615", uint64(1<<64-1))
	f.Fuzz(func(t *testing.T, s string, max uint64) {
		got, ok := parseUint([]byte(s), max)
		want, err := strconv.ParseUint(s, 10, 64)
		wantOK := err == nil && want <= max && len(s) > 0 && s[0] != '+'
		if ok != wantOK || (ok && got != want) {
			t.Fatalf("parseUint(%q, %d) = %d, %v; strconv says %d, %v", s, max, got, ok, want, err)
		}
	})
}
