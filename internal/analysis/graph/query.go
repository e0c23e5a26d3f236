package graph

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// Build computes the graph of the records of a store. The store
// aggregates: Build reads rows grouped by the fields the graph needs
// (addresses, action, and as needed protocol and service ports, interface
// fields, AWS services), never raw records, in one unordered query (three
// selective ones with a Ports filter, see recordSlices). Ports take part
// as the service port of each end (store.ServiceDim: the rule of
// flowlog.ServiceSide, which records in memory follow too, see
// servicePort), so a graph never has a row per client connection, and the
// store's graph cube answers for the default EphemeralFrom.
func Build(ctx context.Context, r store.Reader, cfg Configuration) (*Graph, error) {
	if r == nil {
		return nil, errors.New("graph: no store: open one first")
	}
	cfg, err := cfg.normalized()
	if err != nil {
		return nil, err
	}
	if cfg.Match != nil {
		return nil, errors.New("graph: Match applies to records in memory: give a store query its filter pattern as Filter.SQL")
	}
	need := cfg.needs()
	base := append(append([]store.Cond(nil), cfg.Filter.Conds...), cfg.extraConds()...)
	var plans []string
	ms := metas{}
	if need.ifaces {
		f := cfg.Filter
		f.Conds = append(append([]store.Cond(nil), base...), store.Cond{Field: flowlog.FieldInterfaceID, Op: store.OpPresent})
		q := store.Query{Range: cfg.Range, Filter: f, Resolution: cfg.Resolution, Measures: []store.Measure{store.Flows}}
		for _, d := range []flowlog.FieldID{flowlog.FieldInterfaceID, flowlog.FieldSubnetID, flowlog.FieldVPCID, flowlog.FieldAZID} {
			q.GroupBy = append(q.GroupBy, store.FieldDim(d))
		}
		res, err := r.Query(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("graph: interfaces: %w", err)
		}
		if err := addMetas(ms, res); err != nil {
			return nil, err
		}
		plans = append(plans, res.Plan)
	}
	asm := newAssembler(&cfg, ms)
	pipe := newRowPipe(asm)
	for _, sl := range recordSlices(&cfg, need) {
		q := rowQuery(&cfg, need, append(append([]store.Cond(nil), base...), sl.conds...))
		cols, err := rowQueryCols(&q)
		if err != nil {
			pipe.close()
			return nil, fmt.Errorf("graph: %s: %w", sl.name, err)
		}
		dec := newRowDecoder(cols, cfg.EphemeralFrom)
		res, err := r.Scan(ctx, q, func(rw []any) error {
			x, err := dec.decode(rw)
			if err != nil {
				return err
			}
			pipe.add(x)
			return nil
		})
		if err != nil {
			pipe.close()
			return nil, fmt.Errorf("graph: %s: %w", sl.name, err)
		}
		plans = append(plans, res.Plan)
	}
	pipe.close()
	g, err := asm.graph()
	if err != nil {
		return nil, err
	}
	g.Plan = summarizePlans(plans)
	return g, nil
}

// rowPipe hands decoded rows to the assembler on another goroutine, in
// batches: reading and decoding the store's rows and aggregating them into
// edges then run on two cores (the store's engine is idle by then: its
// aggregation finishes before the first row comes out).
type rowPipe struct {
	asm   *assembler
	batch []row
	full  chan []row
	free  chan []row
	done  chan struct{}
}

const pipeBatch = 2048

func newRowPipe(asm *assembler) *rowPipe {
	p := &rowPipe{asm: asm, full: make(chan []row, 4), free: make(chan []row, 6), done: make(chan struct{})}
	p.batch = make([]row, 0, pipeBatch)
	go func() {
		defer close(p.done)
		for b := range p.full {
			for i := range b {
				asm.add(&b[i])
			}
			clear(b) // drop the strings they hold
			select {
			case p.free <- b[:0]:
			default:
			}
		}
	}()
	return p
}

func (p *rowPipe) add(x row) {
	p.batch = append(p.batch, x)
	if len(p.batch) == pipeBatch {
		p.full <- p.batch
		select {
		case p.batch = <-p.free:
		default:
			p.batch = make([]row, 0, pipeBatch)
		}
	}
}

// close hands over the last rows and waits until every row is aggregated.
func (p *rowPipe) close() {
	if p.full == nil {
		return
	}
	if len(p.batch) > 0 {
		p.full <- p.batch
	}
	close(p.full)
	<-p.done
	p.full = nil
}

// recordSlice is a part of the selected records that Build reads with one
// query.
type recordSlice struct {
	name  string
	conds []store.Cond
}

// recordSlices returns the parts of the selected records the graph reads:
// all of them, or with a Ports filter only the records with one of the
// ports on either side, in three disjoint slices (store conditions are
// AND-ed) that scan fast when the ports are rare (a row whose service port
// is not in Ports is then dropped by assemble). Interfaces are learned from
// every selected record, as FromRecords does, so with interfaces the store
// reads them all.
func recordSlices(cfg *Configuration, need needs) []recordSlice {
	if len(cfg.Ports) == 0 || need.ifaces {
		return []recordSlice{{name: "flows"}}
	}
	vs := make([]any, len(cfg.Ports))
	for i, p := range cfg.Ports {
		vs[i] = uint64(p)
	}
	sp, dp := flowlog.FieldSrcPort, flowlog.FieldDstPort
	return []recordSlice{
		{name: "flows from the ports", conds: []store.Cond{store.In(sp, vs...)}},
		{name: "flows to the ports", conds: []store.Cond{store.In(dp, vs...), {Field: sp, Op: store.OpNotIn, Values: vs}}},
		{name: "flows to the ports without a source port", conds: []store.Cond{store.In(dp, vs...), {Field: sp, Op: store.OpAbsent}}},
	}
}

// rowQuery returns the query of the rows of the records matching conds.
func rowQuery(cfg *Configuration, need needs, conds []store.Cond) store.Query {
	f := cfg.Filter
	f.Conds = conds
	q := store.Query{Range: cfg.Range, Filter: f, Resolution: cfg.Resolution,
		Measures: []store.Measure{store.Flows, store.Packets, store.Bytes}, Unordered: true}
	field := func(ids ...flowlog.FieldID) {
		for _, id := range ids {
			q.GroupBy = append(q.GroupBy, store.FieldDim(id))
		}
	}
	field(flowlog.FieldSrcAddr, flowlog.FieldDstAddr, flowlog.FieldAction)
	if need.ports {
		field(flowlog.FieldProtocol)
		q.GroupBy = append(q.GroupBy, store.ServiceDim(flowlog.FieldSrcPort, cfg.EphemeralFrom), store.ServiceDim(flowlog.FieldDstPort, cfg.EphemeralFrom))
	}
	if need.ifaces {
		field(flowlog.FieldInterfaceID, flowlog.FieldFlowDirection)
	}
	if need.services {
		field(flowlog.FieldPktSrcAWSService, flowlog.FieldPktDstAWSService)
	}
	return q
}

// summarizePlans joins the distinct plans.
func summarizePlans(ps []string) string {
	var out []string
	for _, p := range ps {
		if p != "" && !containsString(out, p) {
			out = append(out, p)
		}
	}
	return strings.Join(out, "; ")
}

func containsString(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// addMetas reads the subnet, VPC and zone of interfaces.
func addMetas(ms metas, res *store.Result) error {
	cols := [4]int{}
	for i, f := range []flowlog.FieldID{flowlog.FieldInterfaceID, flowlog.FieldSubnetID, flowlog.FieldVPCID, flowlog.FieldAZID} {
		if cols[i] = res.Col(f.Column()); cols[i] < 0 {
			return fmt.Errorf("graph: interfaces: the store returned no %s column", f.Column())
		}
	}
	for _, rw := range res.Rows {
		var v [4]string
		for i, c := range cols {
			v[i], _ = rw[c].(string)
		}
		if v[0] != "" {
			ms.add(v[0], v[1], v[2], v[3])
		}
	}
	return nil
}
