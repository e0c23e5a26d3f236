package graph

import (
	"fmt"
	"net/netip"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// row is an aggregate of records sharing the fields a graph reads. Both
// the store and the Builder produce rows normalised the same way: ports at
// or above EphemeralFrom, absent ports and fields the graph does not read
// are -1 (numbers) or zero values.
type row struct {
	key    rowKey
	counts Counts
}

type rowKey struct {
	src, dst       netip.Addr
	sport, dport   int32 // -1: absent, ephemeral or not read
	proto          int16 // -1: absent or not read
	action         flowlog.Action
	dir            flowlog.FlowDirection
	iface          string
	srcSvc, dstSvc string
}

// rowBlocks holds rows in blocks of a fixed size: hundreds of thousands of
// rows read from a store never move (a growing slice would copy them
// again and again, while the garbage collector waits to scan it).
type rowBlocks struct {
	blocks [][]row
	n      int
}

const rowBlockSize = 1 << 14

func (rb *rowBlocks) add(r row) {
	if len(rb.blocks) == 0 || len(rb.blocks[len(rb.blocks)-1]) == rowBlockSize {
		rb.blocks = append(rb.blocks, make([]row, 0, rowBlockSize))
	}
	last := &rb.blocks[len(rb.blocks)-1]
	*last = append(*last, r)
	rb.n++
}

// each calls f for every row, in the order added.
func (rb *rowBlocks) each(f func(r *row)) {
	for _, b := range rb.blocks {
		for i := range b {
			f(&b[i])
		}
	}
}

// metas maps interfaces to their subnet, VPC and zone: the smallest
// non-empty value of each over the interface's selected records (they are
// attributes of the interface, so kept apart from the rows).
type metas map[string]*ifaceMeta

func (ms metas) add(iface, subnet, vpc, az string) {
	m := ms[iface]
	if m == nil {
		m = &ifaceMeta{}
		ms[iface] = m
	}
	m.subnet, m.vpc, m.az = minNonEmpty(m.subnet, subnet), minNonEmpty(m.vpc, vpc), minNonEmpty(m.az, az)
}

// normPort returns p, or -1 for an ephemeral or absent port.
func normPort(p uint64, present bool, eph uint16) int32 {
	if !present || p >= uint64(eph) {
		return -1
	}
	return int32(p)
}

// servicePort returns which side of a row serves, and on which port (-1:
// none): flowlog.ServiceSide over the row's normalised ports.
func servicePort(k *rowKey, eph uint16) (flowlog.Side, int32) {
	if k.proto < 0 {
		return flowlog.SideNone, -1
	}
	side, port := flowlog.ServiceSide(uint8(k.proto), uint16(k.sport), uint16(k.dport), k.sport >= 0, k.dport >= 0, eph)
	if side == flowlog.SideNone {
		return side, -1
	}
	return side, int32(port)
}

// Builder computes a graph from records in memory, batch by batch (the
// one-shot file mode and tests). It is not safe for concurrent use.
type Builder struct {
	cfg   Configuration
	need  needs
	match *condMatcher
	rows  map[rowKey]*Counts
	metas metas
	// Records counts the records added; Selected those the range and
	// filters kept.
	Records, Selected int64
}

// NewBuilder checks cfg and returns an empty Builder.
func NewBuilder(cfg Configuration) (*Builder, error) {
	cfg, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	if cfg.Filter.SQL != "" {
		return nil, fmt.Errorf("graph: a SQL filter needs a store: for records in memory, pass the filter pattern as Match")
	}
	m, err := newCondMatcher(&cfg)
	if err != nil {
		return nil, err
	}
	return &Builder{cfg: cfg, need: cfg.needs(), match: m, rows: map[rowKey]*Counts{}, metas: metas{}}, nil
}

// FromRecords computes the graph of records.
func FromRecords(records []flowlog.Record, cfg Configuration) (*Graph, error) {
	b, err := NewBuilder(cfg)
	if err != nil {
		return nil, err
	}
	b.Add(records)
	return b.Graph()
}

// Add aggregates a batch. The batch is not retained.
func (b *Builder) Add(batch []flowlog.Record) {
	for i := range batch {
		r := &batch[i]
		b.Records++
		if !b.match.match(r) || (b.cfg.Match != nil && !b.cfg.Match(r)) {
			continue
		}
		b.Selected++
		k := b.key(r)
		c := b.rows[k]
		if c == nil {
			c = new(Counts)
			b.rows[k] = c
		}
		c.Flows++
		if r.Has(flowlog.FieldPackets) {
			c.Packets += r.Packets
		}
		if r.Has(flowlog.FieldBytes) {
			c.Bytes += r.Bytes
		}
	}
}

// key reduces a record to the fields the graph reads.
func (b *Builder) key(r *flowlog.Record) rowKey {
	k := rowKey{sport: -1, dport: -1, proto: -1}
	if r.Has(flowlog.FieldSrcAddr) {
		k.src = r.SrcAddr
	}
	if r.Has(flowlog.FieldDstAddr) {
		k.dst = r.DstAddr
	}
	if r.Has(flowlog.FieldAction) {
		k.action = r.Action
	}
	if b.need.ports {
		eph := b.cfg.EphemeralFrom
		k.sport = normPort(uint64(r.SrcPort), r.Has(flowlog.FieldSrcPort), eph)
		k.dport = normPort(uint64(r.DstPort), r.Has(flowlog.FieldDstPort), eph)
		if r.Has(flowlog.FieldProtocol) {
			k.proto = int16(r.Protocol)
		}
	}
	str := func(id flowlog.FieldID, s string) string {
		if r.Has(id) {
			return s
		}
		return ""
	}
	if b.need.ifaces && r.Has(flowlog.FieldInterfaceID) {
		k.iface = r.InterfaceID
		if r.Has(flowlog.FieldFlowDirection) {
			k.dir = r.Direction
		}
		b.metas.add(k.iface, str(flowlog.FieldSubnetID, r.SubnetID), str(flowlog.FieldVPCID, r.VPCID), str(flowlog.FieldAZID, r.AZID))
	}
	if b.need.services {
		k.srcSvc = str(flowlog.FieldPktSrcAWSService, r.PktSrcAWSService)
		k.dstSvc = str(flowlog.FieldPktDstAWSService, r.PktDstAWSService)
	}
	return k
}

// Graph assembles the graph of the records added so far.
func (b *Builder) Graph() (*Graph, error) {
	var rows rowBlocks
	for k, c := range b.rows {
		rows.add(row{k, *c})
	}
	return assemble(&b.cfg, &rows, b.metas)
}
