package generate

import (
	"math"
	"math/rand/v2"
	"net/netip"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// pend is one record waiting to be handed out: the compact form of a
// flowlog.Record, materialised by fill.
type pend struct {
	eni              *eni
	hop              *eni // next hop of an egress record, nil when none
	att, pair        *attachment
	src, dst         netip.Addr
	psrc, pdst       netip.Addr
	srcSvc, dstSvc   string
	packets, bytes   uint64
	start, end       int64
	sport, dport     uint16
	lostNoRoute      uint64
	lostBlackhole    uint64
	lostMTU, lostTTL uint64
	proto            uint8
	flags            flowlog.TCPFlags
	action           flowlog.Action
	status           flowlog.LogStatus
	dir              flowlog.FlowDirection
	path             flowlog.TrafficPath
	enc              flowlog.EncryptionStatus
	pattern          pattern
	nat              bool        // record on a NAT gateway ENI (resource-id)
	srcA, dstA       *attachment // transit gateway: sides of the packet
	azS, azD         uint8       // AZ index of each side
}

// conv is one transport conversation, as the client sees it.
type conv struct {
	proto          uint8
	c, s           netip.Addr // client and server
	cp, sp         uint16
	cSvc, sSvc     string
	reqPk, reqBy   uint64
	rspPk, rspBy   uint64
	reqFl, rspFl   flowlog.TCPFlags
	start, end     int64
	enc            flowlog.EncryptionStatus
	pattern        pattern
	reqAct, rspAct flowlog.Action
}

// stream generates the records of one unit. It owns its random source.
type stream struct {
	w       *world
	u       unit
	rng     *rand.Rand
	left    int64
	done    int64
	buf     [24]pend
	head, n int
	now     int64 // end time of the current conversation
	z       zipfs
	t       tally
}

type zipfs struct {
	clients4, clients6, egress4, egress6, scanners4 *rand.Zipf
	roles                                           [numRoles]*rand.Zipf
	tgwHosts                                        []*rand.Zipf
}

func splitmix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

func newZipf(r *rand.Rand, s float64, n int) *rand.Zipf {
	if n == 0 {
		return nil
	}
	return rand.NewZipf(r, s, 1, uint64(n-1))
}

func (w *world) stream(u unit) *stream {
	seed := uint64(w.plan.cfg.Seed)
	s := &stream{w: w, u: u, left: u.records}
	s.rng = rand.New(rand.NewPCG(splitmix(seed^0x7374726561), splitmix(uint64(u.index)+seed<<20)))
	t := w.topo
	s.z.clients4 = newZipf(s.rng, 1.15, len(t.clients4.addrs))
	s.z.clients6 = newZipf(s.rng, 1.15, len(t.clients6.addrs))
	s.z.egress4 = newZipf(s.rng, 1.3, len(t.egress4.addrs))
	s.z.egress6 = newZipf(s.rng, 1.3, len(t.egress6.addrs))
	s.z.scanners4 = newZipf(s.rng, 1.4, len(t.scanners4.addrs))
	for r := range t.byRole {
		s.z.roles[r] = newZipf(s.rng, 1.2, len(t.byRole[r]))
	}
	if t.tgw != nil {
		for _, h := range t.tgw.hosts {
			s.z.tgwHosts = append(s.z.tgwHosts, newZipf(s.rng, 1.2, len(h)))
		}
	}
	return s
}

// next stores the next record in r; it reports false when the unit is done.
func (s *stream) next(r *flowlog.Record) bool {
	if s.left == 0 {
		return false
	}
	for s.head == s.n {
		s.head, s.n = 0, 0
		span := s.u.to - s.u.from
		s.now = s.u.from + span*s.done/max(s.u.records, 1) + int64(s.rng.IntN(3))
		s.now = min(s.now, s.u.to-1)
		if s.w.tgw {
			s.tgwConversation()
		} else {
			s.conversation()
		}
	}
	p := &s.buf[s.head]
	s.head++
	s.left--
	s.done++
	s.t.records++
	s.t.status[p.status]++
	s.t.patterns[p.pattern]++
	if p.status == flowlog.StatusOK {
		s.t.action[p.action]++
		if p.src.Is4() {
			s.t.typ[flowlog.TypeIPv4]++
		} else {
			s.t.typ[flowlog.TypeIPv6]++
		}
	}
	s.w.fill(r, p)
	return true
}

// push appends a pending record and returns it for adjustments.
func (s *stream) push() *pend {
	p := &s.buf[s.n]
	s.n++
	*p = pend{action: flowlog.ActionAccept, status: flowlog.StatusOK}
	return p
}

// rec adds the request (req) or response record of c on ENI e in direction
// dir, with the wire addresses and ports of the direction.
func (s *stream) rec(e *eni, c *conv, req bool, dir flowlog.FlowDirection) *pend {
	p := s.push()
	p.eni, p.dir, p.proto, p.enc, p.pattern = e, dir, c.proto, c.enc, c.pattern
	if req {
		p.src, p.dst, p.sport, p.dport = c.c, c.s, c.cp, c.sp
		p.srcSvc, p.dstSvc = c.cSvc, c.sSvc
		p.packets, p.bytes, p.flags, p.action = c.reqPk, c.reqBy, c.reqFl, c.reqAct
	} else {
		p.src, p.dst, p.sport, p.dport = c.s, c.c, c.sp, c.cp
		p.srcSvc, p.dstSvc = c.sSvc, c.cSvc
		p.packets, p.bytes, p.flags, p.action = c.rspPk, c.rspBy, c.rspFl, c.rspAct
	}
	p.psrc, p.pdst = p.src, p.dst
	// Each ENI closes its capture window on its own: ±1 s between records
	// (end - start stays below the aggregation interval).
	p.start, p.end = c.start, c.end
	if s.rng.Uint32()&3 == 0 && p.end+1 < s.u.to {
		p.end++
	}
	return p
}

// side adds the two records of c on ENI e: request and response, in the
// directions they have on e. client tells whether e is the client's ENI.
// The egress record gets hop and path. A response of zero packets (no
// answer) is not logged.
func (s *stream) side(e *eni, c *conv, client bool, hop *eni, path flowlog.TrafficPath) {
	reqDir, rspDir := flowlog.DirectionIngress, flowlog.DirectionEgress
	if client {
		reqDir, rspDir = rspDir, reqDir
	}
	p := s.rec(e, c, true, reqDir)
	if reqDir == flowlog.DirectionEgress {
		p.hop, p.path = hop, path
	}
	if c.rspPk == 0 {
		return
	}
	p = s.rec(e, c, false, rspDir)
	if rspDir == flowlog.DirectionEgress {
		p.hop, p.path = hop, path
	}
}

// internal adds the four records of c between two ENIs of the VPC.
func (s *stream) internal(client, server *eni, c *conv) {
	s.side(client, c, true, server, 1)
	s.side(server, c, false, client, 1)
}

// internetPath is the traffic-path of egress to the internet or a gateway
// endpoint: 8 (IGW) / 7 (gateway endpoint) for Nitro instances, else 2.
func internetPath(e *eni, gatewayEndpoint bool) flowlog.TrafficPath {
	switch {
	case !e.nitro:
		return 2
	case gatewayEndpoint:
		return 7
	}
	return 8
}

// pareto returns a heavy-tailed value >= xm (shape alpha), capped at limit.
func (s *stream) pareto(xm, alpha, limit float64) uint64 {
	u := 1 - s.rng.Float64() // (0, 1]
	v := xm / math.Pow(u, 1/alpha)
	if v > limit {
		v = limit
	}
	return uint64(v)
}

// ephemeral returns a client port: Linux 32768–60999, Windows and most
// other systems 49152–65535.
func (s *stream) ephemeral(windows bool) uint16 {
	if windows {
		return uint16(49152 + s.rng.IntN(16384))
	}
	return uint16(32768 + s.rng.IntN(28232))
}

// tcpSizes fills packet and byte counts of a TCP conversation: reqXm is the
// scale of request packets, ratio the response/request packet ratio, and the
// lo/hi pairs the average packet sizes in each direction.
func (s *stream) sizes(c *conv, reqXm, ratio float64, reqLo, reqHi, rspLo, rspHi int) {
	c.reqPk = max(1, s.pareto(reqXm, 1.3, 2e6))
	c.rspPk = max(1, uint64(float64(c.reqPk)*ratio*(0.5+s.rng.Float64())))
	hdr := uint64(0)
	if c.c.Is6() {
		hdr = 20
	}
	c.reqBy = c.reqPk * (uint64(reqLo+s.rng.IntN(reqHi-reqLo+1)) + hdr)
	c.rspBy = c.rspPk * (uint64(rspLo+s.rng.IntN(rspHi-rspLo+1)) + hdr)
}

// shape sets the TCP flags and timing of c. tcp-flags is the OR of the
// flags seen in the capture window, and AWS reports only FIN, SYN, RST and
// SYN-ACK: a short connection shows 3 (SYN|FIN) from the client and 19
// (SYN-ACK|FIN) from the server; the middle of a long one shows 0.
func (s *stream) shape(c *conv) {
	iv := s.w.plan.interval
	c.reqAct, c.rspAct = flowlog.ActionAccept, flowlog.ActionAccept
	c.end = s.now
	var dur int64
	if c.proto != 6 {
		dur = int64(s.rng.IntN(3))
		if s.rng.IntN(5) == 0 {
			dur = int64(s.rng.IntN(int(iv) - 1))
		}
	} else {
		switch x := s.rng.IntN(100); {
		case x < 62: // whole connection in one window
			c.reqFl, c.rspFl = flowlog.FlagSYN|flowlog.FlagFIN, flowlog.FlagSYN|flowlog.FlagACK|flowlog.FlagFIN
			dur = int64(s.rng.IntN(4))
		case x < 77: // opening
			c.reqFl, c.rspFl = flowlog.FlagSYN, flowlog.FlagSYN|flowlog.FlagACK
			dur = int64(s.rng.IntN(int(iv) - 1))
		case x < 90: // middle of a long connection
			dur = iv - 2 - int64(s.rng.IntN(3))
			c.reqPk, c.reqBy, c.rspPk, c.rspBy = c.reqPk*4, c.reqBy*4, c.rspPk*4, c.rspBy*4
		default: // closing
			c.reqFl, c.rspFl = flowlog.FlagFIN, flowlog.FlagFIN
			dur = int64(s.rng.IntN(int(iv) - 1))
		}
		if s.rng.IntN(50) == 0 {
			c.rspFl |= flowlog.FlagRST
		}
	}
	c.start = c.end - dur
}

// encryption returns the encryption-status (v10) of a conversation: Nitro
// encryption between two Nitro instances of the VPC, application
// encryption on well-known TLS/SSH ports.
func encryption(port uint16, nitroBoth bool) flowlog.EncryptionStatus {
	var e flowlog.EncryptionStatus
	if nitroBoth {
		e = 1
	}
	switch port {
	case 22, 443, 636, 853, 993, 995, 8443:
		e |= 2
	}
	return e
}

// pick returns an ENI of role r, Zipf distributed.
func (s *stream) pick(r role) *eni {
	return s.w.topo.byRole[r][s.z.roles[r].Uint64()]
}

func (s *stream) pickAny(roles ...role) *eni {
	return s.pick(roles[s.rng.IntN(len(roles))])
}

func pickPool(p *pool, z *rand.Zipf) (netip.Addr, string) {
	i := z.Uint64()
	return p.addrs[i], p.svc[i]
}
