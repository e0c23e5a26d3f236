package analysis

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// Subnet fallback prefix lengths (see BySubnet).
const (
	subnetBits4 = 24
	subnetBits6 = 64
)

// topSubnets ranks subnet IDs and, for records without a subnet-id, the
// networks of their source addresses. Each query returns its own top limit
// rows; the union of both holds the overall top limit.
func topSubnets(ctx context.Context, r store.Reader, o *TopOptions, limit int) ([]TopRow, string, error) {
	order := []store.Order{{Column: o.Metric.String(), Desc: true}}
	q1 := o.query([]store.Dim{store.FieldDim(flowlog.FieldSubnetID)}, present(flowlog.FieldSubnetID)...)
	q1.OrderBy, q1.Limit = order, limit
	netDim := store.PrefixDim(flowlog.FieldSrcAddr, subnetBits4, subnetBits6)
	q2 := o.query([]store.Dim{netDim},
		store.Cond{Field: flowlog.FieldSubnetID, Op: store.OpAbsent},
		store.Cond{Field: flowlog.FieldSrcAddr, Op: store.OpPresent})
	q2.OrderBy, q2.Limit = order, limit
	var rows []TopRow
	var ps []string
	for i, q := range []store.Query{q1, q2} {
		res, err := run(ctx, r, "top subnets", q)
		if err != nil {
			return nil, "", err
		}
		ps = append(ps, res.Plan)
		c, err := newCounter(res)
		if err != nil {
			return nil, "", err
		}
		for _, row := range res.Rows {
			tr := TopRow{Counts: c.counts(row), Basis: "subnet-id"}
			if i == 0 {
				tr.ID = asString(row[res.Col(flowlog.FieldSubnetID.Column())])
			} else {
				tr.ID = asString(row[res.Col(netDim.Name())])
				tr.Basis = fmt.Sprintf("srcaddr/%d", subnetBits4)
				if strings.Contains(tr.ID, ":") {
					tr.Basis = fmt.Sprintf("srcaddr/%d", subnetBits6)
				}
			}
			rows = append(rows, tr)
		}
	}
	slices.SortStableFunc(rows, func(a, b TopRow) int {
		if c := cmp.Compare(b.Get(o.Metric), a.Get(o.Metric)); c != 0 {
			return c
		}
		return compareSubnetKeys(a, b)
	})
	if len(rows) > limit {
		rows = rows[:limit]
	}
	return rows, plans(ps...), nil
}

// compareSubnetKeys orders subnet IDs (by text) before source networks (by
// address, IPv4 first).
func compareSubnetKeys(a, b TopRow) int {
	an, bn := a.Basis != "subnet-id", b.Basis != "subnet-id"
	switch {
	case an != bn:
		if an {
			return 1
		}
		return -1
	case !an:
		return strings.Compare(a.ID, b.ID)
	}
	pa, ea := netip.ParsePrefix(a.ID)
	pb, eb := netip.ParsePrefix(b.ID)
	if ea != nil || eb != nil {
		return strings.Compare(a.ID, b.ID)
	}
	return pa.Addr().Compare(pb.Addr())
}

// group is one group of a merged query: its key values and counts.
type group struct {
	keys []any
	Counts
}

// unionGroups answers a disjunction of conditions exactly without SQL: it
// runs one query per part (the parts must select disjoint sets of records),
// grouping by dims, and sums the groups with equal keys. When order is
// given, groups are ranked by it (descending), then by their keys
// (ascending, absent last), and cut to limit (0: no limit). Groups with an
// absent key are kept.
func unionGroups(ctx context.Context, r store.Reader, what string, o *Options, dims []store.Dim, parts [][]store.Cond, order *Metric, limit int) ([]group, string, error) {
	index := map[string]int{}
	var out []group
	var ps []string
	for _, part := range parts {
		res, err := run(ctx, r, what, o.query(dims, part...))
		if err != nil {
			return nil, "", err
		}
		ps = append(ps, res.Plan)
		c, err := newCounter(res)
		if err != nil {
			return nil, "", err
		}
		cols := make([]int, len(dims))
		for i, d := range dims {
			cols[i] = res.Col(d.Name())
		}
		for _, row := range res.Rows {
			keys := make([]any, len(dims))
			for i, ci := range cols {
				keys[i] = row[ci]
			}
			k := fmt.Sprintf("%#v", keys)
			i, ok := index[k]
			if !ok {
				i = len(out)
				index[k] = i
				out = append(out, group{keys: keys})
			}
			out[i].Add(c.counts(row))
		}
	}
	if order != nil {
		slices.SortStableFunc(out, func(a, b group) int {
			if c := cmp.Compare(b.Get(*order), a.Get(*order)); c != 0 {
				return c
			}
			return compareKeys(a.keys, b.keys)
		})
	}
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, plans(ps...), nil
}

// compareKeys orders key tuples as the store orders group columns:
// ascending, absent values last.
func compareKeys(a, b []any) int {
	for i := range a {
		if c := compareValue(a[i], b[i]); c != 0 {
			return c
		}
	}
	return 0
}

func compareValue(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	switch x := a.(type) {
	case uint64:
		if y, ok := b.(uint64); ok {
			return cmp.Compare(x, y)
		}
	case int64:
		if y, ok := b.(int64); ok {
			return cmp.Compare(x, y)
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// portsEither returns disjoint condition sets whose union selects the
// records whose srcport or dstport is in ports: dstport matches; or dstport
// does not match (or is absent) and srcport matches.
func portsEither(ports []any) [][]store.Cond {
	dst := store.In(flowlog.FieldDstPort, ports...)
	src := store.In(flowlog.FieldSrcPort, ports...)
	return [][]store.Cond{
		{dst},
		{{Field: flowlog.FieldDstPort, Op: store.OpNotIn, Values: ports}, src},
		{{Field: flowlog.FieldDstPort, Op: store.OpAbsent}, src},
	}
}
