package store

import (
	"net/netip"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// Dialect generates the backend-specific pieces of SQL. Structured queries
// (Build) and the analyses built on them use only these methods, so a new
// backend implements Dialect and gets every analysis.
//
// The tables named by Table have the columns documented in docs/STORE.md:
// the flows view has one column per field (Field.Column; start and end are
// epoch seconds, addresses canonical text, enums their AWS spelling) plus
// the address helper columns (AddrColumns); rollups have the dimensions of
// their Cube, the helpers of their address dimensions, a start column
// holding the bucket start and the flows, packets and bytes measures.
type Dialect interface {
	// Name names the dialect ("duckdb").
	Name() string
	// Quote quotes an identifier.
	Quote(ident string) string
	// Table returns the table (or view) holding resolution r of cube (""
	// for the full cube; ignored for raw records).
	Table(r Resolution, cube string) string
	// Source returns what a structured query reads the records of tr from
	// at resolution r of cube: the Table, or a parenthesized subquery over
	// the part of the table holding tr (backends may prune by time).
	Source(r Resolution, cube string, tr TimeRange) string
	// TimeBucket returns an expression for the start (epoch seconds) of the
	// bucket of width step holding the epoch-seconds expression col,
	// aligned as documented on Query.Bucket.
	TimeBucket(col string, step time.Duration) string
	// HourOfDay returns the UTC hour (0-23) of the epoch-seconds col.
	HourOfDay(col string) string
	// Weekday returns the UTC weekday (0 = Monday) of the epoch-seconds col.
	Weekday(col string) string
	// PrefixKey returns three expressions (IPv4 network as an unsigned
	// integer, IPv6 network high and low 64 bits) that together identify the
	// network of the address field at the given prefix lengths. Each is NULL
	// when the address is absent or of the other family.
	PrefixKey(field flowlog.FieldID, bits4, bits6 int) [3]string
	// InPrefix returns a predicate (with '?' placeholders and their
	// arguments) true when the address field is in p.
	InPrefix(field flowlog.FieldID, p netip.Prefix) (string, []any)
	// ApproxDistinct returns an approximate count-distinct aggregate.
	ApproxDistinct(expr string) string
	// Uint casts an integer expression to an unsigned 64-bit integer.
	Uint(expr string) string
	// Limit returns the clause limiting the result to n rows.
	Limit(n int) string
}

// Cube is a rollup: flows, packets and bytes per time bucket (per minute
// and per hour) and per value of its dimensions. The full cube (Name "")
// keeps every rollup dimension; the narrow cubes keep a few, which makes
// them tens of times smaller for the common analyses (top sources, top
// destinations, top ports, per-interface totals and time series).
type Cube struct {
	Name string // "" for the full cube; the table name suffix otherwise
	Dims []flowlog.FieldID
	// HourOnly cubes have no per-minute table (per minute, they would be
	// almost as big as the raw records).
	HourOnly bool
	// ServiceFrom, when set, adds the service ports of both ends (the
	// ServiceColumn of srcport and dstport) for ephemeral ports from
	// ServiceFrom: the cube answers ServiceDim with that limit.
	ServiceFrom uint64
	set         flowlog.FieldSet
}

// Resolutions returns the resolutions the cube is stored at.
func (c *Cube) Resolutions() []Resolution {
	if c.HourOnly {
		return []Resolution{ResolutionHour}
	}
	return []Resolution{ResolutionMinute, ResolutionHour}
}

// Has reports whether f is a dimension of the cube.
func (c *Cube) Has(f flowlog.FieldID) bool { return c.set.Has(f) }

// The full cube's dimensions. interface-id determines account-id, vpc-id,
// subnet-id, instance-id, region and az-id, and the addresses determine
// type, so those dimensions add no rows.
var fullDims = []flowlog.FieldID{
	flowlog.FieldSrcAddr, flowlog.FieldDstAddr, flowlog.FieldDstPort,
	flowlog.FieldProtocol, flowlog.FieldAction, flowlog.FieldLogStatus,
	flowlog.FieldFlowDirection, flowlog.FieldInterfaceID, flowlog.FieldAccountID,
	flowlog.FieldVPCID, flowlog.FieldSubnetID, flowlog.FieldInstanceID,
	flowlog.FieldRegion, flowlog.FieldAZID, flowlog.FieldType,
}

var cubes = []Cube{
	{Name: "", Dims: fullDims},
	{Name: "src", Dims: []flowlog.FieldID{flowlog.FieldSrcAddr, flowlog.FieldAction}},
	{Name: "dst", Dims: []flowlog.FieldID{flowlog.FieldDstAddr, flowlog.FieldAction}},
	{Name: "port", Dims: []flowlog.FieldID{flowlog.FieldDstPort, flowlog.FieldProtocol, flowlog.FieldAction}},
	{Name: "pair", Dims: []flowlog.FieldID{flowlog.FieldSrcAddr, flowlog.FieldDstAddr, flowlog.FieldAction}, HourOnly: true},
	// The conversation graph: addresses, service ports (not client ports)
	// and AWS services; with the interface that logged the flow and its
	// direction for graphs of interfaces, subnets, VPCs and zones (a flow
	// within a VPC is logged by both ends, so that cube is about twice as
	// big).
	{Name: "graph", Dims: []flowlog.FieldID{
		flowlog.FieldSrcAddr, flowlog.FieldDstAddr, flowlog.FieldAction, flowlog.FieldProtocol,
		flowlog.FieldPktSrcAWSService, flowlog.FieldPktDstAWSService},
		HourOnly: true, ServiceFrom: DefaultEphemeralFrom},
	{Name: "graph_eni", Dims: []flowlog.FieldID{
		flowlog.FieldSrcAddr, flowlog.FieldDstAddr, flowlog.FieldAction, flowlog.FieldProtocol,
		flowlog.FieldPktSrcAWSService, flowlog.FieldPktDstAWSService, flowlog.FieldInterfaceID, flowlog.FieldFlowDirection},
		HourOnly: true, ServiceFrom: DefaultEphemeralFrom},
	{Name: "eni", Dims: []flowlog.FieldID{
		flowlog.FieldInterfaceID, flowlog.FieldAccountID, flowlog.FieldVPCID, flowlog.FieldSubnetID,
		flowlog.FieldInstanceID, flowlog.FieldRegion, flowlog.FieldAZID, flowlog.FieldAction,
		flowlog.FieldProtocol, flowlog.FieldLogStatus, flowlog.FieldFlowDirection, flowlog.FieldType}},
}

func init() {
	for i := range cubes {
		cubes[i].set = flowlog.SetOf(cubes[i].Dims...)
	}
}

// Cubes returns the rollup cubes, the full cube first. The slice must not
// be modified.
func Cubes() []Cube { return cubes }

// FullCube returns the cube with every rollup dimension.
func FullCube() *Cube { return &cubes[0] }

// CubeByName returns the named cube.
func CubeByName(name string) (*Cube, bool) {
	for i := range cubes {
		if cubes[i].Name == name {
			return &cubes[i], true
		}
	}
	return nil, false
}

// RollupDims returns the dimensions of the full cube in column order.
func RollupDims() []flowlog.FieldID { return append([]flowlog.FieldID(nil), fullDims...) }

// IsRollupDim reports whether f is a dimension of the full cube.
func IsRollupDim(f flowlog.FieldID) bool { return cubes[0].set.Has(f) }

// Rollup measure columns.
const (
	ColFlows   = "flows"
	ColPackets = "packets"
	ColBytes   = "bytes"
)

// AddrColumns returns the names of the helper columns of an address column:
// the IPv4 address as an unsigned 32-bit integer, and the high and low 64
// bits of an IPv6 address (NULL for the other family), so that CIDR filters
// are range comparisons.
func AddrColumns(col string) (v4, v6hi, v6lo string) {
	return col + "_v4", col + "_v6hi", col + "_v6lo"
}

// AddrKey splits an address into its helper column values: v4 is set (ok4)
// for IPv4 (and IPv4-mapped IPv6) addresses, hi and lo for IPv6.
func AddrKey(a netip.Addr) (v4 uint32, hi, lo uint64, is4 bool) {
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3]), 0, 0, true
	}
	b := a.As16()
	for i := 0; i < 8; i++ {
		hi = hi<<8 | uint64(b[i])
		lo = lo<<8 | uint64(b[8+i])
	}
	return 0, hi, lo, false
}

// PrefixRange returns the smallest and largest helper values of the
// addresses in p: for IPv4 in [lo4, hi4]; for IPv6 the pair (hi, lo) ranges
// from (loHi, loLo) to (hiHi, hiLo).
func PrefixRange(p netip.Prefix) (first, last netip.Addr) {
	p = p.Masked()
	first = p.Addr()
	b := first.AsSlice()
	bits := p.Bits()
	for i := bits; i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	last, _ = netip.AddrFromSlice(b)
	return first, last
}
