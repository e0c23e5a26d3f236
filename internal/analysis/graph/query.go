package graph

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// portClass is a slice of the records by which of their ports may be a
// service port, and the port columns the store groups that slice by. Ports
// at or above EphemeralFrom are never grouped, so a graph never has a row
// per client connection.
type portClass struct {
	name  string
	conds []store.Cond
	dims  []flowlog.FieldID
	// portFilter is the field the Ports filter applies to (FieldInvalid:
	// the rows are filtered after the query; skip: no service port).
	portFilter flowlog.FieldID
	skip       bool
}

func portClasses(eph uint16) []portClass {
	e := uint64(eph)
	lt := func(f flowlog.FieldID) store.Cond { return store.Cond{Field: f, Op: store.OpLt, Values: []any{e}} }
	ge := func(f flowlog.FieldID) store.Cond { return store.Cond{Field: f, Op: store.OpGe, Values: []any{e}} }
	absent := func(f flowlog.FieldID) store.Cond { return store.Cond{Field: f, Op: store.OpAbsent} }
	present := func(f flowlog.FieldID) store.Cond { return store.Cond{Field: f, Op: store.OpPresent} }
	sp, dp := flowlog.FieldSrcPort, flowlog.FieldDstPort
	return []portClass{
		{name: "client to server", conds: []store.Cond{ge(sp), lt(dp)}, dims: []flowlog.FieldID{dp}, portFilter: dp},
		{name: "server to client", conds: []store.Cond{lt(sp), ge(dp)}, dims: []flowlog.FieldID{sp}, portFilter: sp},
		{name: "both low ports", conds: []store.Cond{lt(sp), lt(dp)}, dims: []flowlog.FieldID{sp, dp}},
		{name: "both ephemeral", conds: []store.Cond{ge(sp), ge(dp)}, skip: true},
		{name: "no source port", conds: []store.Cond{absent(sp)}, dims: []flowlog.FieldID{dp}, portFilter: dp},
		{name: "no destination port", conds: []store.Cond{present(sp), absent(dp)}, dims: []flowlog.FieldID{sp}, portFilter: sp},
	}
}

// Build computes the graph of the records of a store. The store
// aggregates: Build reads rows grouped by the fields the graph needs
// (addresses, action, and as needed protocol and non-ephemeral ports,
// interface fields, AWS services), never raw records. With ports (the
// service group, TopPorts or Ports) it runs one query per port class of
// records (six queries) on raw records; without, one query that rollups
// can answer.
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
	dims := []flowlog.FieldID{flowlog.FieldSrcAddr, flowlog.FieldDstAddr, flowlog.FieldAction}
	if need.ports {
		dims = append(dims, flowlog.FieldProtocol)
	}
	if need.ifaces {
		dims = append(dims, flowlog.FieldInterfaceID, flowlog.FieldFlowDirection)
	}
	if need.services {
		dims = append(dims, flowlog.FieldPktSrcAWSService, flowlog.FieldPktDstAWSService)
	}
	base := append(append([]store.Cond(nil), cfg.Filter.Conds...), cfg.extraConds()...)
	classes := []portClass{{name: "all"}}
	if need.ports {
		classes = portClasses(cfg.EphemeralFrom)
	}
	var rows []row
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
	for _, pc := range classes {
		if pc.skip && len(cfg.Ports) > 0 {
			continue // no service port: the Ports filter drops them all
		}
		conds := append(append([]store.Cond(nil), base...), pc.conds...)
		if len(cfg.Ports) > 0 && pc.portFilter != flowlog.FieldInvalid {
			vs := make([]any, len(cfg.Ports))
			for i, p := range cfg.Ports {
				vs[i] = uint64(p)
			}
			conds = append(conds, store.In(pc.portFilter, vs...))
		}
		f := cfg.Filter
		f.Conds = conds
		q := store.Query{Range: cfg.Range, Filter: f, Resolution: cfg.Resolution,
			Measures: []store.Measure{store.Flows, store.Packets, store.Bytes}}
		for _, d := range append(append([]flowlog.FieldID(nil), dims...), pc.dims...) {
			q.GroupBy = append(q.GroupBy, store.FieldDim(d))
		}
		res, err := r.Query(ctx, q)
		if err != nil {
			return nil, fmt.Errorf("graph: %s flows: %w", pc.name, err)
		}
		if res.Truncated {
			return nil, fmt.Errorf("graph: the store truncated the %s rows: narrow the time range or the filter", pc.name)
		}
		if rows, err = appendRows(rows, res, cfg.EphemeralFrom); err != nil {
			return nil, fmt.Errorf("graph: %s flows: %w", pc.name, err)
		}
		plans = append(plans, res.Plan)
	}
	g, err := assemble(&cfg, rows, ms)
	if err != nil {
		return nil, err
	}
	g.Plan = summarizePlans(plans)
	return g, nil
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

// appendRows decodes a result into rows.
func appendRows(rows []row, res *store.Result, eph uint16) ([]row, error) {
	col := func(f flowlog.FieldID) int { return res.Col(f.Column()) }
	src, dst, action := col(flowlog.FieldSrcAddr), col(flowlog.FieldDstAddr), col(flowlog.FieldAction)
	sp, dp, proto := col(flowlog.FieldSrcPort), col(flowlog.FieldDstPort), col(flowlog.FieldProtocol)
	iface, dir := col(flowlog.FieldInterfaceID), col(flowlog.FieldFlowDirection)
	ssvc, dsvc := col(flowlog.FieldPktSrcAWSService), col(flowlog.FieldPktDstAWSService)
	flows, packets, bytes := res.Col("flows"), res.Col("packets"), res.Col("bytes")
	if src < 0 || dst < 0 || action < 0 || flows < 0 || packets < 0 || bytes < 0 {
		return nil, fmt.Errorf("the store returned columns %v: want srcaddr, dstaddr, action, flows, packets and bytes", res.Columns)
	}
	addrs := map[string]netip.Addr{}
	addr := func(v any) (netip.Addr, error) {
		s, _ := v.(string)
		if s == "" {
			return netip.Addr{}, nil
		}
		if a, ok := addrs[s]; ok {
			return a, nil
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return a, fmt.Errorf("the store returned the address %q: %w", s, err)
		}
		addrs[s] = a
		return a, nil
	}
	str := func(row []any, i int) string {
		if i < 0 {
			return ""
		}
		s, _ := row[i].(string)
		return s
	}
	num := func(row []any, i int) (uint64, bool) {
		if i < 0 || row[i] == nil {
			return 0, false
		}
		switch x := row[i].(type) {
		case uint64:
			return x, true
		case int64:
			return uint64(x), x >= 0
		}
		return 0, false
	}
	for _, rw := range res.Rows {
		k := rowKey{sport: -1, dport: -1, proto: -1}
		var err error
		if k.src, err = addr(rw[src]); err != nil {
			return nil, err
		}
		if k.dst, err = addr(rw[dst]); err != nil {
			return nil, err
		}
		if a, ok := flowlog.ParseAction([]byte(str(rw, action))); ok {
			k.action = a
		}
		if v, ok := num(rw, sp); ok {
			k.sport = normPort(v, true, eph)
		}
		if v, ok := num(rw, dp); ok {
			k.dport = normPort(v, true, eph)
		}
		if v, ok := num(rw, proto); ok {
			k.proto = int16(v)
		}
		if d, ok := flowlog.ParseFlowDirection([]byte(str(rw, dir))); ok {
			k.dir = d
		}
		k.iface = str(rw, iface)
		k.srcSvc, k.dstSvc = str(rw, ssvc), str(rw, dsvc)
		f, _ := num(rw, flows)
		p, _ := num(rw, packets)
		b, _ := num(rw, bytes)
		rows = append(rows, row{k, Counts{f, p, b}})
	}
	return rows, nil
}
