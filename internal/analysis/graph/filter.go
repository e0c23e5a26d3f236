package graph

import (
	"fmt"
	"net/netip"
	"strconv"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// condMatcher evaluates a configuration's range and conditions on records
// in memory with the store's (SQL) semantics: an absent field matches no
// comparison, not even <> or NOT IN; only OpAbsent matches it. Records
// without a start are outside every range that has a bound.
type condMatcher struct {
	start, end int64 // epoch seconds, rounded up; 0: open
	hasRange   bool
	conds      []matchCond
}

type matchCond struct {
	field  flowlog.FieldID
	op     store.Op
	nums   []uint64
	strs   []string
	addrs  []netip.Addr
	prefix []netip.Prefix
}

func newCondMatcher(cfg *Configuration) (*condMatcher, error) {
	m := &condMatcher{}
	if !cfg.Range.Start.IsZero() {
		m.start, m.hasRange = ceilSec(cfg.Range.Start), true
	}
	if !cfg.Range.End.IsZero() {
		m.end, m.hasRange = ceilSec(cfg.Range.End), true
	}
	conds := append([]store.Cond(nil), cfg.Filter.Conds...)
	conds = append(conds, cfg.extraConds()...)
	for _, c := range conds {
		mc, err := compileCond(c)
		if err != nil {
			return nil, err
		}
		m.conds = append(m.conds, mc)
	}
	return m, nil
}

func ceilSec(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// extraConds are the conditions of Action and Protocols (Ports are applied
// on the rows).
func (cfg *Configuration) extraConds() []store.Cond {
	var out []store.Cond
	if cfg.Action != 0 {
		out = append(out, store.Eq(flowlog.FieldAction, cfg.Action))
	}
	if len(cfg.Protocols) > 0 {
		vs := make([]any, len(cfg.Protocols))
		for i, p := range cfg.Protocols {
			vs[i] = uint64(p)
		}
		out = append(out, store.In(flowlog.FieldProtocol, vs...))
	}
	return out
}

func compileCond(c store.Cond) (matchCond, error) {
	mc := matchCond{field: c.Field, op: c.Op}
	if !c.Field.Valid() {
		return mc, fmt.Errorf("graph: filter on an invalid field")
	}
	bad := func(v any, why string) error { return fmt.Errorf("graph: filter: %s: %v: %s", c.Field, v, why) }
	switch c.Op {
	case store.OpPresent, store.OpAbsent:
		return mc, nil
	case store.OpInPrefix, store.OpNotInPrefix:
		if c.Field.Kind() != flowlog.KindAddr {
			return mc, fmt.Errorf("graph: filter: %s is not an address: it cannot be matched against a prefix", c.Field)
		}
		for _, v := range c.Values {
			p, err := toPrefix(v)
			if err != nil {
				return mc, bad(v, err.Error())
			}
			mc.prefix = append(mc.prefix, p)
		}
		if len(mc.prefix) == 0 {
			return mc, fmt.Errorf("graph: filter: %s: no prefix given", c.Field)
		}
		return mc, nil
	case store.OpEq, store.OpNe, store.OpIn, store.OpNotIn, store.OpLt, store.OpLe, store.OpGt, store.OpGe:
	default:
		return mc, fmt.Errorf("graph: filter: %s: unknown operator %d", c.Field, c.Op)
	}
	if len(c.Values) == 0 || (c.Op != store.OpIn && c.Op != store.OpNotIn && len(c.Values) != 1) {
		return mc, fmt.Errorf("graph: filter: %s: wrong number of values (%d)", c.Field, len(c.Values))
	}
	numeric := c.Field.Kind().IsNumeric()
	if !numeric && c.Op >= store.OpLt && c.Op <= store.OpGe {
		return mc, fmt.Errorf("graph: filter: %s: only numeric fields are ordered", c.Field)
	}
	for _, v := range c.Values {
		if numeric {
			n, err := toUint(v)
			if err != nil {
				return mc, bad(v, err.Error())
			}
			mc.nums = append(mc.nums, n)
			continue
		}
		s, err := toText(c.Field, v)
		if err != nil {
			return mc, bad(v, err.Error())
		}
		if c.Field.Kind() == flowlog.KindAddr {
			mc.addrs = append(mc.addrs, netip.MustParseAddr(s))
			continue
		}
		if !validEnum(c.Field, s) {
			return mc, bad(v, "not a valid value")
		}
		mc.strs = append(mc.strs, s)
	}
	return mc, nil
}

func toPrefix(v any) (netip.Prefix, error) {
	switch x := v.(type) {
	case netip.Prefix:
		if x.IsValid() {
			return x.Masked(), nil
		}
	case netip.Addr:
		if x.IsValid() {
			return netip.PrefixFrom(x, x.BitLen()), nil
		}
	case string:
		if p, err := netip.ParsePrefix(x); err == nil {
			return p.Masked(), nil
		}
		if a, err := netip.ParseAddr(x); err == nil {
			return netip.PrefixFrom(a, a.BitLen()), nil
		}
	}
	return netip.Prefix{}, fmt.Errorf("not a CIDR prefix")
}

func toUint(v any) (uint64, error) {
	switch x := v.(type) {
	case int:
		if x >= 0 {
			return uint64(x), nil
		}
	case int64:
		if x >= 0 {
			return uint64(x), nil
		}
	case int32:
		if x >= 0 {
			return uint64(x), nil
		}
	case uint:
		return uint64(x), nil
	case uint8:
		return uint64(x), nil
	case uint16:
		return uint64(x), nil
	case uint32:
		return uint64(x), nil
	case uint64:
		return x, nil
	case string:
		return strconv.ParseUint(x, 10, 64)
	}
	return 0, fmt.Errorf("not a non-negative integer")
}

// toText converts a value to the stored text of a field (canonical
// addresses, AWS spelling of enums).
func toText(f flowlog.FieldID, v any) (string, error) {
	switch x := v.(type) {
	case string:
		if f.Kind() == flowlog.KindAddr {
			a, err := netip.ParseAddr(x)
			if err != nil {
				return "", fmt.Errorf("not an IP address")
			}
			return a.String(), nil
		}
		return x, nil
	case netip.Addr:
		if f.Kind() == flowlog.KindAddr && x.IsValid() {
			return x.String(), nil
		}
		return "", fmt.Errorf("not a value of the field")
	case fmt.Stringer:
		return x.String(), nil
	}
	return "", fmt.Errorf("not a value of the field")
}

// validEnum checks the AWS spelling of an enum value.
func validEnum(f flowlog.FieldID, s string) bool {
	b := []byte(s)
	var ok bool
	switch f.Kind() {
	case flowlog.KindAction:
		_, ok = flowlog.ParseAction(b)
	case flowlog.KindLogStatus:
		_, ok = flowlog.ParseLogStatus(b)
	case flowlog.KindTrafficType:
		_, ok = flowlog.ParseTrafficType(b)
	case flowlog.KindFlowDirection:
		_, ok = flowlog.ParseFlowDirection(b)
	default:
		return true
	}
	return ok
}

func (m *condMatcher) match(r *flowlog.Record) bool {
	if m.hasRange {
		if !r.Has(flowlog.FieldStart) || (m.start != 0 && r.Start < m.start) || (m.end != 0 && r.Start >= m.end) {
			return false
		}
	}
	for i := range m.conds {
		if !m.conds[i].match(r) {
			return false
		}
	}
	return true
}

func (c *matchCond) match(r *flowlog.Record) bool {
	has := r.Has(c.field)
	switch c.op {
	case store.OpPresent:
		return has
	case store.OpAbsent:
		return !has
	}
	if !has {
		return false
	}
	if c.prefix != nil {
		a := r.AddrPtr(c.field).Unmap()
		in := false
		for _, p := range c.prefix {
			if p.Contains(a) {
				in = true
				break
			}
		}
		return in == (c.op == store.OpInPrefix)
	}
	if c.nums != nil {
		v, _ := r.Uint(c.field)
		switch c.op {
		case store.OpLt:
			return v < c.nums[0]
		case store.OpLe:
			return v <= c.nums[0]
		case store.OpGt:
			return v > c.nums[0]
		case store.OpGe:
			return v >= c.nums[0]
		}
		in := false
		for _, n := range c.nums {
			in = in || v == n
		}
		return in == (c.op == store.OpEq || c.op == store.OpIn)
	}
	in := false
	switch c.field.Kind() {
	case flowlog.KindAddr:
		a := *r.AddrPtr(c.field)
		for _, x := range c.addrs {
			in = in || a == x
		}
	case flowlog.KindString:
		s := *r.StringPtr(c.field)
		for _, x := range c.strs {
			in = in || s == x
		}
	default: // enums: compare their AWS spelling
		var buf [16]byte
		s := flowlog.AppendText(buf[:0], r, c.field)
		for _, x := range c.strs {
			in = in || string(s) == x
		}
	}
	return in == (c.op == store.OpEq || c.op == store.OpIn)
}
