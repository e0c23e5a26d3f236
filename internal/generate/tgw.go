package generate

import (
	"fmt"
	"net/netip"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// attachment is one Transit Gateway attachment: a VPC (with one attachment
// ENI per AZ) or a site-to-site VPN to on-premises networks.
type attachment struct {
	ID, Kind, Name, Account string
	vpc                     *vpcInfo // nil for a VPN attachment
	subnets                 [3]*subnet
	enis                    [3]string
	cidrs                   []netip.Prefix
}

type tgwHost struct {
	addr netip.Addr
	az   uint8
}

type tgwTopo struct {
	ID          string
	attachments []*attachment // prod, shared-services, dev, on-premises VPN
	hosts       [][]tgwHost   // per attachment
}

const (
	attProd = iota
	attShared
	attDev
	attVPN
)

// TransitGateway is the ground truth of Transit Gateway flow logs.
type TransitGateway struct {
	ID          string          `json:"id"`
	Account     string          `json:"account"`
	Attachments []TGWAttachment `json:"attachments"`
}

// TGWAttachment is one attachment of the transit gateway.
type TGWAttachment struct {
	ID        string         `json:"id"`
	Type      string         `json:"type"` // vpc or vpn
	Name      string         `json:"name"`
	Account   string         `json:"account"`
	VPCID     string         `json:"vpc_id,omitempty"`
	SubnetIDs []string       `json:"subnet_ids,omitempty"` // one per AZ
	ENIs      []string       `json:"enis,omitempty"`       // attachment ENIs, same order
	CIDRs     []netip.Prefix `json:"cidrs"`                // VPC CIDR or on-premises prefixes
	Hosts     []netip.Addr   `json:"hosts"`                // addresses that talk through it
}

func (t *tgwTopo) inventory() *TransitGateway {
	out := &TransitGateway{ID: t.ID}
	for i, a := range t.attachments {
		x := TGWAttachment{ID: a.ID, Type: a.Kind, Name: a.Name, Account: a.Account, CIDRs: a.cidrs}
		if a.vpc != nil {
			x.VPCID = a.vpc.ID
			for az := range a.subnets {
				x.SubnetIDs = append(x.SubnetIDs, a.subnets[az].ID)
				x.ENIs = append(x.ENIs, a.enis[az])
			}
		}
		for _, h := range t.hosts[i] {
			x.Hosts = append(x.Hosts, h.addr)
		}
		out.Attachments = append(out.Attachments, x)
	}
	return out
}

func (b *builder) account() string {
	return fmt.Sprintf("%012d", 100000000000+b.rng.Int64N(899999999999))
}

// spokeVPC adds a VPC 10.<octet>.0.0/16 with a private /20 and a /28
// attachment subnet per AZ.
func (b *builder) spokeVPC(name, account string, octet byte) (*vpcInfo, [3]*subnet, [3]*subnet) {
	t := b.t
	v := &vpcInfo{ID: b.awsID("vpc"), Name: name, Account: account, CIDR: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, octet, 0, 0}), 16)}
	t.vpcs = append(t.vpcs, v)
	var private, attach [3]*subnet
	for az := 0; az < 3; az++ {
		private[az] = b.newSubnet(v, name+"-private", "private", az, netip.AddrFrom4([4]byte{10, octet, byte(az * 16), 0}), 20)
	}
	for az := 0; az < 3; az++ {
		attach[az] = b.newSubnet(v, name+"-tgw", "tgw", az, netip.AddrFrom4([4]byte{10, octet, 240, byte(az * 16)}), 28)
	}
	return v, private, attach
}

func (b *builder) newSubnet(v *vpcInfo, name, tier string, az int, base netip.Addr, bits int) *subnet {
	s := &subnet{
		ID: b.awsID("subnet"), Name: fmt.Sprintf("%s-%c", name, 'a'+az), Tier: tier,
		AZ: fmt.Sprintf("%s%c", b.t.region, 'a'+az), AZID: fmt.Sprintf("%s-az%d", azIDPrefix(b.t.region), az+1),
		VPCID: v.ID, CIDR: netip.PrefixFrom(base, bits), used: map[uint64]bool{},
	}
	b.t.subnets = append(b.t.subnets, s)
	return s
}

func (b *builder) transitGateway() {
	t := b.t
	g := &tgwTopo{ID: b.awsID("tgw")}
	t.tgw = g
	newAtt := func(kind, name, account string, v *vpcInfo, subnets [3]*subnet) *attachment {
		a := &attachment{ID: b.awsID("tgw-attach"), Kind: kind, Name: name, Account: account, vpc: v, subnets: subnets}
		if v != nil {
			a.cidrs = []netip.Prefix{v.CIDR}
			for az := range a.enis {
				a.enis[az] = b.awsID("eni")
				b.host(subnets[az])
			}
		}
		g.attachments = append(g.attachments, a)
		return a
	}
	// prod: this VPC, attachment subnets 10.0.240.0/28 per AZ.
	var prodAttach [3]*subnet
	for az := 0; az < 3; az++ {
		prodAttach[az] = b.newSubnet(t.vpc, "prod-tgw", "tgw", az, netip.AddrFrom4([4]byte{10, 0, 240, byte(az * 16)}), 28)
	}
	newAtt("vpc", "prod", t.account, t.vpc, prodAttach)
	var hosts []tgwHost
	for _, r := range []role{roleWeb, roleApp, roleWorker, roleDB} {
		for _, e := range t.byRole[r] {
			hosts = append(hosts, tgwHost{e.v4, e.subnet.AZ[len(e.subnet.AZ)-1] - 'a'})
		}
	}
	g.hosts = append(g.hosts, hosts)
	for _, spoke := range []struct {
		name  string
		octet byte
		n     int
	}{{"shared-services", 1, 30}, {"dev", 2, 40}} {
		acct := b.account()
		v, private, attach := b.spokeVPC(spoke.name, acct, spoke.octet)
		newAtt("vpc", spoke.name, acct, v, attach)
		hosts = nil
		for i := 0; i < spoke.n; i++ {
			hosts = append(hosts, tgwHost{b.host(private[i%3]), uint8(i % 3)})
		}
		g.hosts = append(g.hosts, hosts)
	}
	vpn := newAtt("vpn", "on-premises", t.account, nil, [3]*subnet{})
	vpn.cidrs = []netip.Prefix{netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("172.20.0.0/16")}
	hosts = nil
	for i := 0; i < 50; i++ {
		p := vpn.cidrs[i%2]
		a := p.Addr().As4()
		a[2], a[3] = byte(b.rng.IntN(256)), byte(1+b.rng.IntN(254))
		hosts = append(hosts, tgwHost{addr: netip.AddrFrom4(a)})
	}
	g.hosts = append(g.hosts, hosts)
}

var tgwWeights = [...]struct {
	p pattern
	w int
}{{patTGWApp, 60}, {patTGWOnPrem, 30}, {patTGWDrop, 2}, {patTGWNoData, 3}}

var tgwTable = newPatternTable(tgwWeights[:])

var (
	sharedPorts = [...]uint16{443, 443, 443, 636, 9200, 8080, 5432, 53}
	onPremPorts = [...]uint16{1433, 1521, 389, 443}
	toProdPorts = [...]uint16{443, 443, 8443, 22}
)

func (s *stream) hostOf(att int) tgwHost {
	return s.w.topo.tgw.hosts[att][s.z.tgwHosts[att].Uint64()]
}

func (s *stream) tgwConversation() {
	g := s.w.topo.tgw
	switch tgwTable[s.rng.IntN(len(tgwTable))] {
	case patTGWApp:
		from := attProd
		if s.rng.IntN(10) < 3 {
			from = attDev
		}
		port := sharedPorts[s.rng.IntN(len(sharedPorts))]
		s.tgwConv(patTGWApp, from, attShared, port)
	case patTGWOnPrem:
		if s.rng.IntN(10) < 6 {
			s.tgwConv(patTGWOnPrem, attVPN, attProd, toProdPorts[s.rng.IntN(len(toProdPorts))])
		} else {
			s.tgwConv(patTGWOnPrem, attProd, attVPN, onPremPorts[s.rng.IntN(len(onPremPorts))])
		}
	case patTGWDrop:
		// A flow to a prefix without a route, or to a decommissioned VPC
		// whose route is a blackhole: one ingress record, all packets lost.
		src := s.hostOf(attProd)
		c := conv{proto: 6, pattern: patTGWDrop, c: src.addr, cp: s.ephemeral(false), sp: 443}
		c.s = netip.AddrFrom4([4]byte{10, 9, byte(s.rng.IntN(256)), byte(1 + s.rng.IntN(254))})
		blackhole := s.rng.IntN(2) == 0
		if blackhole {
			c.s = netip.AddrFrom4([4]byte{10, 3, byte(s.rng.IntN(256)), byte(1 + s.rng.IntN(254))})
		}
		c.reqPk = uint64(1 + s.rng.IntN(6))
		c.reqBy = c.reqPk * 60
		c.reqFl = flowlog.FlagSYN
		c.end, c.start = s.now, s.now-int64(s.rng.IntN(5))
		p := s.rec(nil, &c, true, flowlog.DirectionIngress)
		p.att, p.srcA, p.azS = g.attachments[attProd], g.attachments[attProd], src.az
		if blackhole {
			p.lostBlackhole = c.reqPk
		} else {
			p.lostNoRoute = c.reqPk
		}
	case patTGWNoData:
		p := s.push()
		p.att, p.status, p.pattern, p.action = g.attachments[s.rng.IntN(len(g.attachments))], flowlog.StatusNoData, patTGWNoData, 0
		p.end = s.now
		p.start = p.end - s.w.plan.interval + int64(1+s.rng.IntN(3))
	}
}

// tgwConv adds a conversation from a host behind attachment a to a host
// behind attachment b: the request enters the transit gateway at a
// (ingress) and leaves at b (egress), the response the other way round.
func (s *stream) tgwConv(pat pattern, a, b int, port uint16) {
	g := s.w.topo.tgw
	ha, hb := s.hostOf(a), s.hostOf(b)
	c := conv{proto: 6, pattern: pat, c: ha.addr, s: hb.addr, cp: s.ephemeral(a == attVPN && s.rng.IntN(2) == 0), sp: port}
	switch {
	case port == 53:
		s.udp(pat, &c, 60, 90, 90, 320)
	case a == attVPN || b == attVPN: // VPN tunnels: 1500 MTU minus overhead
		s.sizes(&c, 5, 2.5, 80, 700, 300, 1400)
		s.shape(&c)
	default: // VPC to VPC: 8500 MTU
		s.sizes(&c, 5, 2.5, 80, 700, 300, 8400)
		s.shape(&c)
	}
	A, B := g.attachments[a], g.attachments[b]
	mk := func(req bool, at, pair *attachment, dir flowlog.FlowDirection) *pend {
		p := s.rec(nil, &c, req, dir)
		p.att, p.pair = at, pair
		p.srcA, p.dstA, p.azS, p.azD = A, B, ha.az, hb.az
		if !req {
			p.srcA, p.dstA, p.azS, p.azD = B, A, hb.az, ha.az
		}
		return p
	}
	in := mk(true, A, B, flowlog.DirectionIngress)
	switch x := s.rng.IntN(1000); {
	case x < 8 && c.reqBy/c.reqPk > 8000: // jumbo frames to an 8500-byte MTU
		in.lostMTU = 1 + uint64(s.rng.IntN(3))
	case x < 10:
		in.lostTTL = 1
	}
	mk(true, B, A, flowlog.DirectionEgress)
	mk(false, B, A, flowlog.DirectionIngress)
	mk(false, A, B, flowlog.DirectionEgress)
}

var (
	setTGWBase = flowlog.SetOf(flowlog.FieldVersion, flowlog.FieldResourceType, flowlog.FieldAccountID,
		flowlog.FieldTGWID, flowlog.FieldTGWAttachmentID, flowlog.FieldStart, flowlog.FieldEnd,
		flowlog.FieldLogStatus, flowlog.FieldRegion)
	setTGWTraffic = flowlog.SetOf(flowlog.FieldSrcAddr, flowlog.FieldDstAddr, flowlog.FieldSrcPort,
		flowlog.FieldDstPort, flowlog.FieldProtocol, flowlog.FieldPackets, flowlog.FieldBytes,
		flowlog.FieldType, flowlog.FieldPktSrcAddr, flowlog.FieldPktDstAddr, flowlog.FieldPacketsLostNoRoute, flowlog.FieldPacketsLostBlackhole,
		flowlog.FieldPacketsLostMTUExceeded, flowlog.FieldPacketsLostTTLExpired, flowlog.FieldTCPFlags,
		flowlog.FieldFlowDirection)
	setTGWSrc = flowlog.SetOf(flowlog.FieldTGWSrcVPCAccountID, flowlog.FieldTGWSrcVPCID,
		flowlog.FieldTGWSrcSubnetID, flowlog.FieldTGWSrcENI, flowlog.FieldTGWSrcAZID)
	setTGWDst = flowlog.SetOf(flowlog.FieldTGWDstVPCAccountID, flowlog.FieldTGWDstVPCID,
		flowlog.FieldTGWDstSubnetID, flowlog.FieldTGWDstENI, flowlog.FieldTGWDstAZID)
	// setTGWTouched is every field fillTGW may write.
	setTGWTouched = union(union(setTGWBase, setTGWTraffic), union(union(setTGWSrc, setTGWDst),
		flowlog.SetOf(flowlog.FieldTGWPairAttachmentID, flowlog.FieldAction, flowlog.FieldEncryptionStatus)))
)

// fillTGW materialises a Transit Gateway record. Fields of a VPN side
// (no VPC, subnet or ENI) are absent, as are those of an unrouted
// destination. Only fields of the format are set.
func (w *world) fillTGW(r *flowlog.Record, p *pend) {
	g := w.topo.tgw
	ps := setTGWBase
	r.Version, r.ResourceType, r.AccountID = w.version, "TransitGatewayAttachment", w.topo.account
	r.TGWID, r.TGWAttachmentID, r.Region = g.ID, p.att.ID, w.topo.region
	r.Start, r.End, r.Status = p.start, p.end, p.status
	if p.status == flowlog.StatusOK {
		ps = union(ps, setTGWTraffic)
		w.fillTraffic(r, p)
		r.PacketsLostNoRoute, r.PacketsLostBlackhole = p.lostNoRoute, p.lostBlackhole
		r.PacketsLostMTUExceeded, r.PacketsLostTTLExpired = p.lostMTU, p.lostTTL
		if p.pair != nil {
			r.TGWPairAttachmentID = p.pair.ID
			ps.Add(flowlog.FieldTGWPairAttachmentID)
		}
		if a := p.srcA; a != nil && a.vpc != nil {
			r.TGWSrcVPCAccountID, r.TGWSrcVPCID = a.Account, a.vpc.ID
			r.TGWSrcSubnetID, r.TGWSrcENI, r.TGWSrcAZID = a.subnets[p.azS].ID, a.enis[p.azS], a.subnets[p.azS].AZID
			ps = union(ps, setTGWSrc)
		}
		if a := p.dstA; a != nil && a.vpc != nil {
			r.TGWDstVPCAccountID, r.TGWDstVPCID = a.Account, a.vpc.ID
			r.TGWDstSubnetID, r.TGWDstENI, r.TGWDstAZID = a.subnets[p.azD].ID, a.enis[p.azD], a.subnets[p.azD].AZID
			ps = union(ps, setTGWDst)
		}
	}
	r.Present = flowlog.FieldSet{ps[0] & w.fset[0], ps[1] & w.fset[1]}
	clearAbsent(r, setTGWTouched)
}
