package enrich

import (
	"net/netip"
	"strings"
	"testing"
)

func TestNetworks(t *testing.T) {
	var def *Networks // nil is the default set
	f := func(n *Networks, addr string, want bool) {
		t.Helper()
		if got := n.IsInternal(netip.MustParseAddr(addr)); got != want {
			t.Errorf("IsInternal(%s) = %v with %v, want %v", addr, got, n, want)
		}
	}
	for _, a := range []string{"10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1",
		"100.64.0.1", "100.127.255.255", "fc00::1", "fdff::1", "::ffff:10.1.2.3"} {
		f(def, a, true)
	}
	for _, a := range []string{"9.255.255.255", "11.0.0.0", "172.15.255.255", "172.32.0.0", "192.169.0.0",
		"100.63.255.255", "100.128.0.0", "8.8.8.8", "fe00::1", "2600::1", "169.254.169.254"} {
		f(def, a, false)
	}
	n, err := ParseNetworks([]string{"default, 203.0.113.0/24", "2600:1f18::/40", "10.1.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	f(n, "203.0.113.9", true)
	f(n, "2600:1f18:ff::1", true)
	f(n, "10.9.9.9", true)
	f(n, "8.8.8.8", false)
	if p, ok := n.Network(netip.MustParseAddr("10.1.2.3")); !ok || p.String() != "10.0.0.0/8" {
		t.Errorf("Network(10.1.2.3) = %v %v, want the outermost 10.0.0.0/8", p, ok)
	}
	if got := n.String(); got != "10.0.0.0/8,10.1.0.0/16,100.64.0.0/10,172.16.0.0/12,192.168.0.0/16,203.0.113.0/24,2600:1f18::/40,fc00::/7" {
		t.Errorf("String = %s", got)
	}
	none, err := NewNetworks(nil)
	if err != nil {
		t.Fatal(err)
	}
	f(none, "10.0.0.1", false)
	for _, bad := range []string{"10.0.0.1/8", "nonsense", "10.0.0.0/40"} {
		if _, err := ParseNetworks([]string{bad}); err == nil || !strings.Contains(err.Error(), "internal networks") {
			t.Errorf("ParseNetworks(%q) = %v", bad, err)
		}
	}
	if got := len(DefaultInternal()); got != 5 {
		t.Errorf("DefaultInternal has %d networks", got)
	}
}
