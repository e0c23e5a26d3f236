package memory

import (
	"cmp"
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// measure accumulates one store.Measure per group, with the semantics of
// the SQL aggregates of the embedded store: sums and distinct counts skip
// absent values (NULL) and are 0 for a group without values; min and max
// are NULL then. Approximate distinct counts are exact here.
type measure struct {
	kind  store.MeasureKind
	field flowlog.FieldID
	st    storage
	text  bool // min/max compare the text of strings, addresses and enums

	vals []uint64 // flows, sums, distinct counts; min/max: the value (int64 bits, or a dictionary id or enum code when text)
	set  []bool   // min/max: the group has a value
	// distinct: (group, value) pairs seen.
	seen     *table
	seenWide map[[2]uint64]struct{}
	// addrText caches the text of addresses for min/max.
	addrText map[uint32]string
}

func newMeasures(q *store.Query) []*measure {
	ms := q.Measures
	if len(ms) == 0 {
		ms = []store.Measure{store.Flows, store.Packets, store.Bytes}
	}
	out := make([]*measure, len(ms))
	for i, m := range ms {
		f := m.Field
		switch m.Kind {
		case store.MeasurePackets:
			f = flowlog.FieldPackets
		case store.MeasureBytes:
			f = flowlog.FieldBytes
		}
		me := &measure{kind: m.Kind, field: f}
		if f.Valid() {
			me.st = storageOf(f)
			me.text = !f.Kind().IsNumeric()
		}
		switch m.Kind {
		case store.MeasureDistinct, store.MeasureApproxDistinct:
			if me.st == stU64 || me.st == stI64 {
				me.seenWide = map[[2]uint64]struct{}{}
			} else {
				me.seen = newTable()
			}
		}
		out[i] = me
	}
	return out
}

// grow makes room for n groups.
func (m *measure) grow(n int) {
	for len(m.vals) < n {
		m.vals = append(m.vals, 0)
	}
	if m.kind == store.MeasureMin || m.kind == store.MeasureMax {
		for len(m.set) < n {
			m.set = append(m.set, false)
		}
	}
}

// add accumulates the rows sel of c, whose groups are gidx.
func (m *measure) add(st *state, c *chunk, sel, gidx []int32) {
	if m.kind == store.MeasureFlows {
		for _, g := range gidx {
			m.vals[g]++
		}
		return
	}
	col := c.cols[m.field]
	if col == nil {
		return
	}
	switch m.kind {
	case store.MeasurePackets, store.MeasureBytes, store.MeasureSum:
		switch m.st {
		case stU8:
			sum(m.vals, col, col.u8, sel, gidx)
		case stU16:
			sum(m.vals, col, col.u16, sel, gidx)
		case stU64:
			sum(m.vals, col, col.u64, sel, gidx)
		case stI64:
			sum(m.vals, col, col.i64, sel, gidx)
		}
	case store.MeasureDistinct, store.MeasureApproxDistinct:
		m.distinct(col, sel, gidx)
	default:
		m.minMax(st, col, sel, gidx)
	}
}

func sum[T uint8 | uint16 | uint64 | int64](acc []uint64, col *column, vals []T, sel, gidx []int32) {
	if col.present == nil {
		for i, r := range sel {
			acc[gidx[i]] += uint64(vals[r])
		}
		return
	}
	for i, r := range sel {
		if col.has(r) {
			acc[gidx[i]] += uint64(vals[r])
		}
	}
}

// value returns the value of row r as a uint64 (int64 bits, dictionary
// ids, enum codes).
func value(st storage, col *column, r int32) uint64 {
	switch st {
	case stU8:
		return uint64(col.u8[r])
	case stU16:
		return uint64(col.u16[r])
	case stU64:
		return col.u64[r]
	case stI64:
		return uint64(col.i64[r])
	}
	return uint64(col.ids[r])
}

func (m *measure) distinct(col *column, sel, gidx []int32) {
	for i, r := range sel {
		if !col.has(r) {
			continue
		}
		g, v := gidx[i], value(m.st, col, r)
		if m.seenWide != nil {
			k := [2]uint64{uint64(g), v}
			if _, ok := m.seenWide[k]; !ok {
				m.seenWide[k] = struct{}{}
				m.vals[g]++
			}
			continue
		}
		if _, ok := m.seen.getOrPut(uint64(g)<<32|v, 0); !ok {
			m.vals[g]++
		}
	}
}

func (m *measure) minMax(st *state, col *column, sel, gidx []int32) {
	want := 1
	if m.kind == store.MeasureMin {
		want = -1
	}
	for i, r := range sel {
		if !col.has(r) {
			continue
		}
		g, v := gidx[i], value(m.st, col, r)
		if !m.set[g] {
			m.vals[g], m.set[g] = v, true
			continue
		}
		cur := m.vals[g]
		if v == cur {
			continue
		}
		var c int
		switch {
		case m.text:
			c = strings.Compare(m.textOf(st, v), m.textOf(st, cur))
		case m.st == stI64:
			c = cmp.Compare(int64(v), int64(cur))
		default:
			c = cmp.Compare(v, cur)
		}
		if c == want {
			m.vals[g] = v
		}
	}
}

// textOf returns the stored text of a text value: a string, an address or
// an enum.
func (m *measure) textOf(st *state, v uint64) string {
	switch m.st {
	case stStr:
		return st.strs[v]
	case stAddr:
		if s, ok := m.addrText[uint32(v)]; ok {
			return s
		}
		if m.addrText == nil {
			m.addrText = map[uint32]string{}
		}
		s := st.addrs[v].addr().String()
		m.addrText[uint32(v)] = s
		return s
	}
	return enumText(m.field.Kind(), uint8(v))
}
