// Package generate makes deterministic, realistic synthetic AWS VPC (and
// Transit Gateway) flow logs together with their ground truth.
//
// # The synthetic world
//
// One account, one region, one VPC (10.0.0.0/16 plus an AWS IPv6 /56) with
// public, private and data subnets in three Availability Zones, and a few
// hundred ENIs (Configuration.ENIs) with roles: an internet-facing ALB and
// an NLB (AWS-owned ENIs: account-id "unknown"), web, app (some on ECS
// Fargate), worker, database (PostgreSQL and MySQL), cache, NAT gateways,
// a bastion, two DNS servers and interface VPC endpoints ("unknown"
// account). Requester-managed ENIs (load balancers, NAT gateways, VPC
// endpoints) have no instance ID.
//
// # Traffic
//
// Conversations are drawn from a fixed mix (see vpcWeights and
// docs/GENERATE.md): internet clients → load balancers :443/:80 → web
// :8080; web → app :8443/:9000; app → database :5432/:3306 and cache
// :6379; instances → NAT gateway → internet (on NAT ENIs pkt-srcaddr and
// pkt-dstaddr keep the endpoints while srcaddr/dstaddr show the hop); S3
// and DynamoDB through gateway endpoints; IPv6 egress; DNS to the DNS
// servers (AWS does not log traffic to the Amazon resolver 10.0.0.2); NTP;
// ICMP; SSH from a few admin addresses through the bastion; database
// replication; port scans from internet scanners (REJECT); security group
// denials inside the VPC; NODATA and SKIPDATA records. Each conversation is
// logged on every ENI it crosses, request and response, ingress and
// egress, as AWS does. Talkers are Zipf distributed, sizes heavy tailed
// (Pareto), ports ephemeral (Linux 32768–60999, others 49152–65535).
//
// A format with Transit Gateway fields switches to Transit Gateway flow
// logs: one transit gateway joining this VPC, a shared-services VPC, a dev
// VPC and an on-premises VPN.
//
// # Determinism
//
// Output is a pure function of the Configuration (see its doc comment): the
// time span is cut into 5-minute windows and each window into objects
// ("units"); every unit has its own random source derived from Seed and its
// index, so units are generated in parallel and the result never depends
// on scheduling.
package generate

import (
	"math/bits"
	"net/netip"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// world is the immutable state shared by all streams of a generation.
type world struct {
	plan    *plan
	topo    *topology
	format  *parse.Format
	fset    flowlog.FieldSet
	has     [flowlog.NumFields]bool // fset as an array, for the hot path
	nextHop bool                    // the format has a next-hop field
	version uint8
	tgw     bool
}

// tgwFields are the fields only Transit Gateway flow logs have.
var tgwFields = flowlog.SetOf(
	flowlog.FieldResourceType, flowlog.FieldTGWID, flowlog.FieldTGWAttachmentID,
	flowlog.FieldTGWSrcVPCAccountID, flowlog.FieldTGWDstVPCAccountID, flowlog.FieldTGWSrcVPCID,
	flowlog.FieldTGWDstVPCID, flowlog.FieldTGWSrcSubnetID, flowlog.FieldTGWDstSubnetID,
	flowlog.FieldTGWSrcENI, flowlog.FieldTGWDstENI, flowlog.FieldTGWSrcAZID, flowlog.FieldTGWDstAZID,
	flowlog.FieldTGWPairAttachmentID, flowlog.FieldPacketsLostNoRoute, flowlog.FieldPacketsLostBlackhole,
	flowlog.FieldPacketsLostMTUExceeded, flowlog.FieldPacketsLostTTLExpired,
)

// TransitGatewayFields returns the fields of the default Transit Gateway
// flow log format, in order.
func TransitGatewayFields() []flowlog.FieldID {
	return []flowlog.FieldID{
		flowlog.FieldVersion, flowlog.FieldResourceType, flowlog.FieldAccountID, flowlog.FieldTGWID,
		flowlog.FieldTGWAttachmentID, flowlog.FieldTGWSrcVPCAccountID, flowlog.FieldTGWDstVPCAccountID,
		flowlog.FieldTGWSrcVPCID, flowlog.FieldTGWDstVPCID, flowlog.FieldTGWSrcSubnetID,
		flowlog.FieldTGWDstSubnetID, flowlog.FieldTGWSrcENI, flowlog.FieldTGWDstENI,
		flowlog.FieldTGWSrcAZID, flowlog.FieldTGWDstAZID, flowlog.FieldTGWPairAttachmentID,
		flowlog.FieldSrcAddr, flowlog.FieldDstAddr, flowlog.FieldSrcPort, flowlog.FieldDstPort,
		flowlog.FieldProtocol, flowlog.FieldPackets, flowlog.FieldBytes, flowlog.FieldStart,
		flowlog.FieldEnd, flowlog.FieldLogStatus, flowlog.FieldType, flowlog.FieldPacketsLostNoRoute,
		flowlog.FieldPacketsLostBlackhole, flowlog.FieldPacketsLostMTUExceeded,
		flowlog.FieldPacketsLostTTLExpired, flowlog.FieldTCPFlags, flowlog.FieldRegion,
		flowlog.FieldFlowDirection, flowlog.FieldPktSrcAWSService, flowlog.FieldPktDstAWSService,
	}
}

// TransitGatewayFormat returns the default Transit Gateway flow log format.
func TransitGatewayFormat() *parse.Format { return parse.FormatOf(TransitGatewayFields()...) }

func newWorld(cfg Configuration) (*world, error) {
	p, err := newPlan(cfg)
	if err != nil {
		return nil, err
	}
	w := &world{plan: p, format: p.format, fset: p.format.Set(), version: p.format.Version()}
	w.tgw = w.fset[0]&tgwFields[0] != 0 || w.fset[1]&tgwFields[1] != 0
	w.topo = newTopology(cfg.Seed, cfg.Account, cfg.Region, cfg.ENIs, w.tgw)
	for _, f := range flowlog.Fields() {
		w.has[f.ID] = w.fset.Has(f.ID)
	}
	w.nextHop = w.fset[0]&setNextHop[0] != 0 || w.fset[1]&setNextHop[1] != 0
	for _, e := range w.topo.enis {
		e.tmpl = w.template(e)
	}
	return w, nil
}

// Generator is a deterministic stream of records (see Next).
type Generator struct {
	w     *world
	unit  int
	s     *stream
	t     tally
	ended bool
}

// New validates cfg and builds the synthetic world.
func New(cfg Configuration) (*Generator, error) {
	w, err := newWorld(cfg)
	if err != nil {
		return nil, err
	}
	return &Generator{w: w}, nil
}

// Next stores the next record in r (overwriting it; r.Extra's capacity is
// kept) and reports whether there was one. Strings in r are shared,
// immutable and stay valid forever. Records come in object order, and
// within an object roughly by end time.
func (g *Generator) Next(r *flowlog.Record) bool {
	for {
		if g.s != nil {
			if g.s.next(r) {
				return true
			}
			g.t.add(&g.s.t)
			g.s = nil
		}
		if g.unit >= len(g.w.plan.units) {
			g.ended = true
			return false
		}
		g.s = g.w.stream(g.w.plan.units[g.unit])
		g.unit++
	}
}

// Records returns the number of records the generator produces in total.
func (g *Generator) Records() int64 { return g.w.plan.records }

// Format returns the format of the records.
func (g *Generator) Format() *parse.Format { return g.w.format }

// Inventory returns the ground truth. Counts is set once Next has returned
// false (objects are counted as the units of the configuration).
func (g *Generator) Inventory() *Inventory {
	inv := g.w.inventory()
	if g.ended {
		inv.Counts = g.t.counts(len(g.w.plan.units))
	}
	return inv
}

// Sets of fields filled together.
var (
	setBase = flowlog.SetOf(flowlog.FieldVersion, flowlog.FieldAccountID, flowlog.FieldInterfaceID, flowlog.FieldVPCID,
		flowlog.FieldSubnetID, flowlog.FieldRegion, flowlog.FieldAZID, flowlog.FieldInterfaceType,
		flowlog.FieldInterfaceTag, flowlog.FieldInterfaceTag2)
	setInstance = flowlog.SetOf(flowlog.FieldInstanceID, flowlog.FieldInstanceTag, flowlog.FieldInstanceTag2)
	setASG      = flowlog.SetOf(flowlog.FieldASGTag, flowlog.FieldASGTag2)
	setECS      = flowlog.SetOf(flowlog.FieldECSClusterARN, flowlog.FieldECSClusterName,
		flowlog.FieldECSContainerID, flowlog.FieldECSServiceName, flowlog.FieldECSTaskDefinitionARN,
		flowlog.FieldECSTaskARN, flowlog.FieldECSTaskID)
	setTraffic = flowlog.SetOf(flowlog.FieldSrcAddr, flowlog.FieldDstAddr, flowlog.FieldSrcPort,
		flowlog.FieldDstPort, flowlog.FieldProtocol, flowlog.FieldPackets, flowlog.FieldBytes,
		flowlog.FieldAction, flowlog.FieldTCPFlags, flowlog.FieldType, flowlog.FieldPktSrcAddr,
		flowlog.FieldPktDstAddr, flowlog.FieldFlowDirection, flowlog.FieldEncryptionStatus)
	setNextHop = flowlog.SetOf(flowlog.FieldNextHopInterfaceID, flowlog.FieldNextHopSubnetID,
		flowlog.FieldNextHopAZID, flowlog.FieldNextHopVPCID, flowlog.FieldNextHopInterfaceType)
	setStatusTimes = flowlog.SetOf(flowlog.FieldStart, flowlog.FieldEnd, flowlog.FieldLogStatus)
)

func union(a, b flowlog.FieldSet) flowlog.FieldSet { return flowlog.FieldSet{a[0] | b[0], a[1] | b[1]} }

// template returns the interface metadata of e's records: only fields of
// the format are set (an absent slot must hold its zero value).
func (w *world) template(e *eni) flowlog.Record {
	s := setBase
	if e.InstanceID != "" {
		s = union(s, setInstance)
	}
	if e.ASG != "" {
		s = union(s, setASG)
	}
	if e.ecs != nil {
		s = union(s, setECS)
		if e.ecs.SecondContainerID != "" {
			s.Add(flowlog.FieldECSSecondContainerID)
		}
	}
	var r flowlog.Record
	r.Version = w.version
	r.AccountID, r.InterfaceID = e.Account, e.ID
	r.VPCID, r.SubnetID, r.Region, r.AZID = e.subnet.VPCID, e.subnet.ID, w.topo.region, e.subnet.AZID
	r.InterfaceType, r.InterfaceTag, r.InterfaceTag2 = e.Type, e.Name, e.Env
	r.InstanceID, r.InstanceTag, r.InstanceTag2 = e.InstanceID, e.Name, e.Env
	r.ASGTag, r.ASGTag2 = e.ASG, e.Env
	if x := e.ecs; x != nil {
		r.ECSClusterARN, r.ECSClusterName, r.ECSContainerID = x.ClusterARN, x.ClusterName, x.ContainerID
		r.ECSSecondContainerID, r.ECSServiceName = x.SecondContainerID, x.ServiceName
		r.ECSTaskDefinitionARN, r.ECSTaskARN, r.ECSTaskID = x.TaskDefinitionARN, x.TaskARN, x.TaskID
	}
	r.Present = flowlog.FieldSet{s[0] & w.fset[0], s[1] & w.fset[1]}
	var all flowlog.FieldSet
	for _, f := range flowlog.Fields() {
		all.Add(f.ID)
	}
	clearAbsent(&r, all)
	return r
}

// clearAbsent zeroes the slots of the fields of touched that r does not
// have (r.Present), keeping the Record contract: absent means zero value.
func clearAbsent(r *flowlog.Record, touched flowlog.FieldSet) {
	for i := range touched {
		rest := touched[i] &^ r.Present[i]
		for rest != 0 {
			id := flowlog.FieldID(i*64 + bits.TrailingZeros64(rest))
			rest &= rest - 1
			if p := r.StringPtr(id); p != nil {
				*p = ""
			} else if a := r.AddrPtr(id); a != nil {
				*a = netip.Addr{}
			} else if r.SetUint(id, 0) {
				r.Present.Remove(id)
			}
		}
	}
}

// fill materialises p into r. Only fields of the format are set and marked
// present; every other slot holds its zero value.
func (w *world) fill(r *flowlog.Record, p *pend) {
	extra := r.Extra[:0]
	if p.att != nil {
		*r = flowlog.Record{Extra: extra}
		w.fillTGW(r, p)
		return
	}
	e := p.eni
	*r = e.tmpl
	r.Extra = extra
	has := &w.has
	ps := r.Present
	if has[flowlog.FieldStart] {
		r.Start = p.start
	}
	if has[flowlog.FieldEnd] {
		r.End = p.end
	}
	if has[flowlog.FieldLogStatus] {
		r.Status = p.status
	}
	ps = union(ps, setStatusTimes)
	if p.status == flowlog.StatusOK {
		ps = union(ps, setTraffic)
		w.fillTraffic(r, p)
		if p.srcSvc != "" && has[flowlog.FieldPktSrcAWSService] {
			r.PktSrcAWSService = p.srcSvc
			ps.Add(flowlog.FieldPktSrcAWSService)
		}
		if p.dstSvc != "" && has[flowlog.FieldPktDstAWSService] {
			r.PktDstAWSService = p.dstSvc
			ps.Add(flowlog.FieldPktDstAWSService)
		}
		if p.path != 0 && has[flowlog.FieldTrafficPath] {
			r.TrafficPath = p.path
			ps.Add(flowlog.FieldTrafficPath)
		}
		if p.nat && has[flowlog.FieldResourceID] {
			r.ResourceID = e.ResourceID
			ps.Add(flowlog.FieldResourceID)
		}
		if h := p.hop; h != nil && w.nextHop {
			ps = union(ps, setNextHop)
			if has[flowlog.FieldNextHopInterfaceID] {
				r.NextHopInterfaceID = h.ID
			}
			if has[flowlog.FieldNextHopSubnetID] {
				r.NextHopSubnetID = h.subnet.ID
			}
			if has[flowlog.FieldNextHopAZID] {
				r.NextHopAZID = h.subnet.AZID
			}
			if has[flowlog.FieldNextHopVPCID] {
				r.NextHopVPCID = h.subnet.VPCID
			}
			if has[flowlog.FieldNextHopInterfaceType] {
				r.NextHopInterfaceType = h.Type
			}
		}
	}
	r.Present = flowlog.FieldSet{ps[0] & w.fset[0], ps[1] & w.fset[1]}
}

// fillTraffic sets the traffic fields of p that the format has (shared by
// VPC and Transit Gateway records).
func (w *world) fillTraffic(r *flowlog.Record, p *pend) {
	has := &w.has
	if has[flowlog.FieldSrcAddr] {
		r.SrcAddr = p.src
	}
	if has[flowlog.FieldDstAddr] {
		r.DstAddr = p.dst
	}
	if has[flowlog.FieldPktSrcAddr] {
		r.PktSrcAddr = p.psrc
	}
	if has[flowlog.FieldPktDstAddr] {
		r.PktDstAddr = p.pdst
	}
	if has[flowlog.FieldSrcPort] {
		r.SrcPort = p.sport
	}
	if has[flowlog.FieldDstPort] {
		r.DstPort = p.dport
	}
	if has[flowlog.FieldProtocol] {
		r.Protocol = p.proto
	}
	if has[flowlog.FieldPackets] {
		r.Packets = p.packets
	}
	if has[flowlog.FieldBytes] {
		r.Bytes = p.bytes
	}
	if has[flowlog.FieldAction] {
		r.Action = p.action
	}
	if has[flowlog.FieldTCPFlags] {
		r.TCPFlags = p.flags
	}
	if has[flowlog.FieldFlowDirection] {
		r.Direction = p.dir
	}
	if has[flowlog.FieldEncryptionStatus] {
		r.EncryptionStatus = p.enc
	}
	if has[flowlog.FieldType] {
		r.Type = flowlog.TypeIPv4
		if p.src.Is6() {
			r.Type = flowlog.TypeIPv6
		}
	}
}
