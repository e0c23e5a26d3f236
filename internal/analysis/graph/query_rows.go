package graph

import (
	"fmt"
	"net/netip"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// resultCols are the indexes of the columns of a store result that rows
// read (-1: not in the result).
type resultCols struct {
	src, dst, action, proto, sport, dport int
	iface, dir, srcSvc, dstSvc            int
	flows, packets, bytes                 int
}

func colsOf(res *store.Result) (resultCols, error) {
	col := func(f flowlog.FieldID) int { return res.Col(f.Column()) }
	c := resultCols{
		src: col(flowlog.FieldSrcAddr), dst: col(flowlog.FieldDstAddr), action: col(flowlog.FieldAction),
		proto: col(flowlog.FieldProtocol), sport: col(flowlog.FieldSrcPort), dport: col(flowlog.FieldDstPort),
		iface: col(flowlog.FieldInterfaceID), dir: col(flowlog.FieldFlowDirection),
		srcSvc: col(flowlog.FieldPktSrcAWSService), dstSvc: col(flowlog.FieldPktDstAWSService),
		flows: res.Col(store.Flows.Name()), packets: res.Col(store.Packets.Name()), bytes: res.Col(store.Bytes.Name()),
	}
	if c.src < 0 || c.dst < 0 || c.action < 0 || c.flows < 0 || c.packets < 0 || c.bytes < 0 {
		return c, fmt.Errorf("the store returned columns %v: want srcaddr, dstaddr, action, flows, packets and bytes", res.Columns)
	}
	return c, nil
}

// rowQueryCols are the columns of every row query (rowQuery): the store
// names its result columns after the query's dimensions and measures.
func rowQueryCols(q *store.Query) (resultCols, error) {
	res := &store.Result{}
	for _, d := range q.GroupBy {
		res.Columns = append(res.Columns, store.Column{Name: d.Name()})
	}
	for _, m := range q.Measures {
		res.Columns = append(res.Columns, store.Column{Name: m.Name()})
	}
	return colsOf(res)
}

// rowDecoder decodes result rows into rows, normalised as the Builder's
// (see row). The store returns each address as text once per row: a graph
// has far fewer addresses than rows, so each text is parsed once.
type rowDecoder struct {
	c     resultCols
	eph   uint16
	addrs map[string]netip.Addr
}

func newRowDecoder(c resultCols, eph uint16) *rowDecoder {
	return &rowDecoder{c: c, eph: eph, addrs: map[string]netip.Addr{}}
}

func (d *rowDecoder) addr(v any) (netip.Addr, error) {
	s, _ := v.(string)
	if s == "" {
		return netip.Addr{}, nil
	}
	if a, ok := d.addrs[s]; ok {
		return a, nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return a, fmt.Errorf("the store returned the address %q: %w", s, err)
	}
	d.addrs[s] = a
	return a, nil
}

// decode returns the row of result row rw.
func (d *rowDecoder) decode(rw []any) (row, error) {
	c := &d.c
	k := rowKey{sport: -1, dport: -1, proto: -1}
	var err error
	if k.src, err = d.addr(rw[c.src]); err != nil {
		return row{}, err
	}
	if k.dst, err = d.addr(rw[c.dst]); err != nil {
		return row{}, err
	}
	k.action = parseAction(str(rw, c.action))
	if v, ok := num(rw, c.sport); ok {
		k.sport = normPort(v, true, d.eph)
	}
	if v, ok := num(rw, c.dport); ok {
		k.dport = normPort(v, true, d.eph)
	}
	if v, ok := num(rw, c.proto); ok {
		k.proto = int16(v)
	}
	k.iface, k.dir = str(rw, c.iface), parseDirection(str(rw, c.dir))
	k.srcSvc, k.dstSvc = str(rw, c.srcSvc), str(rw, c.dstSvc)
	f, _ := num(rw, c.flows)
	p, _ := num(rw, c.packets)
	b, _ := num(rw, c.bytes)
	return row{k, Counts{f, p, b}}, nil
}

// str returns the string in column i of a row ("" for NULL or no column).
func str(rw []any, i int) string {
	if i < 0 {
		return ""
	}
	s, _ := rw[i].(string)
	return s
}

// num returns the number in column i of a row (false: NULL or no column).
func num(rw []any, i int) (uint64, bool) {
	if i < 0 {
		return 0, false
	}
	switch x := rw[i].(type) {
	case uint64:
		return x, true
	case int64:
		return uint64(x), x >= 0
	}
	return 0, false
}

// parseAction returns the action of a value ("" and unknown: 0).
func parseAction(s string) flowlog.Action {
	a, _ := flowlog.ParseAction([]byte(s))
	return a
}

// parseDirection returns the flow direction of a value ("" and unknown: 0).
func parseDirection(s string) flowlog.FlowDirection {
	d, _ := flowlog.ParseFlowDirection([]byte(s))
	return d
}
