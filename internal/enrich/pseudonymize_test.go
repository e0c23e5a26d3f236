package enrich

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var testKey = []byte("0123456789abcdef-flowlens-test-key")

func newPseudo(t testing.TB, key []byte, nets *Networks) *Pseudonymizer {
	t.Helper()
	p, err := NewPseudonymizer(key, nets)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// class names the class of an address as the pseudonymizer sees it.
func class(nets *Networks, a netip.Addr) string {
	a = a.Unmap()
	if p, ok := nets.Network(a); ok {
		return "internal " + p.String()
	}
	spec := special6
	if a.Is4() {
		spec = special4
	}
	for _, q := range spec {
		if q.Contains(a) {
			return "special"
		}
	}
	if a.Is6() && global6.Contains(a) {
		return "global6"
	}
	if a.Is4() {
		return "external4"
	}
	return "external6"
}

// classAt is the class of a network: only networks at least as large
// count.
func classAt(nets *Networks, pf netip.Prefix) string {
	for _, q := range append(nets.Prefixes(), special4...) {
		if q.Addr().Is4() == pf.Addr().Is4() && q.Bits() <= pf.Bits() && q.Contains(pf.Addr()) {
			if nets.IsInternal(q.Addr()) {
				return "internal " + q.String()
			}
			return "special"
		}
	}
	return "external"
}

// randAddr draws addresses of every class.
func randAddr(rng *rand.Rand) netip.Addr {
	var b [16]byte
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	switch rng.IntN(10) {
	case 0:
		return netip.AddrFrom4([4]byte{10, b[1], b[2], b[3]})
	case 1:
		return netip.AddrFrom4([4]byte{172, 16 | b[1]&15, b[2], b[3]})
	case 2:
		return netip.AddrFrom4([4]byte{192, 168, b[2], b[3]})
	case 3:
		return netip.AddrFrom4([4]byte{100, 64 | b[1]&63, b[2], b[3]})
	case 4:
		b[0] = 0xfc | b[0]&1
		return netip.AddrFrom16(b)
	case 5:
		b[0] = 0x20 | b[0]&0x1f
		return netip.AddrFrom16(b)
	case 6:
		return netip.AddrFrom16(b)
	case 7:
		return netip.AddrFrom16(netip.AddrFrom4([4]byte{b[0], b[1], b[2], b[3]}).As16()) // mapped
	}
	return netip.AddrFrom4([4]byte{b[0], b[1], b[2], b[3]})
}

func TestPseudonymizeAddrProperties(t *testing.T) {
	p := newPseudo(t, testKey, nil)
	same := newPseudo(t, append([]byte(nil), testKey...), nil)
	other := newPseudo(t, []byte("another key, also long enough"), nil)
	rng := rand.New(rand.NewPCG(3, 4))
	seen := map[netip.Addr]netip.Addr{}
	differ, n := 0, 0
	for i := 0; i < 50_000; i++ {
		a := randAddr(rng)
		b := p.Addr(a)
		if got := same.Addr(a); got != b {
			t.Fatalf("unstable: %s → %s, then %s", a, b, got)
		}
		if got := p.Addr(a); got != b {
			t.Fatalf("unstable on the same instance: %s → %s, then %s", a, b, got)
		}
		if a.Is4() != b.Is4() || a.Is4In6() != b.Is4In6() || a.Is6() != b.Is6() {
			t.Fatalf("family changed: %s → %s", a, b)
		}
		ca, cb := class(nil, a), class(nil, b)
		if ca != cb {
			t.Fatalf("class changed: %s (%s) → %s (%s)", a, ca, b, cb)
		}
		if ca == "special" {
			if a != b {
				t.Fatalf("special address %s changed to %s", a, b)
			}
			continue
		}
		if prev, ok := seen[b]; ok && prev != a {
			t.Fatalf("collision: %s and %s both map to %s", prev, a, b)
		}
		seen[b] = a
		n++
		if other.Addr(a) != b {
			differ++
		}
	}
	if differ < n*99/100 {
		t.Errorf("another key changed only %d of %d pseudonyms", differ, n)
	}
	unchanged := 0
	for a, b := range seen {
		if a == b {
			unchanged++
		}
	}
	if unchanged > n/1000 {
		t.Errorf("%d of %d addresses map to themselves", unchanged, n)
	}
	for _, s := range []string{"169.254.169.254", "127.0.0.1", "224.0.0.251", "255.255.255.255", "::1", "::", "fe80::1", "ff02::1", "2001:db8::1"} {
		if a := netip.MustParseAddr(s); p.Addr(a) != a {
			t.Errorf("special %s → %s", a, p.Addr(a))
		}
	}
	if got := p.Addr(netip.MustParseAddr("fe80::1%eth0")); got.Zone() != "" {
		t.Errorf("zone kept: %s", got)
	}
	if got := p.Addr(netip.Addr{}); got.IsValid() {
		t.Errorf("invalid address → %s", got)
	}
}

// TestPseudonymizeBijective maps whole small domains exhaustively.
func TestPseudonymizeBijective(t *testing.T) {
	nets, err := ParseNetworks([]string{"10.1.2.0/24", "100.64.0.0/10", "fd00:1::/120"})
	if err != nil {
		t.Fatal(err)
	}
	p := newPseudo(t, testKey, nets)
	check := func(name string, in []netip.Addr) {
		t.Helper()
		set := map[netip.Addr]bool{}
		for _, a := range in {
			set[a] = true
		}
		out := map[netip.Addr]bool{}
		for _, a := range in {
			b := p.Addr(a)
			if !set[b] {
				t.Fatalf("%s: %s → %s, outside the domain", name, a, b)
			}
			if out[b] {
				t.Fatalf("%s: %s → %s, already taken", name, a, b)
			}
			out[b] = true
		}
	}
	var lan []netip.Addr
	for i := 0; i < 256; i++ {
		lan = append(lan, netip.AddrFrom4([4]byte{10, 1, 2, byte(i)}))
	}
	check("10.1.2.0/24", lan)
	var ula []netip.Addr
	for i := 0; i < 256; i++ {
		b := netip.MustParseAddr("fd00:1::").As16()
		b[15] = byte(i)
		ula = append(ula, netip.AddrFrom16(b))
	}
	check("fd00:1::/120", ula)
	// Every IPv4 /12 network: internal ones stay in place (10/8 is external
	// with these networks), special ones too, the rest is permuted among
	// the external ones.
	seen := map[netip.Prefix]netip.Prefix{}
	for i := 0; i < 1<<12; i++ {
		pf := netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(i >> 4), byte(i << 4), 0, 0}), 12)
		q := p.Prefix(pf)
		if q.Bits() != 12 || q.Masked() != q {
			t.Fatalf("Prefix(%s) = %s", pf, q)
		}
		if prev, ok := seen[q]; ok {
			t.Fatalf("Prefix: %s and %s → %s", prev, pf, q)
		}
		seen[q] = pf
		if classAt(nets, pf) != classAt(nets, q) {
			t.Fatalf("Prefix(%s) = %s: class changed", pf, q)
		}
	}
	// Internal /24s of 100.64/10: a permutation of the 2^14 networks.
	in := map[netip.Prefix]bool{}
	for i := 0; i < 1<<14; i++ {
		pf := netip.PrefixFrom(netip.AddrFrom4([4]byte{100, 64 | byte(i>>8), byte(i), 0}), 24)
		q := p.Prefix(pf)
		if !netip.MustParsePrefix("100.64.0.0/10").Contains(q.Addr()) || in[q] {
			t.Fatalf("Prefix(%s) = %s", pf, q)
		}
		in[q] = true
	}
}

func TestPseudonymizeID(t *testing.T) {
	p := newPseudo(t, testKey, nil)
	f := func(in, shape string) {
		t.Helper()
		got := p.ID(in)
		if !matchShape(got, shape) {
			t.Errorf("ID(%q) = %q, want shape %q", in, got, shape)
		}
		if shape != "=" && got == in {
			t.Errorf("ID(%q) unchanged", in)
		}
		if again := p.ID(in); again != got {
			t.Errorf("ID(%q) unstable: %q then %q", in, got, again)
		}
	}
	f("eni-0a1b2c3d4e5f67890", "eni-h17")
	f("eni-1234abcd", "eni-h8")
	f("subnet-0123456789abcdef0", "subnet-h17")
	f("vpc-0123456789abcdef0", "vpc-h17")
	f("i-0123456789abcdef0", "i-h17")
	f("tgw-attach-0123456789abcdef0", "tgw-attach-h17")
	f("123456789012", "d12")
	f("000000000001", "d12")
	f("web-03", "anon-h16") // not an AWS ID: names are hashed
	f("prod-payments-db-deadbeef", "anon-h16")
	f("vpce-svc-0123456789abcdef0", "vpce-svc-h17")
	f("arn:aws:ecs:us-east-1:123456789012:task/x", "anon-h16")
	f("Eni-0ABC", "anon-h16")
	f("unknown", "=")
	f("", "=")
	f("-", "=")
	if p.ID("eni-0a1b2c3d4e5f67890") == p.ID("vpc-0a1b2c3d4e5f67890")[len("vpc-"):] {
		t.Error("prefixes share a permutation")
	}
	// Exhaustive bijectivity on small domains.
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		s := p.ID(fmt.Sprintf("%03d", i))
		if len(s) != 3 || seen[s] {
			t.Fatalf("ID(%03d) = %q (dup %v)", i, s, seen[s])
		}
		seen[s] = true
	}
	seen = map[string]bool{}
	for i := 0; i < 4096; i++ {
		s := p.s.mapDigits("sg-", fmt.Sprintf("%03x", i), 16)
		if !matchShape(s, "h3") || seen[s] {
			t.Fatalf("mapDigits(sg-%03x) = %q", i, s)
		}
		seen[s] = true
	}
	var nilP *Pseudonymizer
	if nilP.ID("eni-1234abcd") != "eni-1234abcd" || nilP.Addr(netip.MustParseAddr("10.0.0.1")).String() != "10.0.0.1" {
		t.Error("a nil pseudonymizer changed its input")
	}
}

// matchShape: "=" (unchanged), "d12" (12 digits), "eni-h17" (prefix and 17
// lower-case hex digits).
func matchShape(s, shape string) bool {
	if shape == "=" {
		return true
	}
	prefix := ""
	if i := strings.LastIndexByte(shape, '-'); i >= 0 {
		prefix, shape = shape[:i+1], shape[i+1:]
	}
	if !strings.HasPrefix(s, prefix) {
		return false
	}
	body := s[len(prefix):]
	var n int
	fmt.Sscanf(shape[1:], "%d", &n)
	alphabet := "0123456789abcdef"
	if shape[0] == 'd' {
		alphabet = "0123456789"
	}
	return len(body) == n && strings.Trim(body, alphabet) == ""
}

func TestPseudonymizerKeyNeverPrinted(t *testing.T) {
	key := []byte("\x01\x02SECRET-KEY-MATERIAL\xfe\xff-xyz")
	p := newPseudo(t, key, nil)
	p.Addr(netip.MustParseAddr("10.0.0.1")) // fill the caches
	p.ID("eni-0123abcd")
	type holder struct {
		P    *Pseudonymizer
		V    Pseudonymizer
		p    *Pseudonymizer
		v    Pseudonymizer
		Name string
	}
	h := holder{P: p, V: *p, p: p, v: *p, Name: "h"}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%x", "%X", "%q", "%d"} {
		outs = append(outs, fmt.Sprintf(verb, p), fmt.Sprintf(verb, *p), fmt.Sprintf(verb, h), fmt.Sprintf(verb, &h))
	}
	outs = append(outs, fmt.Sprint(p), fmt.Sprintln(*p), p.String(), p.GoString())
	for _, v := range []any{p, *p, h, &h} {
		j, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, string(j))
	}
	secrets := [][]byte{key, p.s.root[:], p.s.derive("addr|false|32|external|0.0")}
	for _, s := range secrets {
		needles := []string{string(s), hex.EncodeToString(s), strings.ToUpper(hex.EncodeToString(s)),
			base64.StdEncoding.EncodeToString(s), strings.Trim(fmt.Sprint(s[:6]), "[]"), "SECRET", fmt.Sprintf("%q", s)[1:8]}
		for _, out := range outs {
			for _, n := range needles {
				if strings.Contains(out, n) {
					t.Fatalf("output %q reveals key material %q", out, n)
				}
			}
		}
	}
	if !strings.Contains(fmt.Sprintf("%+v", p), "REDACTED") {
		t.Errorf("%%+v = %q", fmt.Sprintf("%+v", p))
	}
}

func TestPseudonymizerKeys(t *testing.T) {
	if _, err := NewPseudonymizer([]byte("short"), nil); err == nil || !strings.Contains(err.Error(), "at least 16") {
		t.Errorf("short key: %v", err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	os.WriteFile(path, append(append([]byte(nil), testKey...), '\r', '\n'), 0o600)
	k, err := ReadKeyFile(path)
	if err != nil || string(k) != string(testKey) {
		t.Fatalf("ReadKeyFile = %q, %v", k, err)
	}
	os.WriteFile(path, []byte("tiny-secret\n"), 0o600)
	if _, err := ReadKeyFile(path); err == nil || strings.Contains(err.Error(), "tiny-secret") || !strings.Contains(err.Error(), path) {
		t.Errorf("short key file: %v", err)
	}
	if _, err := ReadKeyFile(filepath.Join(dir, "none")); err == nil {
		t.Error("missing key file: no error")
	}
	t.Setenv("FLOWLENS_TEST_KEY", "short-secret")
	if _, err := KeyFromEnv("FLOWLENS_TEST_KEY"); err == nil || strings.Contains(err.Error(), "short-secret") {
		t.Errorf("short env key: %v", err)
	}
	t.Setenv("FLOWLENS_TEST_KEY", string(testKey))
	if k, err := KeyFromEnv("FLOWLENS_TEST_KEY"); err != nil || string(k) != string(testKey) {
		t.Errorf("KeyFromEnv = %q, %v", k, err)
	}
	if _, err := KeyFromEnv("FLOWLENS_TEST_KEY_UNSET_XYZ"); err == nil || !strings.Contains(err.Error(), "is not set") {
		t.Errorf("unset env key: %v", err)
	}
}

func TestPseudonymizeCustomInternal(t *testing.T) {
	// A public range declared internal stays inside itself, and no
	// external address lands in it.
	nets, err := ParseNetworks([]string{"default", "198.51.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	p := newPseudo(t, testKey, nets)
	inside := netip.MustParsePrefix("198.51.0.0/16")
	rng := rand.New(rand.NewPCG(9, 9))
	for i := 0; i < 20_000; i++ {
		a := netip.AddrFrom4([4]byte{byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32()), byte(rng.Uint32())})
		if i%4 == 0 {
			a = netip.AddrFrom4([4]byte{198, 51, byte(rng.Uint32()), byte(rng.Uint32())})
		}
		b := p.Addr(a)
		if inside.Contains(a) != inside.Contains(b) || nets.IsInternal(a) != nets.IsInternal(b) {
			t.Fatalf("%s → %s crosses the internal boundary", a, b)
		}
	}
}

func TestPseudonymizerConcurrent(t *testing.T) {
	p := newPseudo(t, testKey, nil)
	ref := newPseudo(t, testKey, nil)
	rng := rand.New(rand.NewPCG(11, 12))
	addrs := make([]netip.Addr, 2000)
	for i := range addrs {
		addrs[i] = randAddr(rng)
	}
	done := make(chan error)
	for w := 0; w < 4; w++ {
		go func(w int) {
			for i := range addrs {
				a := addrs[(i+w*500)%len(addrs)]
				if got, want := p.Addr(a), ref.Addr(a); got != want {
					done <- fmt.Errorf("worker %d: %s → %s, want %s", w, a, got, want)
					return
				}
				if got, want := p.Prefix(netip.PrefixFrom(a, 20).Masked()), ref.Prefix(netip.PrefixFrom(a, 20).Masked()); a.Is4() && got != want {
					done <- fmt.Errorf("worker %d: prefix of %s → %s, want %s", w, a, got, want)
					return
				}
			}
			done <- nil
		}(w)
	}
	for w := 0; w < 4; w++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
