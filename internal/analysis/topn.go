package analysis

import (
	"context"
	"fmt"
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
)

// Dimension is what a ranking groups records by.
type Dimension uint8

const (
	// BySource ranks source addresses (srcaddr).
	BySource Dimension = iota + 1
	// ByDestination ranks destination addresses (dstaddr).
	ByDestination
	// ByPair ranks (srcaddr, dstaddr) pairs.
	ByPair
	// ByDstPort ranks (dstport, protocol): 53/UDP and 53/TCP are two rows.
	ByDstPort
	// BySrcPort ranks (srcport, protocol). srcport is not a rollup
	// dimension: this ranking always reads raw records.
	BySrcPort
	// ByProtocol ranks IANA protocols.
	ByProtocol
	// ByInterface ranks network interfaces (interface-id).
	ByInterface
	// BySubnet ranks subnets: subnet-id where the records have it; records
	// without a subnet-id (default-format logs) are grouped by the network
	// of their source address (/24 for IPv4, /64 for IPv6) instead, and
	// TopRow.Basis says which applies.
	BySubnet
	// ByInstance ranks instances (instance-id).
	ByInstance
	// ByPktSource ranks packet-level source addresses (pkt-srcaddr; raw
	// records only).
	ByPktSource
	// ByPktDestination ranks packet-level destination addresses.
	ByPktDestination
	// ByPktPair ranks (pkt-srcaddr, pkt-dstaddr) pairs.
	ByPktPair
	// ByConversation ranks (srcaddr, dstaddr, dstport, protocol, action).
	ByConversation
)

type dimSpec struct {
	name    string
	aliases []string
	title   string // plural noun for the table title
	fields  []flowlog.FieldID
}

var dimSpecs = [...]dimSpec{
	BySource:         {"src", []string{"source", "sources", "srcaddr"}, "sources", []flowlog.FieldID{flowlog.FieldSrcAddr}},
	ByDestination:    {"dst", []string{"destination", "destinations", "dstaddr"}, "destinations", []flowlog.FieldID{flowlog.FieldDstAddr}},
	ByPair:           {"pair", []string{"pairs", "talkers"}, "source → destination pairs", []flowlog.FieldID{flowlog.FieldSrcAddr, flowlog.FieldDstAddr}},
	ByDstPort:        {"dstport", []string{"port", "ports", "dst-port"}, "destination ports", []flowlog.FieldID{flowlog.FieldDstPort, flowlog.FieldProtocol}},
	BySrcPort:        {"srcport", []string{"src-port"}, "source ports", []flowlog.FieldID{flowlog.FieldSrcPort, flowlog.FieldProtocol}},
	ByProtocol:       {"protocol", []string{"protocols", "proto"}, "protocols", []flowlog.FieldID{flowlog.FieldProtocol}},
	ByInterface:      {"eni", []string{"enis", "interface", "interfaces", "interface-id"}, "network interfaces", []flowlog.FieldID{flowlog.FieldInterfaceID}},
	BySubnet:         {"subnet", []string{"subnets", "subnet-id"}, "subnets", []flowlog.FieldID{flowlog.FieldSubnetID}},
	ByInstance:       {"instance", []string{"instances", "instance-id"}, "instances", []flowlog.FieldID{flowlog.FieldInstanceID}},
	ByPktSource:      {"pkt-src", []string{"pkt-srcaddr"}, "packet-level sources", []flowlog.FieldID{flowlog.FieldPktSrcAddr}},
	ByPktDestination: {"pkt-dst", []string{"pkt-dstaddr"}, "packet-level destinations", []flowlog.FieldID{flowlog.FieldPktDstAddr}},
	ByPktPair:        {"pkt-pair", nil, "packet-level pairs", []flowlog.FieldID{flowlog.FieldPktSrcAddr, flowlog.FieldPktDstAddr}},
	ByConversation: {"conversation", []string{"conversations"}, "conversations", []flowlog.FieldID{
		flowlog.FieldSrcAddr, flowlog.FieldDstAddr, flowlog.FieldDstPort, flowlog.FieldProtocol, flowlog.FieldAction}},
}

// Dimensions returns every dimension in declaration order.
func Dimensions() []Dimension {
	out := make([]Dimension, 0, len(dimSpecs)-1)
	for d := BySource; int(d) < len(dimSpecs); d++ {
		out = append(out, d)
	}
	return out
}

func (d Dimension) spec() (*dimSpec, error) {
	if d == 0 || int(d) >= len(dimSpecs) {
		return nil, fmt.Errorf("analysis: unknown dimension %d", d)
	}
	return &dimSpecs[d], nil
}

// String returns the dimension's name ("src", "dstport", ...).
func (d Dimension) String() string {
	if s, err := d.spec(); err == nil {
		return s.name
	}
	return fmt.Sprintf("Dimension(%d)", uint8(d))
}

// ParseDimension parses a dimension name or alias ("src", "source",
// "dstport", "eni", ...), in any case.
func ParseDimension(s string) (Dimension, error) {
	k := strings.ToLower(strings.TrimSpace(s))
	var names []string
	for _, d := range Dimensions() {
		sp := &dimSpecs[d]
		if k == sp.name {
			return d, nil
		}
		for _, a := range sp.aliases {
			if k == a {
				return d, nil
			}
		}
		names = append(names, sp.name)
	}
	return 0, fmt.Errorf("unknown dimension %q: use one of %s", s, strings.Join(names, ", "))
}

// TopOptions configures Top.
type TopOptions struct {
	Options
	// By is the ranked dimension (required).
	By Dimension
	// Metric orders the ranking (default bytes).
	Metric Metric
}

// TopRow is one ranked group. Only the key fields of the dimension are set.
type TopRow struct {
	Rank int
	// Src and Dst are addresses (pkt- addresses for the packet-level
	// dimensions).
	Src, Dst string
	Port     uint16
	Protocol uint8
	// Service is the well-known service of Port/Protocol (port
	// dimensions), or the protocol's name (ByProtocol).
	Service string
	Action  string
	// ID is the interface, subnet or instance ID, or for BySubnet the
	// source network of records without subnet-id.
	ID string
	// Basis (BySubnet only) is "subnet-id" or "srcaddr/24" / "srcaddr/64".
	Basis string
	Counts
	// Share is the row's percentage of Total for the ranked metric.
	Share float64
}

// TopResult is a ranking.
type TopResult struct {
	By     Dimension
	Metric Metric
	// Total counts every record of the range and filter, including those
	// whose key is absent (NODATA records have no addresses, ports, ...).
	Total Counts
	Rows  []TopRow
	// Plan says which stored data answered (see store.Result.Plan).
	Plan string
	// Title overrides the table title (reports set it).
	Title string
}

// Top ranks the groups of a dimension by a metric. Groups whose key is
// absent (a '-' in the input) are not ranked.
func Top(ctx context.Context, r store.Reader, opts TopOptions) (*TopResult, error) {
	return top(ctx, r, opts, nil)
}

// top is Top with, when known is not nil, the total of the options' records
// already counted.
func top(ctx context.Context, r store.Reader, opts TopOptions, known *Counts) (*TopResult, error) {
	spec, err := opts.By.spec()
	if err != nil {
		return nil, err
	}
	if err := opts.Metric.valid(); err != nil {
		return nil, err
	}
	limit, err := opts.limit(DefaultLimit)
	if err != nil {
		return nil, err
	}
	res := &TopResult{By: opts.By, Metric: opts.Metric}
	var plan string
	if known != nil {
		res.Total = *known
	} else if res.Total, plan, err = total(ctx, r, "top "+spec.title, &opts.Options); err != nil {
		return nil, err
	}
	var rows []TopRow
	var plan2 string
	if opts.By == BySubnet {
		rows, plan2, err = topSubnets(ctx, r, &opts, limit)
	} else {
		rows, plan2, err = topQuery(ctx, r, &opts.Options, opts.Metric, spec, limit)
	}
	if err != nil {
		return nil, err
	}
	res.Plan = plans(plan, plan2)
	res.Rows = finishRows(rows, opts.Metric, res.Total)
	return res, nil
}

// finishRows numbers rows and computes their shares.
func finishRows(rows []TopRow, m Metric, total Counts) []TopRow {
	for i := range rows {
		rows[i].Rank = i + 1
		rows[i].Share = percent(rows[i].Get(m), total.Get(m))
	}
	return rows
}

// topQuery runs one ranking query grouping by spec.fields.
func topQuery(ctx context.Context, r store.Reader, o *Options, m Metric, spec *dimSpec, limit int) ([]TopRow, string, error) {
	dims := make([]store.Dim, len(spec.fields))
	for i, f := range spec.fields {
		dims[i] = store.FieldDim(f)
	}
	q := o.query(dims, present(spec.fields...)...)
	q.OrderBy = []store.Order{{Column: m.String(), Desc: true}}
	q.Limit = limit
	res, err := run(ctx, r, "top "+spec.title, q)
	if err != nil {
		return nil, "", err
	}
	c, err := newCounter(res)
	if err != nil {
		return nil, "", err
	}
	cols := make([]int, len(spec.fields))
	for i, f := range spec.fields {
		if cols[i] = res.Col(f.Column()); cols[i] < 0 {
			return nil, "", fmt.Errorf("analysis: the store returned no %s column", f.Column())
		}
	}
	rows := make([]TopRow, 0, len(res.Rows))
	for _, row := range res.Rows {
		tr := TopRow{Counts: c.counts(row)}
		for i, f := range spec.fields {
			setKey(&tr, f, row[cols[i]])
		}
		switch {
		case spec.fields[0] == flowlog.FieldDstPort || spec.fields[0] == flowlog.FieldSrcPort:
			tr.Service = flowlog.ServiceName(tr.Port, tr.Protocol)
		case spec.fields[0] == flowlog.FieldProtocol:
			tr.Service = protocolName(tr.Protocol)
		}
		rows = append(rows, tr)
	}
	return rows, res.Plan, nil
}

// setKey stores the value v of key field f in tr.
func setKey(tr *TopRow, f flowlog.FieldID, v any) {
	switch f {
	case flowlog.FieldSrcAddr, flowlog.FieldPktSrcAddr:
		tr.Src = asString(v)
	case flowlog.FieldDstAddr, flowlog.FieldPktDstAddr:
		tr.Dst = asString(v)
	case flowlog.FieldDstPort, flowlog.FieldSrcPort:
		tr.Port = uint16(asUint(v))
	case flowlog.FieldProtocol:
		tr.Protocol = uint8(asUint(v))
	case flowlog.FieldAction:
		tr.Action = asString(v)
	default:
		tr.ID = asString(v)
	}
}

// Table returns the ranking as a table: rank, the key columns, flows,
// packets, bytes and the share of the ranked metric.
func (t *TopResult) Table() *render.Table {
	spec, err := t.By.spec()
	if err != nil {
		return &render.Table{Name: "top", Title: err.Error()}
	}
	title := t.Title
	if title == "" {
		title = "Top " + spec.title + " by " + t.Metric.String()
	}
	tab := &render.Table{Name: "top_" + strings.ReplaceAll(spec.name, "-", "_"), Title: title}
	tab.Columns = append(tab.Columns, render.Column{Name: "rank", Title: "#", Kind: render.KindID})
	tab.Columns = append(tab.Columns, keyColumns(t.By, spec)...)
	tab.Columns = append(tab.Columns, countColumns()...)
	tab.Columns = append(tab.Columns, render.Column{Name: "share", Title: "% " + t.Metric.String(), Kind: render.KindPercent})
	for i := range t.Rows {
		row := &t.Rows[i]
		cells := []any{row.Rank}
		cells = append(cells, keyCells(t.By, spec, row)...)
		cells = append(cells, row.Flows, row.Packets, row.Bytes, row.Share)
		tab.Rows = append(tab.Rows, cells)
	}
	return tab
}

func countColumns() []render.Column {
	return []render.Column{
		{Name: "flows", Title: "Flows", Kind: render.KindInt},
		{Name: "packets", Title: "Packets", Kind: render.KindInt},
		{Name: "bytes", Title: "Bytes", Kind: render.KindBytes},
	}
}

func keyColumns(d Dimension, spec *dimSpec) []render.Column {
	var cols []render.Column
	for _, f := range spec.fields {
		switch f {
		case flowlog.FieldDstPort, flowlog.FieldSrcPort:
			cols = append(cols, render.Column{Name: f.Column(), Title: f.Name(), Kind: render.KindID})
		case flowlog.FieldProtocol:
			cols = append(cols, render.Column{Name: "protocol", Title: "proto", Kind: render.KindID})
			if d == ByProtocol {
				cols = append(cols, render.Column{Name: "name", Title: "name"})
			} else {
				cols = append(cols, render.Column{Name: "protocol_name", Title: "proto name"})
			}
		default:
			cols = append(cols, render.Column{Name: f.Column(), Title: f.Name()})
		}
	}
	if d == ByDstPort || d == BySrcPort {
		cols = append(cols, render.Column{Name: "service", Title: "service"})
	}
	if d == BySubnet {
		cols[0] = render.Column{Name: "subnet", Title: "subnet"}
		cols = append(cols, render.Column{Name: "basis", Title: "basis"})
	}
	return cols
}

func keyCells(d Dimension, spec *dimSpec, row *TopRow) []any {
	var cells []any
	for _, f := range spec.fields {
		switch f {
		case flowlog.FieldSrcAddr, flowlog.FieldPktSrcAddr:
			cells = append(cells, row.Src)
		case flowlog.FieldDstAddr, flowlog.FieldPktDstAddr:
			cells = append(cells, row.Dst)
		case flowlog.FieldDstPort, flowlog.FieldSrcPort:
			cells = append(cells, row.Port)
		case flowlog.FieldProtocol:
			name := protocolName(row.Protocol)
			cells = append(cells, row.Protocol, name)
		case flowlog.FieldAction:
			cells = append(cells, row.Action)
		default:
			cells = append(cells, row.ID)
		}
	}
	if d == ByDstPort || d == BySrcPort {
		cells = append(cells, nilIfEmpty(row.Service))
	}
	if d == BySubnet {
		cells = append(cells, row.Basis)
	}
	return cells
}

func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
