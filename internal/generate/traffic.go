package generate

import (
	"github.com/flowlens/flowlens/internal/flowlog"
)

// pattern is a kind of conversation. Each conversation adds the records of
// every ENI it crosses, in both directions.
type pattern uint8

const (
	patWebInbound      pattern = iota // internet → ALB/NLB :443/:80 → web :8080
	patWebToApp                       // web → app :8443/:9000
	patAppToDB                        // app → database :5432/:3306
	patAppToCache                     // app → cache :6379
	patAppToEndpoint                  // app → interface VPC endpoint :443
	patNATEgress                      // instance → NAT gateway → internet :443/:80
	patGatewayEndpoint                // instance → S3/DynamoDB via gateway endpoint
	patIPv6Egress                     // instance → internet over IPv6 (egress-only IGW)
	patDNS                            // instance → DNS servers :53/udp
	patNTP                            // instance → NAT → NTP servers :123/udp
	patICMP                           // bastion → instances, ping
	patSSH                            // admin → bastion :22 → instances :22
	patReplication                    // database → database replication
	patScan                           // internet scanner → public ENIs, REJECT
	patInternalReject                 // instance → instance on a port security groups deny
	patICMPBlocked                    // internet ping whose reply a network ACL rejects
	patNoData                         // NODATA record
	patSkipData                       // SKIPDATA record
	patTGWApp                         // transit gateway: VPC ↔ VPC services
	patTGWOnPrem                      // transit gateway: VPC ↔ on-premises over VPN
	patTGWDrop                        // transit gateway: packets lost (no route, blackhole)
	patTGWNoData                      // transit gateway: NODATA
	numPatterns
)

var patternNames = [numPatterns]string{
	"web-inbound", "web-to-app", "app-to-db", "app-to-cache", "app-to-endpoint",
	"nat-egress", "gateway-endpoint", "ipv6-egress", "dns", "ntp", "icmp", "ssh",
	"replication", "scan", "internal-reject", "icmp-blocked", "nodata", "skipdata",
	"tgw-app", "tgw-onprem", "tgw-drop", "tgw-nodata",
}

// vpcWeights are the relative frequencies of conversations (not records).
// With the records each adds, they give about 5% REJECT records and 6%
// IPv6 records (see docs/GENERATE.md).
var vpcWeights = [...]struct {
	p pattern
	w int
}{
	{patWebInbound, 230}, {patWebToApp, 180}, {patAppToDB, 110}, {patAppToCache, 110},
	{patAppToEndpoint, 30}, {patNATEgress, 80}, {patGatewayEndpoint, 40}, {patIPv6Egress, 45},
	{patDNS, 90}, {patNTP, 10}, {patICMP, 15}, {patSSH, 5}, {patReplication, 5},
	{patScan, 60}, {patInternalReject, 12}, {patICMPBlocked, 3}, {patNoData, 30}, {patSkipData, 1},
}

// patternTable maps a uniform draw in [0, 1024) to a pattern.
type patternTable [1024]pattern

func newPatternTable(ws []struct {
	p pattern
	w int
}) *patternTable {
	var total int
	for _, x := range ws {
		total += x.w
	}
	t := new(patternTable)
	i, acc := 0, 0
	for _, x := range ws {
		acc += x.w
		for end := acc * len(t) / total; i < end; i++ {
			t[i] = x.p
		}
	}
	return t
}

var vpcTable = newPatternTable(vpcWeights[:])

var scanPorts = [...]uint16{22, 23, 3389, 445, 1433, 3306, 5432, 6379, 5900, 9200, 27017, 21, 25, 135, 139, 2375, 8080, 8443, 7547, 5555}
var scanUDPPorts = [...]uint16{53, 123, 161, 1900, 11211, 5060}

func (s *stream) conversation() {
	switch vpcTable[s.rng.IntN(len(vpcTable))] {
	case patWebInbound:
		s.webInbound()
	case patWebToApp:
		w, a := s.pick(roleWeb), s.pick(roleApp)
		port := uint16(8443)
		if s.rng.IntN(10) < 3 {
			port = 9000
		}
		s.tcpInternal(patWebToApp, w, a, port, 4, 2, 100, 800, 400, 8000)
	case patAppToDB:
		a, d := s.pick(roleApp), s.pick(roleDB)
		s.tcpInternal(patAppToDB, a, d, d.dbPort, 5, 3, 80, 600, 200, 8500)
	case patAppToCache:
		s.tcpInternal(patAppToCache, s.pickAny(roleApp, roleApp, roleWorker), s.pick(roleCache), 6379, 3, 1, 60, 300, 60, 1500)
	case patAppToEndpoint:
		s.tcpInternal(patAppToEndpoint, s.pickAny(roleApp, roleWorker), s.pick(roleEndpoint), 443, 4, 1.5, 100, 900, 200, 1400)
	case patNATEgress:
		s.natEgress()
	case patGatewayEndpoint:
		s.gatewayEndpoint()
	case patIPv6Egress:
		s.ipv6Egress()
	case patDNS:
		s.dns()
	case patNTP:
		s.ntp()
	case patICMP:
		s.icmp()
	case patSSH:
		s.ssh()
	case patReplication:
		s.replication()
	case patScan:
		s.scan()
	case patInternalReject:
		s.internalReject()
	case patICMPBlocked:
		s.icmpBlocked()
	case patNoData:
		s.noData(flowlog.StatusNoData, patNoData)
	case patSkipData:
		s.noData(flowlog.StatusSkipData, patSkipData)
	}
}

// tcpInternal adds a TCP conversation between two ENIs of the VPC (four
// records). A few conversations between dual-stack ENIs use IPv6.
func (s *stream) tcpInternal(pat pattern, client, server *eni, port uint16, xm, ratio float64, reqLo, reqHi, rspLo, rspHi int) {
	c := conv{proto: 6, pattern: pat, c: client.v4, s: server.v4, cp: s.ephemeral(client.windows), sp: port}
	if client.v6.IsValid() && server.v6.IsValid() && s.rng.IntN(20) == 0 {
		c.c, c.s = client.v6, server.v6
	}
	s.sizes(&c, xm, ratio, reqLo, reqHi, rspLo, rspHi)
	s.shape(&c)
	c.enc = encryption(port, client.nitro && server.nitro)
	s.internal(client, server, &c)
}

// replication adds a replication stream between two databases of the same
// engine (the first half of the database ENIs run PostgreSQL, the rest
// MySQL).
func (s *stream) replication() {
	ds := s.w.topo.byRole[roleDB]
	half := (len(ds) + 1) / 2
	lo, hi := 0, half
	i := s.rng.IntN(len(ds))
	if i >= half {
		lo, hi = half, len(ds)
	}
	if hi-lo < 2 {
		s.tcpInternal(patAppToDB, s.pick(roleApp), ds[i], ds[i].dbPort, 5, 3, 80, 600, 200, 8500)
		return
	}
	j := lo + s.rng.IntN(hi-lo-1)
	if j >= i {
		j++
	}
	s.tcpInternal(patReplication, ds[i], ds[j], ds[j].dbPort, 400, 0.05, 8000, 8900, 52, 60)
}

func (s *stream) webInbound() {
	t := s.w.topo
	lb := s.pick(roleALB)
	nlb := s.rng.IntN(4) == 0
	if nlb {
		lb = s.pick(roleNLB)
	}
	c := conv{proto: 6, pattern: patWebInbound, sp: 443}
	if s.rng.IntN(10) == 0 {
		c.sp = 80
	}
	if lb.v6.IsValid() && s.rng.IntN(100) < 30 {
		c.c, c.cSvc = pickPool(&t.clients6, s.z.clients6)
		c.s = lb.v6
	} else {
		c.c, c.cSvc = pickPool(&t.clients4, s.z.clients4)
		c.s = lb.v4
	}
	c.cp = s.ephemeral(s.rng.IntN(10) < 6)
	s.sizes(&c, 6, 1.6, 60, 500, 900, 1440)
	s.shape(&c)
	c.enc = encryption(c.sp, false)
	s.side(lb, &c, false, nil, internetPath(lb, false))
	// Backend leg to a web server. An ALB proxies (new connection from its
	// private address); an NLB preserves the client address.
	web := s.pick(roleWeb)
	b := c
	b.sp, b.s = 8080, web.v4
	b.reqBy += b.reqPk * 30 // X-Forwarded-* headers
	b.enc = encryption(8080, false)
	if nlb {
		s.side(web, &b, false, lb, 1)
		return
	}
	b.c, b.cSvc = lb.v4, ""
	b.cp = uint16(1024 + s.rng.IntN(64512))
	s.internal(lb, web, &b)
}

// natEgress adds an instance's connection to the internet through the NAT
// gateway of its AZ: two records on the instance, four on the NAT ENI, where
// srcaddr/dstaddr show the hop and pkt-srcaddr/pkt-dstaddr the endpoints.
func (s *stream) natEgress() {
	t := s.w.topo
	inst := s.pickAny(roleApp, roleWorker, roleWorker, roleWeb)
	c := conv{proto: 6, pattern: patNATEgress, c: inst.v4, cp: s.ephemeral(inst.windows), sp: 443}
	if s.rng.IntN(10) == 0 {
		c.sp = 80
	}
	c.s, c.sSvc = pickPool(&t.egress4, s.z.egress4)
	s.sizes(&c, 5, 3, 80, 600, 600, 1440)
	s.shape(&c)
	c.enc = encryption(c.sp, false)
	s.viaNAT(inst, &c)
}

func (s *stream) natOf(e *eni) *eni {
	nats := s.w.topo.byRole[roleNAT]
	return nats[int(e.subnet.AZ[len(e.subnet.AZ)-1]-'a')%len(nats)]
}

func (s *stream) viaNAT(inst *eni, c *conv) {
	nat := s.natOf(inst)
	s.side(inst, c, true, nat, 1)
	natPort := uint16(1024 + s.rng.IntN(64512))
	p := s.rec(nat, c, true, flowlog.DirectionIngress)
	p.dst, p.nat = nat.v4, true
	p = s.rec(nat, c, true, flowlog.DirectionEgress)
	p.src, p.psrc, p.sport, p.path, p.nat = nat.v4, nat.v4, natPort, 2, true
	p.srcSvc = ""
	if c.rspPk == 0 {
		return
	}
	p = s.rec(nat, c, false, flowlog.DirectionIngress)
	p.dst, p.pdst, p.dport, p.nat = nat.v4, nat.v4, natPort, true
	p.dstSvc = ""
	p = s.rec(nat, c, false, flowlog.DirectionEgress)
	p.src, p.path, p.hop, p.nat = nat.v4, 1, inst, true
}

func (s *stream) gatewayEndpoint() {
	t := s.w.topo
	inst := s.pickAny(roleWorker, roleWorker, roleApp)
	c := conv{proto: 6, pattern: patGatewayEndpoint, c: inst.v4, cp: s.ephemeral(inst.windows), sp: 443}
	if s.rng.IntN(4) == 0 {
		i := s.rng.IntN(len(t.ddb.addrs))
		c.s, c.sSvc = t.ddb.addrs[i], t.ddb.svc[i]
		s.sizes(&c, 3, 1.2, 100, 600, 200, 1400)
	} else {
		i := s.rng.IntN(len(t.s3.addrs))
		c.s, c.sSvc = t.s3.addrs[i], t.s3.svc[i]
		if s.rng.IntN(2) == 0 { // upload
			s.sizes(&c, 12, 0.6, 1200, 1440, 60, 200)
		} else { // download
			s.sizes(&c, 6, 1.8, 60, 300, 1200, 1440)
		}
	}
	s.shape(&c)
	c.enc = encryption(443, false)
	s.side(inst, &c, true, nil, internetPath(inst, true))
}

func (s *stream) ipv6Egress() {
	t := s.w.topo
	inst := s.pickAny(roleApp, roleWorker, roleWeb)
	c := conv{proto: 6, pattern: patIPv6Egress, c: inst.v6, cp: s.ephemeral(inst.windows), sp: 443}
	c.s, c.sSvc = pickPool(&t.egress6, s.z.egress6)
	s.sizes(&c, 5, 3, 80, 600, 600, 1420)
	s.shape(&c)
	c.enc = encryption(443, false)
	s.side(inst, &c, true, nil, internetPath(inst, false))
}

func (s *stream) udp(pat pattern, c *conv, reqLo, reqHi, rspLo, rspHi int) {
	c.proto, c.pattern = 17, pat
	c.reqPk = uint64(1 + s.rng.IntN(3))
	c.rspPk = c.reqPk
	c.reqBy = c.reqPk * uint64(reqLo+s.rng.IntN(reqHi-reqLo+1))
	c.rspBy = c.rspPk * uint64(rspLo+s.rng.IntN(rspHi-rspLo+1))
	s.shape(c)
}

func (s *stream) dns() {
	inst := s.pickAny(roleWeb, roleApp, roleApp, roleWorker, roleDB, roleCache)
	srv := s.pick(roleDNS)
	c := conv{c: inst.v4, s: srv.v4, cp: s.ephemeral(inst.windows), sp: 53}
	s.udp(patDNS, &c, 60, 90, 90, 320)
	c.enc = encryption(53, inst.nitro && srv.nitro)
	s.internal(inst, srv, &c)
}

func (s *stream) ntp() {
	t := s.w.topo
	inst := s.pickAny(roleWeb, roleApp, roleWorker, roleDB)
	c := conv{c: inst.v4, s: t.ntp.addrs[s.rng.IntN(len(t.ntp.addrs))], cp: s.ephemeral(false), sp: 123}
	s.udp(patNTP, &c, 76, 76, 76, 76)
	s.viaNAT(inst, &c)
}

func (s *stream) icmp() {
	b := s.pick(roleBastion)
	dst := s.pickAny(roleWeb, roleApp, roleWorker, roleDB, roleCache)
	c := conv{proto: 1, pattern: patICMP, c: b.v4, s: dst.v4}
	if b.v6.IsValid() && dst.v6.IsValid() && s.rng.IntN(10) == 0 {
		c.proto, c.c, c.s = 58, b.v6, dst.v6
	}
	c.reqPk = uint64(1 + s.rng.IntN(5))
	c.rspPk = c.reqPk
	c.reqBy, c.rspBy = c.reqPk*84, c.rspPk*84
	s.shape(&c)
	c.enc = encryption(0, b.nitro && dst.nitro)
	s.internal(b, dst, &c)
}

func (s *stream) ssh() {
	t := s.w.topo
	b := s.pick(roleBastion)
	c := conv{proto: 6, pattern: patSSH, c: t.admins.addrs[s.rng.IntN(len(t.admins.addrs))], s: b.v4, cp: s.ephemeral(s.rng.IntN(2) == 0), sp: 22}
	s.sizes(&c, 20, 1.5, 60, 200, 60, 600)
	s.shape(&c)
	c.enc = encryption(22, false)
	s.side(b, &c, false, nil, internetPath(b, false))
	dst := s.pickAny(roleWeb, roleApp, roleWorker, roleDB)
	in := c
	in.c, in.s, in.cp = b.v4, dst.v4, s.ephemeral(false)
	in.enc = encryption(22, b.nitro && dst.nitro)
	s.internal(b, dst, &in)
}

// scan adds 1–6 probes of an internet scanner against internet-facing ENIs:
// one REJECT ingress record each (SYN, no answer).
func (s *stream) scan() {
	t := s.w.topo
	src, svc := pickPool(&t.scanners4, s.z.scanners4)
	v6 := s.rng.IntN(10) == 0
	if v6 {
		src, svc = t.scanners6.addrs[s.rng.IntN(len(t.scanners6.addrs))], ""
	}
	targets := t.frontends
	if v6 {
		targets = t.frontends6
	}
	target := targets[s.rng.IntN(len(targets))]
	sport := s.ephemeral(true)
	for i, n := 0, 1+s.rng.IntN(6); i < n; i++ {
		if i > 0 && s.rng.IntN(10) < 3 {
			target = targets[s.rng.IntN(len(targets))]
		}
		dst := target.v4
		if v6 {
			dst = target.v6
		}
		p := s.push()
		p.eni, p.pattern, p.dir, p.action = target, patScan, flowlog.DirectionIngress, flowlog.ActionReject
		p.src, p.dst, p.psrc, p.pdst, p.srcSvc = src, dst, src, dst, svc
		p.sport, p.proto, p.flags = sport, 6, flowlog.FlagSYN
		p.dport = scanPorts[s.rng.IntN(len(scanPorts))]
		if s.rng.IntN(10) == 0 {
			p.proto, p.flags = 17, 0
			p.dport = scanUDPPorts[s.rng.IntN(len(scanUDPPorts))]
		}
		p.packets = uint64(1 + s.rng.IntN(2))
		p.bytes = p.packets * 44
		if v6 {
			p.bytes = p.packets * 64
		}
		p.end = min(s.now+int64(i/2), s.u.to-1)
		p.start = p.end - int64(s.rng.IntN(2))
	}
}

// internalReject adds a connection attempt that the destination's security
// group denies: the client logs its SYN (ACCEPT egress), the destination
// logs it as REJECT ingress; no answer.
func (s *stream) internalReject() {
	var client, server *eni
	var port uint16
	switch s.rng.IntN(3) {
	case 0:
		client, server = s.pick(roleWeb), s.pick(roleDB)
		port = server.dbPort
	case 1:
		client, server, port = s.pick(roleWorker), s.pick(roleCache), 6379
	default:
		client, server, port = s.pick(roleApp), s.pick(roleApp), 22
		for server == client {
			server = s.w.topo.byRole[roleApp][s.rng.IntN(len(s.w.topo.byRole[roleApp]))]
		}
	}
	c := conv{proto: 6, pattern: patInternalReject, c: client.v4, s: server.v4, cp: s.ephemeral(client.windows), sp: port}
	c.reqPk = uint64(1 + s.rng.IntN(3))
	c.reqBy = c.reqPk * 60
	c.reqFl = flowlog.FlagSYN
	c.reqAct = flowlog.ActionAccept
	c.end = s.now
	c.start = c.end - int64(s.rng.IntN(4))
	s.side(client, &c, true, server, 1)
	c.reqAct = flowlog.ActionReject
	s.side(server, &c, false, client, 1)
}

// icmpBlocked is the AWS documentation example: a ping accepted by the
// security group whose reply the network ACL rejects.
func (s *stream) icmpBlocked() {
	t := s.w.topo
	b := s.pick(roleBastion)
	c := conv{proto: 1, pattern: patICMPBlocked, s: b.v4}
	c.c, c.cSvc = pickPool(&t.clients4, s.z.clients4)
	c.reqPk = uint64(1 + s.rng.IntN(4))
	c.rspPk = c.reqPk
	c.reqBy, c.rspBy = c.reqPk*84, c.rspPk*84
	s.shape(&c)
	c.rspAct = flowlog.ActionReject
	s.side(b, &c, false, nil, internetPath(b, false))
}

// noData adds a NODATA or SKIPDATA record: only the interface, the capture
// window and the status (plus the interface metadata of v3+ formats).
func (s *stream) noData(status flowlog.LogStatus, pat pattern) {
	t := s.w.topo
	p := s.push()
	p.eni, p.status, p.pattern, p.action = t.enis[s.rng.IntN(len(t.enis))], status, pat, 0
	p.end = s.now
	p.start = p.end - s.w.plan.interval + int64(1+s.rng.IntN(3))
}
