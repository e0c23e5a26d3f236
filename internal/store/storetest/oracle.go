package storetest

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// Oracle answers q over recs with a straightforward loop: the reference the
// backends are compared with. It supports every part of store.Query except
// Filter.SQL. Rows are ordered as the backends order them: by q.OrderBy,
// then by every group column ascending, absent values last.
func Oracle(recs []flowlog.Record, q store.Query) (*store.Result, error) {
	if q.Filter.SQL != "" {
		return nil, fmt.Errorf("oracle: Filter.SQL is not supported")
	}
	measures := q.Measures
	if len(measures) == 0 {
		measures = []store.Measure{store.Flows, store.Packets, store.Bytes}
	}
	type group struct {
		keys     []any
		flows    uint64
		sums     []uint64
		distinct []map[any]bool
		minmax   []any
	}
	groups := map[string]*group{}
	var order []*group
	for i := range recs {
		r := &recs[i]
		ok, err := matches(r, &q)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		var keys []any
		if q.Bucket > 0 {
			keys = append(keys, bucketOf(r, q.Bucket))
		}
		for _, d := range q.GroupBy {
			keys = append(keys, dimValue(r, d))
		}
		k := fmt.Sprint(keys...)
		g := groups[k]
		if g == nil {
			g = &group{keys: keys, sums: make([]uint64, len(measures)), distinct: make([]map[any]bool, len(measures)), minmax: make([]any, len(measures))}
			groups[k] = g
			order = append(order, g)
		}
		g.flows++
		for j, m := range measures {
			switch m.Kind {
			case store.MeasurePackets, store.MeasureBytes, store.MeasureSum:
				f := m.Field
				if m.Kind == store.MeasurePackets {
					f = flowlog.FieldPackets
				} else if m.Kind == store.MeasureBytes {
					f = flowlog.FieldBytes
				}
				if r.Has(f) {
					v, _ := r.Uint(f)
					g.sums[j] += v
				}
			case store.MeasureDistinct, store.MeasureApproxDistinct:
				if v := fieldValue(r, m.Field); v != nil {
					if g.distinct[j] == nil {
						g.distinct[j] = map[any]bool{}
					}
					g.distinct[j][v] = true
				}
			case store.MeasureMin, store.MeasureMax:
				v := fieldValue(r, m.Field)
				if v == nil {
					continue
				}
				if cur := g.minmax[j]; cur == nil || (m.Kind == store.MeasureMin && compareValues(v, cur) < 0) ||
					(m.Kind == store.MeasureMax && compareValues(v, cur) > 0) {
					g.minmax[j] = v
				}
			}
		}
	}
	res := &store.Result{}
	if q.Bucket > 0 {
		res.Columns = append(res.Columns, store.Column{Name: "time", Type: store.TypeTime})
	}
	for _, d := range q.GroupBy {
		res.Columns = append(res.Columns, store.Column{Name: d.Name()})
	}
	for _, m := range measures {
		res.Columns = append(res.Columns, store.Column{Name: m.Name()})
	}
	if len(order) == 0 && len(q.GroupBy) == 0 && q.Bucket == 0 {
		order = append(order, &group{sums: make([]uint64, len(measures)), distinct: make([]map[any]bool, len(measures)), minmax: make([]any, len(measures))})
	}
	for _, g := range order {
		row := append([]any(nil), g.keys...)
		for j, m := range measures {
			switch m.Kind {
			case store.MeasureFlows:
				row = append(row, g.flows)
			case store.MeasureDistinct, store.MeasureApproxDistinct:
				row = append(row, uint64(len(g.distinct[j])))
			case store.MeasureMin, store.MeasureMax:
				row = append(row, g.minmax[j])
			default:
				row = append(row, g.sums[j])
			}
		}
		res.Rows = append(res.Rows, row)
	}
	SortRows(res, q)
	if q.Limit > 0 && len(res.Rows) > q.Limit {
		res.Rows = res.Rows[:q.Limit]
	}
	return res, nil
}

// SortRows orders rows as the backends do (see Oracle).
func SortRows(res *store.Result, q store.Query) {
	nkeys := len(q.GroupBy)
	if q.Bucket > 0 {
		nkeys++
	}
	slices.SortStableFunc(res.Rows, func(a, b []any) int {
		for _, o := range q.OrderBy {
			i := res.Col(o.Column)
			c := compareNullsLast(a[i], b[i])
			if o.Desc && a[i] != nil && b[i] != nil {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		for i := 0; i < nkeys; i++ {
			if c := compareNullsLast(a[i], b[i]); c != 0 {
				return c
			}
		}
		return 0
	})
}

func compareNullsLast(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	return compareValues(a, b)
}

// compareValues compares two values of the same column: numbers
// numerically, times chronologically, prefixes by family then address,
// strings bytewise.
func compareValues(a, b any) int {
	switch x := a.(type) {
	case uint64:
		return cmp.Compare(x, b.(uint64))
	case int64:
		return cmp.Compare(x, b.(int64))
	case time.Time:
		return x.Compare(b.(time.Time))
	case string:
		y := b.(string)
		pa, ea := netip.ParsePrefix(x)
		pb, eb := netip.ParsePrefix(y)
		if ea == nil && eb == nil && strings.Contains(x, "/") {
			if pa.Addr().Is4() != pb.Addr().Is4() {
				if pa.Addr().Is4() {
					return -1
				}
				return 1
			}
			return pa.Addr().Compare(pb.Addr())
		}
		return strings.Compare(x, y)
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// fieldValue returns the stored value of a field: uint64 for numbers, int64
// for times, the AWS text for the others, nil when absent.
func fieldValue(r *flowlog.Record, f flowlog.FieldID) any {
	if !r.Has(f) {
		return nil
	}
	switch k := f.Kind(); {
	case k == flowlog.KindTime:
		v, _ := r.Uint(f)
		return int64(v)
	case k.IsNumeric():
		v, _ := r.Uint(f)
		return v
	}
	return r.Text(f)
}

func bucketOf(r *flowlog.Record, b time.Duration) any {
	if !r.Has(flowlog.FieldStart) {
		return nil
	}
	secs := int64(b / time.Second)
	off := int64(0)
	if secs%(7*86400) == 0 {
		off = 4 * 86400
	}
	v := r.Start - off
	return time.Unix(v-((v%secs)+secs)%secs+off, 0).UTC()
}

func dimValue(r *flowlog.Record, d store.Dim) any {
	switch d.Kind {
	case store.DimHourOfDay:
		if !r.Has(flowlog.FieldStart) {
			return nil
		}
		return (r.Start / 3600) % 24
	case store.DimWeekday:
		if !r.Has(flowlog.FieldStart) {
			return nil
		}
		return (r.Start/86400 + 3) % 7
	case store.DimBelow:
		if v, ok := fieldValue(r, d.Field).(uint64); ok && v < d.Limit {
			return v
		}
		return nil
	case store.DimService:
		if !r.Has(flowlog.FieldProtocol) {
			return nil
		}
		side, port := flowlog.ServiceSide(r.Protocol, r.SrcPort, r.DstPort, r.Has(flowlog.FieldSrcPort), r.Has(flowlog.FieldDstPort), uint16(d.Limit))
		if side.Serves(d.Field == flowlog.FieldSrcPort) {
			return uint64(port)
		}
		return nil
	case store.DimPrefix:
		if !r.Has(d.Field) {
			return nil
		}
		a := r.AddrPtr(d.Field).Unmap()
		bits := d.Bits6
		if a.Is4() {
			bits = d.Bits4
		}
		p, _ := a.Prefix(bits)
		return p.String()
	}
	return fieldValue(r, d.Field)
}

func matches(r *flowlog.Record, q *store.Query) (bool, error) {
	if !q.Range.Start.IsZero() || !q.Range.End.IsZero() {
		if !r.Has(flowlog.FieldStart) {
			return false, nil
		}
		if !q.Range.Start.IsZero() && r.Start < ceilSec(q.Range.Start) {
			return false, nil
		}
		if !q.Range.End.IsZero() && r.Start >= ceilSec(q.Range.End) {
			return false, nil
		}
	}
	for _, c := range q.Filter.Conds {
		ok, err := condMatches(r, c)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

func ceilSec(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

func condMatches(r *flowlog.Record, c store.Cond) (bool, error) {
	v := fieldValue(r, c.Field)
	switch c.Op {
	case store.OpPresent:
		return v != nil, nil
	case store.OpAbsent:
		return v == nil, nil
	}
	if v == nil {
		return false, nil
	}
	if c.Op == store.OpInPrefix || c.Op == store.OpNotInPrefix {
		a := r.AddrPtr(c.Field).Unmap()
		in := false
		for _, pv := range c.Values {
			p, err := netip.ParsePrefix(fmt.Sprint(pv))
			if err != nil {
				return false, err
			}
			if p.Addr().Is4In6() && p.Bits() >= 96 {
				p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			}
			in = in || p.Contains(a)
		}
		return in == (c.Op == store.OpInPrefix), nil
	}
	vals := make([]any, len(c.Values))
	for i, x := range c.Values {
		n, err := normalizeCondValue(c.Field, x)
		if err != nil {
			return false, err
		}
		vals[i] = n
	}
	switch c.Op {
	case store.OpEq:
		return compareValues(v, vals[0]) == 0, nil
	case store.OpNe:
		return compareValues(v, vals[0]) != 0, nil
	case store.OpIn, store.OpNotIn:
		in := false
		for _, x := range vals {
			in = in || compareValues(v, x) == 0
		}
		return in == (c.Op == store.OpIn), nil
	case store.OpLt:
		return compareValues(v, vals[0]) < 0, nil
	case store.OpLe:
		return compareValues(v, vals[0]) <= 0, nil
	case store.OpGt:
		return compareValues(v, vals[0]) > 0, nil
	case store.OpGe:
		return compareValues(v, vals[0]) >= 0, nil
	}
	return false, fmt.Errorf("oracle: unknown operator %d", c.Op)
}

func normalizeCondValue(f flowlog.FieldID, x any) (any, error) {
	switch k := f.Kind(); {
	case k == flowlog.KindTime:
		return strconv.ParseInt(fmt.Sprint(x), 10, 64)
	case k.IsNumeric():
		return strconv.ParseUint(fmt.Sprint(x), 10, 64)
	case k == flowlog.KindAddr:
		a, err := netip.ParseAddr(fmt.Sprint(x))
		if err != nil {
			return nil, err
		}
		return a.String(), nil
	}
	return fmt.Sprint(x), nil
}
