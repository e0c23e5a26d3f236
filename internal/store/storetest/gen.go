package storetest

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// GenConfig configures Generate.
type GenConfig struct {
	Seed  uint64
	N     int
	Start time.Time     // first possible flow start
	Span  time.Duration // flows start in [Start, Start+Span)
	// V3 adds version 3-5 fields (vpc-id, subnet-id, tcp-flags, type,
	// pkt-srcaddr, pkt-dstaddr, flow-direction) to about half the records.
	V3 bool
	// NoStart leaves start and end absent in about 1% of the records.
	NoStart bool
}

// Generate returns deterministic, varied records: a few accounts and
// interfaces, internal and external IPv4 and IPv6 hosts, common and
// ephemeral ports, accepted and rejected flows, NODATA and SKIPDATA records
// (with their absent fields), and records over every hour of the span.
func Generate(cfg GenConfig) []flowlog.Record {
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x9e3779b97f4a7c15))
	if cfg.Span <= 0 {
		cfg.Span = time.Hour
	}
	internal := make([]netip.Addr, 40)
	for i := range internal {
		internal[i] = netip.AddrFrom4([4]byte{10, byte(i % 3), byte(i / 3), byte(10 + i)})
	}
	external := make([]netip.Addr, 60)
	for i := range external {
		if i%5 == 0 {
			external[i] = netip.MustParseAddr(fmt.Sprintf("2600:1f18:%x::%x", i, i*7+1))
		} else {
			external[i] = netip.AddrFrom4([4]byte{byte(52 + i%4), byte(i * 3), byte(i), byte(200 - i)})
		}
	}
	enis := make([]string, 8)
	for i := range enis {
		enis[i] = fmt.Sprintf("eni-%017x", 0xabc000+i)
	}
	accounts := []string{"123456789012", "210987654321", flowlog.UnknownAccount}
	ports := []uint16{443, 80, 22, 53, 3306, 5432, 8080, 123}
	out := make([]flowlog.Record, cfg.N)
	for i := range out {
		r := &out[i]
		eni := rng.IntN(len(enis))
		set := func(id flowlog.FieldID) { r.Present.Add(id) }
		r.Version = 2
		set(flowlog.FieldVersion)
		r.AccountID = accounts[eni%len(accounts)]
		set(flowlog.FieldAccountID)
		r.InterfaceID = enis[eni]
		set(flowlog.FieldInterfaceID)
		start := cfg.Start.Unix() + rng.Int64N(int64(cfg.Span/time.Second))
		if !cfg.NoStart || rng.IntN(100) != 0 {
			r.Start, r.End = start, start+rng.Int64N(600)
			set(flowlog.FieldStart)
			set(flowlog.FieldEnd)
		}
		status := flowlog.StatusOK
		switch rng.IntN(50) {
		case 0:
			status = flowlog.StatusNoData
		case 1:
			status = flowlog.StatusSkipData
		}
		r.Status = status
		set(flowlog.FieldLogStatus)
		if status != flowlog.StatusOK {
			continue // NODATA and SKIPDATA records carry no traffic fields
		}
		in, ext := internal[rng.IntN(len(internal))], external[rng.IntN(len(external))]
		if ext.Is6() {
			in = netip.MustParseAddr(fmt.Sprintf("2600:1f18:aaaa::%x", rng.IntN(8)+1))
		}
		port := ports[rng.IntN(len(ports))]
		eph := uint16(32768 + rng.IntN(28000))
		if rng.IntN(2) == 0 { // outbound
			r.SrcAddr, r.DstAddr, r.SrcPort, r.DstPort = in, ext, eph, port
		} else {
			r.SrcAddr, r.DstAddr, r.SrcPort, r.DstPort = ext, in, eph, port
		}
		set(flowlog.FieldSrcAddr)
		set(flowlog.FieldDstAddr)
		r.Protocol = 6
		switch {
		case port == 53 || port == 123:
			r.Protocol = 17
		case rng.IntN(40) == 0:
			r.Protocol, r.SrcPort, r.DstPort = 1, 0, 0
		}
		set(flowlog.FieldProtocol)
		set(flowlog.FieldSrcPort)
		set(flowlog.FieldDstPort)
		r.Packets = uint64(1 + rng.IntN(100))
		r.Bytes = r.Packets * uint64(40+rng.IntN(1400))
		set(flowlog.FieldPackets)
		set(flowlog.FieldBytes)
		r.Action = flowlog.ActionAccept
		if rng.IntN(5) == 0 {
			r.Action = flowlog.ActionReject
		}
		set(flowlog.FieldAction)
		if cfg.V3 && rng.IntN(2) == 0 {
			r.Version = 5
			r.VPCID = fmt.Sprintf("vpc-%08x", eni%2)
			r.SubnetID = fmt.Sprintf("subnet-%08x", eni%4)
			r.TCPFlags = flowlog.TCPFlags(rng.IntN(64))
			r.Type = flowlog.TypeIPv4
			if r.SrcAddr.Is6() {
				r.Type = flowlog.TypeIPv6
			}
			r.PktSrcAddr, r.PktDstAddr = r.SrcAddr, r.DstAddr
			r.Direction = flowlog.DirectionIngress
			if r.SrcAddr == in {
				r.Direction = flowlog.DirectionEgress
			}
			for _, id := range []flowlog.FieldID{flowlog.FieldVPCID, flowlog.FieldSubnetID, flowlog.FieldTCPFlags,
				flowlog.FieldType, flowlog.FieldPktSrcAddr, flowlog.FieldPktDstAddr, flowlog.FieldFlowDirection} {
				set(id)
			}
		}
	}
	return out
}
