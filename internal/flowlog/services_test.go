package flowlog

import (
	"slices"
	"testing"
)

func TestServiceName(t *testing.T) {
	f := func(port uint16, proto uint8, want string) {
		t.Helper()
		if got := ServiceName(port, proto); got != want {
			t.Errorf("ServiceName(%d, %d) = %q, want %q", port, proto, got, want)
		}
	}
	f(443, 6, "https")
	f(443, 17, "quic")
	f(53, 17, "dns")
	f(53, 6, "dns")
	f(123, 17, "ntp")
	f(123, 6, "")
	f(22, 6, "ssh")
	f(3389, 6, "rdp")
	f(5432, 6, "postgresql")
	f(27017, 6, "mongodb")
	f(11211, 6, "memcached")
	f(2049, 6, "nfs")
	f(5439, 6, "redshift")
	f(443, 1, "") // ICMP has no ports
	f(443, 132, "https")
	f(123, 136, "ntp")
	f(40000, 6, "")
	if n := len(services); n < 40 {
		t.Errorf("only %d services", n)
	}
}

func TestServicePorts(t *testing.T) {
	for _, proto := range []uint8{ProtoTCP, ProtoUDP, ProtoSCTP, ProtoUDPLite} {
		ports := ServicePorts(proto)
		if len(ports) < 20 || !slices.IsSorted(ports) {
			t.Errorf("protocol %d: %d ports, sorted %v", proto, len(ports), slices.IsSorted(ports))
		}
		for _, p := range ports {
			if ServiceName(p, proto) == "" {
				t.Errorf("protocol %d: port %d listed without a name", proto, p)
			}
		}
		n := 0
		for p := 0; p < 1<<16; p++ {
			if ServiceName(uint16(p), proto) != "" {
				n++
			}
		}
		if n != len(ports) {
			t.Errorf("protocol %d: %d named ports, %d listed", proto, n, len(ports))
		}
	}
	if ServicePorts(1) != nil {
		t.Error("ICMP has service ports")
	}
}

func TestServiceSide(t *testing.T) {
	const eph = 32768
	tests := []struct {
		name         string
		proto        uint8
		sp, dp       uint16
		hasS, hasD   bool
		side         Side
		port         uint16
		srcServ, dst bool
	}{
		{"client to https", 6, 51000, 443, true, true, SideDst, 443, false, true},
		{"https answers", 6, 443, 51000, true, true, SideSrc, 443, true, false},
		{"both ephemeral", 6, 40000, 50000, true, true, SideNone, 0, false, false},
		{"known wins over lower", 6, 1024, 5432, true, true, SideDst, 5432, false, true},
		{"known wins over lower, reversed", 6, 5432, 1024, true, true, SideSrc, 5432, true, false},
		{"both known: lower", 6, 443, 8080, true, true, SideSrc, 443, true, false},
		{"neither known: lower", 6, 2000, 1500, true, true, SideDst, 1500, false, true},
		{"same port", 17, 123, 123, true, true, SideBoth, 123, true, true},
		{"no source port", 6, 0, 22, false, true, SideDst, 22, false, true},
		{"no destination port", 6, 22, 0, true, false, SideSrc, 22, true, false},
		{"no ports", 6, 0, 0, false, false, SideNone, 0, false, false},
		{"icmp", 1, 0, 0, true, true, SideNone, 0, false, false},
		{"sctp uses tcp names", 132, 1024, 443, true, true, SideDst, 443, false, true},
		{"udp name differs from tcp", 17, 1024, 123, true, true, SideDst, 123, false, true},
		{"tcp 123 unknown: lower", 6, 1024, 123, true, true, SideDst, 123, false, true},
		{"tcp 123 unknown, other side lower", 6, 100, 123, true, true, SideSrc, 100, true, false},
		{"ephemeral boundary", 6, eph - 1, eph, true, true, SideSrc, eph - 1, true, false},
	}
	for _, tt := range tests {
		side, port := ServiceSide(tt.proto, tt.sp, tt.dp, tt.hasS, tt.hasD, eph)
		if side != tt.side || port != tt.port {
			t.Errorf("%s: got side %d port %d, want %d %d", tt.name, side, port, tt.side, tt.port)
		}
		if side.Serves(true) != tt.srcServ || side.Serves(false) != tt.dst {
			t.Errorf("%s: serves src %v dst %v", tt.name, side.Serves(true), side.Serves(false))
		}
	}
}
