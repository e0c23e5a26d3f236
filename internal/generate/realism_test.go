package generate

import (
	"net/netip"
	"sort"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

func share(n, total int64) float64 { return float64(n) / float64(total) }

// TestDistribution checks the traffic mix against the documented model,
// with tolerances.
func TestDistribution(t *testing.T) {
	cfg := DefaultConfiguration()
	cfg.Records, cfg.Duration = 200000, 6*time.Hour
	cfg.Format = allVPCFieldsFormat()
	var total, ok, reject, rejectInternet, v6, noData, skipData, egress, ingress int64
	bytesBySrc := map[netip.Addr]uint64{}
	var allBytes uint64
	scanPorts := map[uint16]int{}
	vpc6 := netip.MustParsePrefix("2600:1f18::/32") // AWS space of the VPC's IPv6 /56
	inv := each(t, cfg, func(i int, r *flowlog.Record) {
		total++
		switch r.Status {
		case flowlog.StatusNoData:
			noData++
			return
		case flowlog.StatusSkipData:
			skipData++
			return
		}
		ok++
		if r.SrcAddr.Is6() {
			v6++
		}
		if r.Action == flowlog.ActionReject {
			reject++
			if !r.SrcAddr.IsPrivate() && !vpc6.Contains(r.SrcAddr) {
				rejectInternet++
				scanPorts[r.DstPort]++
			}
		}
		bytesBySrc[r.SrcAddr] += r.Bytes
		allBytes += r.Bytes
		if r.Direction == flowlog.DirectionEgress {
			egress++
		} else {
			ingress++
		}
	})
	if !inv.VPCs[0].IPv6CIDR.Overlaps(vpc6) {
		t.Fatalf("VPC IPv6 CIDR %s outside %s", inv.VPCs[0].IPv6CIDR, vpc6)
	}
	inRange := func(name string, v, lo, hi float64) {
		t.Helper()
		if v < lo || v > hi {
			t.Errorf("%s = %.2f%%, want %.0f%%–%.0f%%", name, 100*v, 100*lo, 100*hi)
		} else {
			t.Logf("%s = %.2f%%", name, 100*v)
		}
	}
	inRange("REJECT share", share(reject, total), 0.03, 0.08)
	inRange("REJECT from the internet", share(rejectInternet, reject), 0.75, 0.99)
	inRange("IPv6 share", share(v6, total), 0.04, 0.12)
	inRange("NODATA share", share(noData, total), 0.002, 0.02)
	inRange("SKIPDATA share", share(skipData, total), 0.00001, 0.002)
	// Records are ingress/egress pairs, except scans and denials.
	inRange("egress share", share(egress, egress+ingress), 0.40, 0.50)
	for _, p := range []uint16{22, 3389, 23, 445} {
		if scanPorts[p] == 0 {
			t.Errorf("no rejected probe on port %d", p)
		}
	}
	// Zipf talkers: a few sources carry most bytes, with a long tail.
	vals := make([]uint64, 0, len(bytesBySrc))
	for _, b := range bytesBySrc {
		vals = append(vals, b)
	}
	sort.Slice(vals, func(i, j int) bool { return vals[i] > vals[j] })
	var top uint64
	for _, b := range vals[:10] {
		top += b
	}
	inRange("top 10 sources' share of bytes", float64(top)/float64(allBytes), 0.35, 0.95)
	if len(vals) < 1000 {
		t.Errorf("only %d distinct sources: no long tail", len(vals))
	}
}

// tcpFlagsAllowed are the tcp-flags values AWS reports: FIN, SYN, RST and
// SYN-ACK OR-ed over the capture window (ACK alone and PSH are not).
var tcpFlagsAllowed = map[flowlog.TCPFlags]bool{0: true, 1: true, 2: true, 3: true, 4: true, 5: true, 18: true, 19: true, 22: true, 23: true}

// TestRecordSemantics checks every field of every record of the full VPC
// format for internal consistency.
func TestRecordSemantics(t *testing.T) {
	cfg := smallConfig(100000)
	cfg.Format = allVPCFieldsFormat()
	g, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	inv := g.Inventory()
	enis := map[string]*ENI{}
	for i := range inv.ENIs {
		enis[inv.ENIs[i].ID] = &inv.ENIs[i]
	}
	services := map[string][]netip.Prefix{}
	for _, r := range inv.AWSRanges {
		services[r.Service] = append(services[r.Service], r.Prefix)
	}
	iv := int64(inv.AggregationInterval)
	fset := cfg.Format.Set()
	var natTranslated, nextHops, ecs, svc, paths int64
	var r flowlog.Record
	for i := 0; g.Next(&r); i++ {
		r := &r
		fail := func(msg string) { t.Helper(); t.Fatalf("record %d (%s): %s", i, cfg.Format.AppendLine(nil, r), msg) }
		if r.Present != (flowlog.FieldSet{r.Present[0] & fset[0], r.Present[1] & fset[1]}) {
			fail("a field outside the format is present")
		}
		e := enis[r.InterfaceID]
		if e == nil || r.AccountID != e.Account || r.SubnetID != e.SubnetID || r.VPCID != e.VPCID || r.AZID != e.AZID || r.Region != inv.Region {
			fail("interface metadata does not match the inventory")
		}
		if r.Has(flowlog.FieldInstanceID) != (e.InstanceID != "") || r.InstanceID != e.InstanceID {
			fail("instance-id does not match the inventory")
		}
		if r.Version != 11 || r.Start > r.End || r.End-r.Start >= iv {
			fail("bad version or capture window")
		}
		if r.Status != flowlog.StatusOK {
			if r.Has(flowlog.FieldSrcAddr) || r.Has(flowlog.FieldAction) || r.Has(flowlog.FieldPackets) || r.Has(flowlog.FieldFlowDirection) {
				fail("NODATA/SKIPDATA record with traffic fields")
			}
			continue
		}
		if r.Type == flowlog.TypeIPv6 != r.SrcAddr.Is6() || r.DstAddr.Is6() != r.SrcAddr.Is6() || r.PktSrcAddr.Is6() != r.SrcAddr.Is6() {
			fail("address families disagree with type")
		}
		if r.SrcAddr == r.DstAddr {
			fail("traffic to itself")
		}
		if !e.hasAddr(r.SrcAddr) && !e.hasAddr(r.DstAddr) {
			fail("neither address belongs to the interface")
		}
		if r.Direction == flowlog.DirectionEgress != e.hasAddr(r.SrcAddr) {
			fail("flow-direction disagrees with the interface address")
		}
		if r.Packets == 0 || r.Bytes < 40*r.Packets {
			fail("packets/bytes not realistic")
		}
		switch r.Protocol {
		case 6:
			if !tcpFlagsAllowed[r.TCPFlags] || r.SrcPort == 0 || r.DstPort == 0 {
				fail("TCP flags or ports not as AWS reports them")
			}
		case 17:
			if r.TCPFlags != 0 || r.SrcPort == 0 || r.DstPort == 0 {
				fail("UDP with flags or port 0")
			}
		case 1, 58:
			if r.TCPFlags != 0 || r.SrcPort != 0 || r.DstPort != 0 {
				fail("ICMP with ports or flags")
			}
		default:
			fail("unexpected protocol")
		}
		if r.Has(flowlog.FieldTrafficPath) {
			paths++
			if r.Direction != flowlog.DirectionEgress || r.TrafficPath < 1 || r.TrafficPath > 8 {
				fail("traffic-path on an ingress record or out of range")
			}
		} else if r.Direction == flowlog.DirectionEgress {
			fail("egress record without traffic-path")
		}
		if r.PktSrcAddr != r.SrcAddr || r.PktDstAddr != r.DstAddr {
			natTranslated++
			if e.Role != "nat-gateway" {
				fail("pkt-srcaddr/pkt-dstaddr differ on a non-NAT interface")
			}
		}
		if r.Has(flowlog.FieldResourceID) != (e.Role == "nat-gateway") || r.ResourceID != e.ResourceID && r.Has(flowlog.FieldResourceID) {
			fail("resource-id on a non-NAT record, or not the NAT gateway ID")
		}
		for _, x := range []struct {
			svc  string
			addr netip.Addr
		}{{r.PktSrcAWSService, r.PktSrcAddr}, {r.PktDstAWSService, r.PktDstAddr}} {
			if x.svc != "" {
				svc++
				if !inAny(x.addr, services[x.svc]) {
					fail("AWS service of an address outside the service's ranges")
				}
			}
		}
		if r.Has(flowlog.FieldNextHopInterfaceID) {
			nextHops++
			if h := enis[r.NextHopInterfaceID]; h == nil || h.SubnetID != r.NextHopSubnetID || r.Direction != flowlog.DirectionEgress {
				fail("next hop not an inventory ENI, or on ingress")
			}
		}
		if r.Has(flowlog.FieldECSTaskID) {
			ecs++
			if e.ECS == nil || e.ECS.TaskID != r.ECSTaskID {
				fail("ECS fields on a non-ECS interface")
			}
		}
		if r.EncryptionStatus > 3 {
			fail("bad encryption-status")
		}
	}
	if natTranslated == 0 || nextHops == 0 || ecs == 0 || svc == 0 || paths == 0 {
		t.Fatalf("missing features: %d NAT translations, %d next hops, %d ECS, %d AWS services, %d traffic paths", natTranslated, nextHops, ecs, svc, paths)
	}
}

func (e *ENI) hasAddr(a netip.Addr) bool {
	for _, x := range e.PrivateIPs {
		if x == a {
			return true
		}
	}
	for _, x := range e.IPv6Addresses {
		if x == a {
			return true
		}
	}
	return false
}

func TestTransitGatewayRecords(t *testing.T) {
	cfg := smallConfig(50000)
	cfg.Format = TransitGatewayFormat()
	recs, inv := collect(t, cfg)
	tg := inv.TransitGateway
	if tg == nil || len(tg.Attachments) != 4 || inv.Kind != "transit-gateway" {
		t.Fatalf("transit gateway inventory %+v", tg)
	}
	atts := map[string]TGWAttachment{}
	for _, a := range tg.Attachments {
		atts[a.ID] = a
	}
	var ok, lossless, noData int64
	var noRoute, blackhole uint64
	for i := range recs {
		r := &recs[i]
		a, found := atts[r.TGWAttachmentID]
		if !found || r.TGWID != tg.ID || r.ResourceType != "TransitGatewayAttachment" || r.Version != 6 || r.Has(flowlog.FieldInterfaceID) {
			t.Fatalf("record %d: bad transit gateway identity %+v", i, r)
		}
		if r.Status == flowlog.StatusNoData {
			noData++
			continue
		}
		ok++
		lost := r.PacketsLostNoRoute + r.PacketsLostBlackhole + r.PacketsLostMTUExceeded + r.PacketsLostTTLExpired
		if lost == 0 {
			lossless++
		}
		noRoute += min(r.PacketsLostNoRoute, 1)
		blackhole += min(r.PacketsLostBlackhole, 1)
		if r.PacketsLostNoRoute+r.PacketsLostBlackhole > 0 {
			if r.Has(flowlog.FieldTGWPairAttachmentID) || r.Direction != flowlog.DirectionIngress {
				t.Fatalf("record %d: a dropped flow has a pair attachment or is egress", i)
			}
			continue
		}
		pair, found := atts[r.TGWPairAttachmentID]
		if !found || pair.ID == a.ID {
			t.Fatalf("record %d: pair attachment %q", i, r.TGWPairAttachmentID)
		}
		// The source side is the logging attachment for ingress records.
		srcAtt := a
		if r.Direction == flowlog.DirectionEgress {
			srcAtt = pair
		}
		if srcAtt.Type == "vpc" && (r.TGWSrcVPCID != srcAtt.VPCID || !srcAtt.CIDRs[0].Contains(r.SrcAddr)) {
			t.Fatalf("record %d: source VPC %s / %s does not match attachment %s", i, r.TGWSrcVPCID, r.SrcAddr, srcAtt.Name)
		}
		if srcAtt.Type == "vpn" && (r.Has(flowlog.FieldTGWSrcVPCID) || !inAny(r.SrcAddr, srcAtt.CIDRs)) {
			t.Fatalf("record %d: VPN source %s", i, r.SrcAddr)
		}
	}
	if share(lossless, ok) < 0.95 || noRoute == 0 || blackhole == 0 || noData == 0 {
		t.Fatalf("%d/%d records without loss, %d no-route, %d blackhole, %d NODATA", lossless, ok, noRoute, blackhole, noData)
	}
}

func TestFormatVersions(t *testing.T) {
	f := func(format string, version uint8) {
		t.Helper()
		cfg := smallConfig(2000)
		cfg.Format = mustFormat(t, format)
		recs, _ := collect(t, cfg)
		for i := range recs {
			if recs[i].Has(flowlog.FieldVersion) && recs[i].Version != version {
				t.Fatalf("%s: version %d, want %d", format, recs[i].Version, version)
			}
			if got, want := len(cfg.Format.AppendLine(nil, &recs[i])), 0; got <= want {
				t.Fatal("empty line")
			}
		}
	}
	f("version srcaddr dstaddr", 2)
	f("version srcaddr tcp-flags", 3)
	f("version az-id srcaddr", 4)
	f("version flow-direction traffic-path", 5)
	f("version ecs-task-id srcaddr", 7)
	f("version reject-reason action", 8)
	f("version resource-id", 9)
	f("version encryption-status", 10)
	f("version interface-type", 11)
	f("version tgw-id srcaddr", 6)
	if !parse.DefaultFormat().IsDefault() {
		t.Fatal("default format")
	}
}
