// Package filestats computes what `flowlens stats PATH...` prints: record
// counts by version, log-status and action, the time range, exact distinct
// counts of interfaces and addresses, and the parse statistics.
//
// Batches arrive from several parse workers at once. Each worker adds to its
// own accumulator, with no lock and no allocation per record in steady
// state; Result merges the accumulators.
package filestats

import (
	"fmt"
	"math"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// Aggregator accumulates statistics over flow records delivered by several
// workers concurrently.
type Aggregator struct {
	accs []*acc
}

// acc is the accumulator of one worker. The padding keeps the counters of
// two workers off a shared cache line.
type acc struct {
	_         [64]byte
	records   uint64
	packets   uint64
	bytes     uint64
	noVersion uint64
	minStart  int64
	maxEnd    int64
	hasStart  bool
	hasEnd    bool
	versions  [256]uint64
	statuses  [256]uint64 // by flowlog.LogStatus; 0: absent
	actions   [256]uint64 // by flowlog.Action; 0: absent
	enis      strSet
	src, dst  addrSet
	_         [64]byte
}

func newAcc() *acc {
	return &acc{
		minStart: math.MaxInt64,
		maxEnd:   math.MinInt64,
		enis:     newStrSet(),
		src:      newAddrSet(),
		dst:      newAddrSet(),
	}
}

// New returns an Aggregator for batches from worker indexes 0 to workers-1
// (at least one).
func New(workers int) *Aggregator {
	if workers < 1 {
		workers = 1
	}
	a := &Aggregator{accs: make([]*acc, workers)}
	for i := range a.accs {
		a.accs[i] = newAcc()
	}
	return a
}

// Workers returns the number of workers a was made for.
func (a *Aggregator) Workers() int { return len(a.accs) }

// Add accumulates a batch. Calls with different worker indexes may run
// concurrently; calls with the same index must not. The batch is not
// retained. It panics if worker is out of range (a wiring bug).
func (a *Aggregator) Add(worker int, batch []flowlog.Record) {
	if worker < 0 || worker >= len(a.accs) {
		panic(fmt.Sprintf("filestats: worker %d out of range [0, %d)", worker, len(a.accs)))
	}
	a.accs[worker].add(batch)
}

// Fields returns the set of fields Add reads, for a parser projection
// (parse.Config.Fields): records need no other field.
func Fields() flowlog.FieldSet {
	return flowlog.SetOf(flowlog.FieldVersion, flowlog.FieldInterfaceID, flowlog.FieldSrcAddr, flowlog.FieldDstAddr,
		flowlog.FieldPackets, flowlog.FieldBytes, flowlog.FieldStart, flowlog.FieldEnd, flowlog.FieldAction,
		flowlog.FieldLogStatus)
}

// Handle is Add with the signature of a parse.ParseStream handler.
func (a *Aggregator) Handle(worker int, batch []flowlog.Record) error {
	a.Add(worker, batch)
	return nil
}

func (c *acc) add(batch []flowlog.Record) {
	c.records += uint64(len(batch))
	for i := range batch {
		r := &batch[i]
		p := r.Present
		if p.Has(flowlog.FieldVersion) {
			c.versions[r.Version]++
		} else {
			c.noVersion++
		}
		var st flowlog.LogStatus
		if p.Has(flowlog.FieldLogStatus) {
			st = r.Status
		}
		c.statuses[st]++
		var ac flowlog.Action
		if p.Has(flowlog.FieldAction) {
			ac = r.Action
		}
		c.actions[ac]++
		if p.Has(flowlog.FieldPackets) {
			c.packets += r.Packets
		}
		if p.Has(flowlog.FieldBytes) {
			c.bytes += r.Bytes
		}
		if p.Has(flowlog.FieldStart) {
			c.hasStart = true
			c.minStart = min(c.minStart, r.Start)
		}
		if p.Has(flowlog.FieldEnd) {
			c.hasEnd = true
			c.maxEnd = max(c.maxEnd, r.End)
		}
		if p.Has(flowlog.FieldInterfaceID) {
			// strSet.add, written out: it does not inline.
			v := r.InterfaceID
			if i := c.enis.ptrSlot(v); !samePtr(c.enis.ptrs[i], v) || len(v) == 0 {
				c.enis.addSlow(v, i)
			}
		}
		if p.Has(flowlog.FieldSrcAddr) {
			c.src.add(r.SrcAddr)
		}
		if p.Has(flowlog.FieldDstAddr) {
			c.dst.add(r.DstAddr)
		}
	}
}

// merge adds o into c.
func (c *acc) merge(o *acc) {
	c.records += o.records
	c.packets += o.packets
	c.bytes += o.bytes
	c.noVersion += o.noVersion
	c.minStart = min(c.minStart, o.minStart)
	c.maxEnd = max(c.maxEnd, o.maxEnd)
	c.hasStart = c.hasStart || o.hasStart
	c.hasEnd = c.hasEnd || o.hasEnd
	for i := range c.versions {
		c.versions[i] += o.versions[i]
		c.statuses[i] += o.statuses[i]
		c.actions[i] += o.actions[i]
	}
	c.enis.merge(&o.enis)
	c.src.merge(&o.src)
	c.dst.merge(&o.dst)
}

// Result is the merged outcome of an aggregation.
type Result struct {
	Records uint64
	// Packets and Bytes sum the packets and bytes fields of the records
	// that have them (the traffic the records describe, not the input size).
	Packets uint64
	Bytes   uint64
	// Versions counts records by version; NoVersion those without one.
	Versions  [256]uint64
	NoVersion uint64
	// Statuses counts records by flowlog.LogStatus and Actions by
	// flowlog.Action; index 0 counts the records without the field.
	Statuses [256]uint64
	Actions  [256]uint64
	// FirstStart is the smallest start and LastEnd the largest end (Unix
	// seconds), valid when HasStart and HasEnd.
	FirstStart int64
	LastEnd    int64
	HasStart   bool
	HasEnd     bool
	// Interfaces, SrcAddrs and DstAddrs are exact distinct counts of
	// interface-id, srcaddr and dstaddr among the records that have them.
	Interfaces int
	SrcAddrs   int
	DstAddrs   int
}

// Result merges the workers' accumulators and returns the totals. It must
// not run concurrently with Add. It may be called again after more Adds:
// the accumulators of workers 1..n-1 are folded into worker 0's, so the
// totals stay exact.
func (a *Aggregator) Result() Result {
	total := a.accs[0]
	for i := 1; i < len(a.accs); i++ {
		if a.accs[i].records == 0 {
			continue
		}
		total.merge(a.accs[i])
		a.accs[i] = newAcc()
	}
	res := Result{
		Records:    total.records,
		Packets:    total.packets,
		Bytes:      total.bytes,
		Versions:   total.versions,
		NoVersion:  total.noVersion,
		Statuses:   total.statuses,
		Actions:    total.actions,
		Interfaces: total.enis.len(),
		SrcAddrs:   total.src.len(),
		DstAddrs:   total.dst.len(),
	}
	if total.hasStart {
		res.FirstStart, res.HasStart = total.minStart, true
	}
	if total.hasEnd {
		res.LastEnd, res.HasEnd = total.maxEnd, true
	}
	return res
}
