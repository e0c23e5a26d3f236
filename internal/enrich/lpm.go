package enrich

import (
	"net/netip"
	"slices"
)

// lpm is a longest-prefix-match table: the prefixes flattened into a sorted
// list of disjoint ranges, each holding the index of the most specific
// prefix covering it (-1 for none). A lookup is one binary search, with no
// allocation and no hashing; IPv4 searches 32-bit keys.
type lpm struct {
	starts4 []uint32
	vals4   []int32
	starts6 []u128
	vals6   []int32
}

// newLPM builds the table of ps: value i for the addresses whose most
// specific covering prefix is ps[i]. The prefixes must be masked, and no
// prefix may appear twice; IPv4 and IPv6 prefixes may be mixed.
func newLPM(ps []netip.Prefix) lpm {
	var v4, v6 []span
	for i, p := range ps {
		first, last := prefixSpan(p)
		s := span{first, last, int32(i)}
		if p.Addr().Is4() {
			v4 = append(v4, s)
		} else {
			v6 = append(v6, s)
		}
	}
	var t lpm
	starts, vals := flatten(v4, mask(32))
	t.starts4 = make([]uint32, len(starts))
	for i, s := range starts {
		t.starts4[i] = uint32(s.lo)
	}
	t.vals4 = vals
	t.starts6, t.vals6 = flatten(v6, mask(128))
	return t
}

type span struct {
	first, last u128
	idx         int32
}

// flatten turns nested-or-disjoint spans into a step function: from
// starts[i] on (up to starts[i+1]), the value is vals[i]. starts[0] is 0.
func flatten(spans []span, max u128) ([]u128, []int32) {
	slices.SortFunc(spans, func(a, b span) int {
		if c := a.first.cmp(b.first); c != 0 {
			return c
		}
		return b.last.cmp(a.last) // the larger prefix first
	})
	var starts []u128
	var vals []int32
	emit := func(s u128, v int32) {
		n := len(starts)
		if n > 0 && starts[n-1] == s {
			starts, vals = starts[:n-1], vals[:n-1]
			n--
		}
		if n > 0 && vals[n-1] == v {
			return
		}
		starts, vals = append(starts, s), append(vals, v)
	}
	var stack []span
	pop := func() {
		top := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if top.last == max {
			return
		}
		v := int32(-1)
		if len(stack) > 0 {
			v = stack[len(stack)-1].idx
		}
		emit(top.last.inc(), v)
	}
	emit(u128{}, -1)
	for _, s := range spans {
		for len(stack) > 0 && stack[len(stack)-1].last.less(s.first) {
			pop()
		}
		emit(s.first, s.idx)
		stack = append(stack, s)
	}
	for len(stack) > 0 {
		pop()
	}
	return starts, vals
}

// lookup returns the value of a (-1 when no prefix covers it). IPv4-mapped
// IPv6 addresses are looked up as IPv4.
func (t *lpm) lookup(a netip.Addr) int32 {
	if !a.IsValid() {
		return -1
	}
	if a.Is4In6() {
		a = a.Unmap()
	}
	if a.Is4() {
		b := a.As4()
		x := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		s := t.starts4
		if len(s) == 0 {
			return -1
		}
		// The last start <= x; starts[0] is 0.
		lo, hi := 0, len(s)
		for hi-lo > 1 {
			m := int(uint(lo+hi) >> 1)
			if s[m] <= x {
				lo = m
			} else {
				hi = m
			}
		}
		return t.vals4[lo]
	}
	x := addrNum(a)
	s := t.starts6
	if len(s) == 0 {
		return -1
	}
	lo, hi := 0, len(s)
	for hi-lo > 1 {
		m := int(uint(lo+hi) >> 1)
		if !x.less(s[m]) {
			lo = m
		} else {
			hi = m
		}
	}
	return t.vals6[lo]
}
