package enrich

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/generate"
)

func testInventory(t testing.TB) *generate.Inventory {
	t.Helper()
	cfg := generate.DefaultConfiguration()
	cfg.Records = 10
	g, err := generate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return g.Inventory()
}

func TestFromInventory(t *testing.T) {
	inv := testInventory(t)
	a, err := FromInventory(inv)
	if err != nil {
		t.Fatal(err)
	}
	sn, err := SubnetsFromInventory(inv)
	if err != nil {
		t.Fatal(err)
	}
	if sn.Len() != len(inv.Subnets) {
		t.Errorf("%d subnets, want %d", sn.Len(), len(inv.Subnets))
	}
	checked := 0
	for _, e := range inv.ENIs {
		for _, ip := range append(append([]netip.Addr(nil), e.PrivateIPs...), e.IPv6Addresses...) {
			got, ok := a.Lookup(ip)
			if !ok || got.Name != e.Name+" ("+e.ID+")" || got.Kind != e.Role {
				t.Fatalf("Lookup(%s) = %+v, want %q (%s)", ip, got, e.Name+" ("+e.ID+")", e.Role)
			}
			s, ok := sn.Lookup(ip)
			if !ok || s.ID != e.SubnetID || s.VPCID != e.VPCID || s.AZID != e.AZID {
				t.Fatalf("subnet of %s = %+v, want %s", ip, s, e.SubnetID)
			}
			checked++
		}
		if e.PublicIP.IsValid() {
			if got, _ := a.Lookup(e.PublicIP); !strings.Contains(got.Name, "public ("+e.ID+")") {
				t.Fatalf("public %s = %q", e.PublicIP, got.Name)
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d addresses checked", checked)
	}
	if _, ok := a.Lookup(netip.MustParseAddr("8.8.8.8")); ok {
		t.Error("8.8.8.8 has an inventory alias")
	}
	if _, err := FromInventory(nil); err == nil {
		t.Error("nil inventory: no error")
	}
}

func TestNewSubnetsErrors(t *testing.T) {
	p := netip.MustParsePrefix("10.0.0.0/24")
	if _, err := NewSubnets([]Subnet{{ID: "subnet-a", Prefixes: []netip.Prefix{p}}, {ID: "subnet-b", Prefixes: []netip.Prefix{p}}}); err == nil ||
		!strings.Contains(err.Error(), "10.0.0.0/24 is the CIDR of both subnet-a and subnet-b") {
		t.Errorf("duplicate CIDR: %v", err)
	}
	if _, err := NewSubnets([]Subnet{{ID: "subnet-a"}, {ID: "subnet-a"}}); err == nil || !strings.Contains(err.Error(), "subnet-a is given twice") {
		t.Errorf("duplicate id: %v", err)
	}
	s, err := NewSubnets([]Subnet{{ID: "subnet-a", Name: "a", Prefixes: []netip.Prefix{p}}})
	if err != nil {
		t.Fatal(err)
	}
	if got, ok := s.ByID("subnet-a"); !ok || got.Name != "a" {
		t.Errorf("ByID = %+v %v", got, ok)
	}
	if _, ok := s.ByID("subnet-b"); ok {
		t.Error("ByID found an unknown subnet")
	}
	if _, err := NewSubnets([]Subnet{{Prefixes: []netip.Prefix{p}}}); err == nil {
		t.Error("subnet without id: no error")
	}
	var none *Subnets
	if _, ok := none.Lookup(netip.MustParseAddr("10.0.0.1")); ok {
		t.Error("nil Subnets found a subnet")
	}
}
