package memory

import (
	"fmt"
	"math"
	"net/netip"
	"slices"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// pred is a compiled store.Cond. Conditions compare the stored
// representation of the embedded store's SQL: numbers numerically,
// addresses and enums by their canonical text, and an absent field matches
// nothing but OpAbsent (SQL NULL).
type pred struct {
	field flowlog.FieldID
	st    storage
	// presence is 1 for OpPresent, -1 for OpAbsent, 0 for value tests.
	presence int
	tab      []bool // stU8 (256 entries), stU16 (65536): does the value match
	num      numTest
	// memo caches fn per dictionary id: 0 unknown, 1 no, 2 yes.
	memo []uint8
	fn   func(id uint32) bool
}

// numTest tests stU64 (unsigned) and stI64 (signed, as int64 bits) values:
// either v in [lo, hi] or v in set, negated when neg.
type numTest struct {
	signed, isSet, neg bool
	lo, hi             uint64
	set                []uint64
}

func (t *numTest) ok(v uint64) bool {
	if t.isSet {
		return slices.Contains(t.set, v) != t.neg
	}
	if t.signed {
		return (int64(v) >= int64(t.lo) && int64(v) <= int64(t.hi)) != t.neg
	}
	return (v >= t.lo && v <= t.hi) != t.neg
}

// compilePred compiles c; store.Build has validated it already.
func compilePred(st *state, c store.Cond) (*pred, error) {
	f := c.Field
	p := &pred{field: f, st: storageOf(f)}
	switch c.Op {
	case store.OpPresent:
		p.presence = 1
		return p, nil
	case store.OpAbsent:
		p.presence = -1
		return p, nil
	}
	bad := func(v any, why string) error { return fmt.Errorf("filter: %s: %v: %s", f, v, why) }
	switch {
	case f.Kind() == flowlog.KindAddr:
		fn, err := addrTest(c, bad)
		if err != nil {
			return nil, err
		}
		p.memo = make([]uint8, len(st.addrs))
		p.fn = func(id uint32) bool { return fn(st.addrs[id]) }
	case f.Kind() == flowlog.KindString:
		var vals []string
		for _, v := range c.Values {
			s, ok := v.(string)
			if !ok {
				return nil, bad(v, "not a string")
			}
			vals = append(vals, s)
		}
		neg := c.Op == store.OpNe || c.Op == store.OpNotIn
		p.memo = make([]uint8, len(st.strs))
		p.fn = func(id uint32) bool { return slices.Contains(vals, st.strs[id]) != neg }
	case isEnum(f.Kind()):
		var vals []string
		for _, v := range c.Values {
			s, err := enumValue(f, v)
			if err != nil {
				return nil, err
			}
			vals = append(vals, s)
		}
		neg := c.Op == store.OpNe || c.Op == store.OpNotIn
		p.tab = make([]bool, 256)
		for code := range p.tab {
			p.tab[code] = slices.Contains(vals, enumText(f.Kind(), uint8(code))) != neg
		}
	default:
		t, err := numericTest(f, c, bad)
		if err != nil {
			return nil, err
		}
		switch p.st {
		case stU8, stU16:
			p.tab = make([]bool, 256)
			if p.st == stU16 {
				p.tab = make([]bool, 65536)
			}
			for v := range p.tab {
				p.tab[v] = t.ok(uint64(v))
			}
		default:
			p.num = t
		}
	}
	return p, nil
}

func numericTest(f flowlog.FieldID, c store.Cond, bad func(any, string) error) (numTest, error) {
	t := numTest{signed: f.Kind() == flowlog.KindTime}
	var vals []uint64
	for _, v := range c.Values {
		n, err := store.ConditionInt(v)
		if err != nil {
			return t, bad(v, err.Error())
		}
		if !t.signed && (n < 0 || uint64(n) > flowlog.MaxUint(f)) {
			return t, bad(v, "out of range")
		}
		vals = append(vals, uint64(n))
	}
	if len(vals) == 0 {
		return t, fmt.Errorf("filter: %s: no value", f)
	}
	v := vals[0]
	maxV, minV := uint64(math.MaxUint64), uint64(0)
	if t.signed {
		maxV, minV = math.MaxInt64, 1<<63 // as int64: MaxInt64, MinInt64
	}
	empty := func() { t.lo, t.hi = maxV, minV }
	switch c.Op {
	case store.OpEq, store.OpNe:
		t.lo, t.hi, t.neg = v, v, c.Op == store.OpNe
	case store.OpIn, store.OpNotIn:
		t.isSet, t.set, t.neg = true, vals, c.Op == store.OpNotIn
	case store.OpLt:
		if v == minV {
			empty()
		} else {
			t.lo, t.hi = minV, v-1
		}
	case store.OpLe:
		t.lo, t.hi = minV, v
	case store.OpGt:
		if v == maxV {
			empty()
		} else {
			t.lo, t.hi = v+1, maxV
		}
	case store.OpGe:
		t.lo, t.hi = v, maxV
	default:
		return t, fmt.Errorf("filter: %s: unknown operator %d", f, c.Op)
	}
	return t, nil
}

// addrTest returns the value test of an address condition.
func addrTest(c store.Cond, bad func(any, string) error) (func(addrKey) bool, error) {
	switch c.Op {
	case store.OpInPrefix, store.OpNotInPrefix:
		var ms []prefixMatch
		for _, v := range c.Values {
			p, err := store.ConditionPrefix(v)
			if err != nil {
				return nil, fmt.Errorf("filter: %s: %w", c.Field, err)
			}
			ms = append(ms, newPrefixMatch(p))
		}
		neg := c.Op == store.OpNotInPrefix
		return func(k addrKey) bool {
			v4, hi, lo, is4 := store.AddrKey(k.addr())
			for i := range ms {
				if ms[i].match(v4, hi, lo, is4) {
					return !neg
				}
			}
			return neg
		}, nil
	case store.OpEq, store.OpNe, store.OpIn, store.OpNotIn:
	default:
		return nil, fmt.Errorf("filter: %s: only numeric fields are ordered", c.Field)
	}
	var keys []addrKey
	for _, v := range c.Values {
		var a netip.Addr
		switch x := v.(type) {
		case netip.Addr:
			a = x
		case string:
			var err error
			if a, err = netip.ParseAddr(x); err != nil {
				return nil, bad(v, "not an IP address")
			}
		default:
			return nil, bad(v, "not an IP address")
		}
		// Stored addresses have no zone: an address with one (its text
		// ends with %zone) equals none of them.
		if a.Zone() == "" {
			keys = append(keys, keyOf(a))
		}
	}
	neg := c.Op == store.OpNe || c.Op == store.OpNotIn
	return func(k addrKey) bool { return slices.Contains(keys, k) != neg }, nil
}

func isEnum(k flowlog.Kind) bool {
	return k == flowlog.KindAction || k == flowlog.KindLogStatus || k == flowlog.KindTrafficType || k == flowlog.KindFlowDirection
}

// enumText is the stored text of an enum code (its AWS spelling).
func enumText(k flowlog.Kind, code uint8) string {
	switch k {
	case flowlog.KindAction:
		return flowlog.Action(code).String()
	case flowlog.KindLogStatus:
		return flowlog.LogStatus(code).String()
	case flowlog.KindTrafficType:
		return flowlog.TrafficType(code).String()
	}
	return flowlog.FlowDirection(code).String()
}

// enumValue returns the text of an enum condition value.
func enumValue(f flowlog.FieldID, v any) (string, error) {
	var s string
	switch x := v.(type) {
	case flowlog.Action:
		s = x.String()
	case flowlog.LogStatus:
		s = x.String()
	case flowlog.TrafficType:
		s = x.String()
	case flowlog.FlowDirection:
		s = x.String()
	case string:
		s = x
	default:
		return "", fmt.Errorf("filter: %s: %v (%T) is not a value of the field", f, v, v)
	}
	return s, nil
}

// filter keeps the rows of sel (indexes into c) that match.
func (p *pred) filter(c *chunk, sel []int32) []int32 {
	col := c.cols[p.field]
	if col == nil {
		if p.presence < 0 {
			return sel
		}
		return sel[:0]
	}
	out := sel[:0]
	switch {
	case p.presence > 0:
		if col.present == nil {
			return sel
		}
		for _, r := range sel {
			if col.has(r) {
				out = append(out, r)
			}
		}
		return out
	case p.presence < 0:
		if col.present == nil {
			return sel[:0]
		}
		for _, r := range sel {
			if !col.has(r) {
				out = append(out, r)
			}
		}
		return out
	}
	switch p.st {
	case stU8:
		return filterTab(out, sel, col, col.u8, p.tab)
	case stU16:
		return filterTab(out, sel, col, col.u16, p.tab)
	case stU64:
		for _, r := range sel {
			if col.has(r) && p.num.ok(col.u64[r]) {
				out = append(out, r)
			}
		}
	case stI64:
		for _, r := range sel {
			if col.has(r) && p.num.ok(uint64(col.i64[r])) {
				out = append(out, r)
			}
		}
	default:
		memo, ids := p.memo, col.ids
		for _, r := range sel {
			if !col.has(r) {
				continue
			}
			id := ids[r]
			m := memo[id]
			if m == 0 {
				m = 1
				if p.fn(id) {
					m = 2
				}
				memo[id] = m
			}
			if m == 2 {
				out = append(out, r)
			}
		}
	}
	return out
}

func filterTab[T uint8 | uint16](out, sel []int32, col *column, vals []T, tab []bool) []int32 {
	if col.present == nil {
		for _, r := range sel {
			if tab[vals[r]] {
				out = append(out, r)
			}
		}
		return out
	}
	for _, r := range sel {
		if col.has(r) && tab[vals[r]] {
			out = append(out, r)
		}
	}
	return out
}
