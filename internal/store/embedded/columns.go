package embedded

import (
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// The stored columns of staged records, and how to gather each column's
// values for a set of rows.

var enumDicts = map[flowlog.Kind][]string{}

func init() {
	// Read-only after init: the AWS spelling of each enum code.
	for _, k := range []flowlog.Kind{flowlog.KindAction, flowlog.KindLogStatus, flowlog.KindTrafficType, flowlog.KindFlowDirection} {
		names := make([]string, 256)
		for i := range names {
			switch k {
			case flowlog.KindAction:
				names[i] = flowlog.Action(i).String()
			case flowlog.KindLogStatus:
				names[i] = flowlog.LogStatus(i).String()
			case flowlog.KindTrafficType:
				names[i] = flowlog.TrafficType(i).String()
			case flowlog.KindFlowDirection:
				names[i] = flowlog.FlowDirection(i).String()
			}
		}
		enumDicts[k] = names
	}
}

// pqTypeOf returns the stored type of a field.
func pqTypeOf(k flowlog.Kind) pqType {
	switch k {
	case flowlog.KindUint8:
		return pqU8
	case flowlog.KindUint16:
		return pqU16
	case flowlog.KindUint64:
		return pqU64
	case flowlog.KindTime:
		return pqI64
	}
	return pqString
}

// rawColumns returns the stored columns of the present fields of s.
func rawColumns(s *stage) []outColumn {
	var out []outColumn
	for _, f := range flowlog.Fields() {
		c := s.get(f.ID)
		if c == nil {
			continue
		}
		out = append(out, fieldColumns(f.Column, c)...)
	}
	if c := s.extraCol(); c != nil {
		out = append(out, fieldColumns("extra", c)...)
	}
	return out
}

// fieldColumns returns the stored column(s) of one staged column: the value
// and, for addresses, the helper columns of each family present.
func fieldColumns(name string, c *column) []outColumn {
	main := outColumn{pq: pqColumn{Name: name, Type: pqTypeOf(c.kind)}}
	switch {
	case c.kind == flowlog.KindAddr:
		dict := c.addrs.texts()
		main.fill = gatherIdx(c, dict)
		out := []outColumn{main}
		get := func(r int32) (uint32, bool) { return c.idx[r], c.valid[r] }
		return append(out, addrHelpers(name, c.addrs, get)...)
	case c.kind == flowlog.KindString:
		main.fill = gatherIdx(c, c.strs.vals)
	case isU8(c.kind) && c.kind != flowlog.KindUint8:
		dict := enumDicts[c.kind]
		main.fill = func(rows []int32, ch *pqChunk) {
			ch.Dict = dict
			for _, r := range rows {
				ch.Valid = append(ch.Valid, c.valid[r])
				if c.valid[r] {
					ch.Idx = append(ch.Idx, uint32(c.u8[r]))
				}
			}
		}
	default:
		main.fill = func(rows []int32, ch *pqChunk) {
			for _, r := range rows {
				v := c.valid[r]
				ch.Valid = append(ch.Valid, v)
				if !v {
					continue
				}
				switch c.kind {
				case flowlog.KindUint8:
					ch.Ints = append(ch.Ints, uint64(c.u8[r]))
				case flowlog.KindUint16:
					ch.Ints = append(ch.Ints, uint64(c.u16[r]))
				default:
					ch.Ints = append(ch.Ints, c.u64[r])
				}
			}
		}
	}
	return []outColumn{main}
}

func gatherIdx(c *column, dict []string) func(rows []int32, ch *pqChunk) {
	return func(rows []int32, ch *pqChunk) {
		ch.Dict = dict
		for _, r := range rows {
			ch.Valid = append(ch.Valid, c.valid[r])
			if c.valid[r] {
				ch.Idx = append(ch.Idx, c.idx[r])
			}
		}
	}
}

// addrHelpers returns the helper columns (see store.AddrColumns) of an
// address column; get returns a row's index into d and its validity.
func addrHelpers(name string, d *addrDict, get func(int32) (uint32, bool)) []outColumn {
	n := len(d.vals)
	v4 := make([]uint64, n)
	hi := make([]uint64, n)
	lo := make([]uint64, n)
	is4 := make([]bool, n)
	for i, k := range d.vals {
		var a uint32
		a, hi[i], lo[i], is4[i] = store.AddrKey(k.addr())
		v4[i] = uint64(a)
	}
	c4, chi, clo := store.AddrColumns(name)
	// The helpers are dictionary encoded with the address's indices.
	gather := func(want4 bool, dict []uint64) func(rows []int32, ch *pqChunk) {
		return func(rows []int32, ch *pqChunk) {
			ch.IntDict = dict
			for _, r := range rows {
				i, ok := get(r)
				ok = ok && is4[i] == want4
				ch.Valid = append(ch.Valid, ok)
				if ok {
					ch.Idx = append(ch.Idx, i)
				}
			}
		}
	}
	var out []outColumn
	if d.has4 {
		out = append(out, outColumn{pq: pqColumn{Name: c4, Type: pqU32}, fill: gather(true, v4)})
	}
	if d.has6 {
		out = append(out,
			outColumn{pq: pqColumn{Name: chi, Type: pqU64}, fill: gather(false, hi)},
			outColumn{pq: pqColumn{Name: clo, Type: pqU64}, fill: gather(false, lo)})
	}
	return out
}
