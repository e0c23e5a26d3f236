package memory

import (
	"encoding/binary"
	"math/bits"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// A dimension maps each row to a code (0 for NULL: an absent field or a
// record without a start) of at most 32 bits; a group is identified by the
// codes of its dimensions, packed into a uint64 when they fit.

type dimKind uint8

const (
	dkField dimKind = iota
	dkPrefix
	dkHour
	dkWeekday
	dkBucket
	dkBelow   // a field's value below limit, else 0 (NULL)
	dkService // the port of field's end when it serves (limit: first ephemeral port), else 0
)

type dim struct {
	kind  dimKind
	field flowlog.FieldID
	st    storage
	bits  uint
	// wide dimensions (64-bit fields, far apart buckets) number their
	// values in the order met: wideVals[code-1].
	wide     bool
	wideMap  *table
	wideVals []uint64
	// prefix: memo maps an address id to its network's code (0 unknown).
	bits4, bits6 int
	memo         []uint32
	netMap       map[netKey]uint32
	nets         []netKey
	// bucket: code = (bucket start - base) / secs + 1.
	secs, base int64
	// below: values at or above limit have code 0.
	limit uint64
}

// netKey is the network of an address: the embedded store's three helper
// values, masked (v4 when is4, else hi and lo).
type netKey struct {
	is4    bool
	v4     uint32
	hi, lo uint64
}

// Hour and weekday codes: Go's truncated remainder puts the hour of a
// negative start in [-23, 23]; the offset makes every code positive.
const (
	hourOff    = 24
	weekdayOff = 7
)

func newDims(st *state, q *store.Query) []*dim {
	var dims []*dim
	if q.Bucket > 0 {
		d := &dim{kind: dkBucket, field: flowlog.FieldStart, secs: int64(q.Bucket / time.Second)}
		lo, hi, ok := startBounds(st)
		if ok {
			d.base = d.bucket(lo)
			if n := uint64(d.bucket(hi)-d.base)/uint64(d.secs) + 1; n < 1<<31 && d.bucket(hi) >= d.base {
				d.bits = uint(bits.Len64(n))
			} else {
				d.wide = true
			}
		}
		dims = append(dims, d)
	}
	for _, gd := range q.GroupBy {
		d := &dim{field: gd.Field, st: storageOf(gd.Field)}
		switch gd.Kind {
		case store.DimHourOfDay:
			d.kind, d.field, d.bits = dkHour, flowlog.FieldStart, 6
		case store.DimWeekday:
			d.kind, d.field, d.bits = dkWeekday, flowlog.FieldStart, 4
		case store.DimPrefix:
			d.kind, d.bits4, d.bits6 = dkPrefix, gd.Bits4, gd.Bits6
			d.memo = make([]uint32, len(st.addrs))
			d.netMap = map[netKey]uint32{}
			d.bits = uint(bits.Len(uint(len(st.addrs))))
		default:
			switch gd.Kind {
			case store.DimBelow:
				d.kind, d.limit = dkBelow, gd.Limit
			case store.DimService:
				d.kind, d.limit = dkService, gd.Limit
			}
			switch d.st {
			case stU8:
				d.bits = 9
			case stU16:
				d.bits = 17
			case stStr:
				d.bits = uint(bits.Len(uint(len(st.strs))))
			case stAddr:
				d.bits = uint(bits.Len(uint(len(st.addrs))))
			default:
				d.wide = true
			}
		}
		dims = append(dims, d)
	}
	for _, d := range dims {
		if d.wide {
			d.bits, d.wideMap = 32, newTable()
		}
	}
	return dims
}

// startBounds returns the smallest and largest start of the state.
func startBounds(st *state) (lo, hi int64, ok bool) {
	for _, c := range st.chunks {
		if c.starts == 0 {
			continue
		}
		if !ok || c.minStart < lo {
			lo = c.minStart
		}
		if !ok || c.maxStart > hi {
			hi = c.maxStart
		}
		ok = true
	}
	return lo, hi, ok
}

// bucket returns the start of the bucket of an epoch second (see
// store.Query.Bucket: weeks start on Mondays).
func (d *dim) bucket(s int64) int64 {
	off := int64(0)
	if d.secs%(7*daySeconds) == 0 {
		off = weekOffset
	}
	return floorDiv(s-off, d.secs)*d.secs + off
}

func (d *dim) wideCode(v uint64) uint64 {
	c, ok := d.wideMap.getOrPut(v, int32(len(d.wideVals)))
	if !ok {
		d.wideVals = append(d.wideVals, v)
	}
	return uint64(c) + 1
}

// codes sets out[i] to the code of row sel[i] of c.
func (d *dim) codes(st *state, c *chunk, sel []int32, out []uint64) {
	if d.kind == dkService {
		d.serviceCodes(c, sel, out)
		return
	}
	col := c.cols[d.field]
	if col == nil {
		clear(out)
		return
	}
	for i, r := range sel {
		if !col.has(r) {
			out[i] = 0
			continue
		}
		switch d.kind {
		case dkField:
			switch d.st {
			case stU8:
				out[i] = uint64(col.u8[r]) + 1
			case stU16:
				out[i] = uint64(col.u16[r]) + 1
			case stU64:
				out[i] = d.wideCode(col.u64[r])
			case stI64:
				out[i] = d.wideCode(uint64(col.i64[r]))
			default:
				out[i] = uint64(col.ids[r]) + 1
			}
		case dkBelow:
			switch d.st {
			case stU8:
				out[i] = belowCode(uint64(col.u8[r]), d.limit)
			case stU16:
				out[i] = belowCode(uint64(col.u16[r]), d.limit)
			default:
				if v := col.u64[r]; v < d.limit {
					out[i] = d.wideCode(v)
				} else {
					out[i] = 0
				}
			}
		case dkPrefix:
			id := col.ids[r]
			code := d.memo[id]
			if code == 0 {
				code = d.netCode(st.addrs[id])
				d.memo[id] = code
			}
			out[i] = uint64(code)
		case dkHour:
			out[i] = uint64(col.i64[r]/3600%24 + hourOff)
		case dkWeekday:
			out[i] = uint64((col.i64[r]/daySeconds+3)%7 + weekdayOff)
		case dkBucket:
			b := d.bucket(col.i64[r])
			if d.wide {
				out[i] = d.wideCode(uint64(b))
			} else {
				out[i] = uint64((b-d.base)/d.secs) + 1
			}
		}
	}
}

// serviceCodes sets out[i] to the code of the service port of d.field's
// end of row sel[i] (flowlog.ServiceSide), 0 when that end does not serve.
func (d *dim) serviceCodes(c *chunk, sel []int32, out []uint64) {
	sc, dc, pc := c.cols[flowlog.FieldSrcPort], c.cols[flowlog.FieldDstPort], c.cols[flowlog.FieldProtocol]
	src := d.field == flowlog.FieldSrcPort
	for i, r := range sel {
		out[i] = 0
		if pc == nil || !pc.has(r) {
			continue
		}
		var sp, dp uint16
		hasS, hasD := sc != nil && sc.has(r), dc != nil && dc.has(r)
		if hasS {
			sp = sc.u16[r]
		}
		if hasD {
			dp = dc.u16[r]
		}
		side, port := flowlog.ServiceSide(pc.u8[r], sp, dp, hasS, hasD, uint16(d.limit))
		if side.Serves(src) {
			out[i] = uint64(port) + 1
		}
	}
}

// belowCode is the code of a narrow value v of a below dimension.
func belowCode(v, limit uint64) uint64 {
	if v < limit {
		return v + 1
	}
	return 0
}

// netCode returns the code of the network of address k.
func (d *dim) netCode(k addrKey) uint32 {
	v4, hi, lo, is4 := store.AddrKey(k.addr())
	var n netKey
	if is4 {
		n = netKey{is4: true, v4: uint32(mask(uint64(v4), 32-d.bits4, 32))}
	} else {
		n = netKey{hi: mask(hi, 64-d.bits6, 64), lo: mask(lo, 128-d.bits6, 64)}
	}
	c, ok := d.netMap[n]
	if !ok {
		d.nets = append(d.nets, n)
		c = uint32(len(d.nets))
		d.netMap[n] = c
	}
	return c
}

// mask clears the low shift bits of a width-bit value, as the embedded
// store's SQL does.
func mask(v uint64, shift, width int) uint64 {
	switch {
	case shift <= 0:
		return v
	case shift >= width:
		return 0
	}
	return v >> shift << shift
}

// groups numbers the groups met while scanning.
type groups struct {
	dims  []*dim
	codes []uint32 // len(dims) codes per group
	n     int
	// Exactly one lookup is used: dense (packed key → group+1), m64
	// (packed key → group) or mstr (4 bytes per dimension → group).
	packed bool
	dense  []int32
	m64    *table
	mstr   map[string]int32
	buf    []byte
}

// denseBits bounds the keys of the dense lookup (16 MiB of int32).
const denseBits = 22

func newGroups(dims []*dim, rowsInScope int64) *groups {
	g := &groups{dims: dims}
	total := uint(0)
	for _, d := range dims {
		total += d.bits
	}
	switch {
	case len(dims) == 0:
		g.n = 1 // one row, even without records (SQL aggregates)
	case total <= 64:
		g.packed = true
		if total <= denseBits && (total <= 16 || int64(1)<<total <= 4*rowsInScope) {
			g.dense = make([]int32, 1<<total)
		} else {
			g.m64 = newTable()
		}
	default:
		g.mstr = map[string]int32{}
	}
	return g
}

// assign sets gidx[i] to the group of the row whose dimension codes are
// codes[d][i], creating groups as needed.
func (g *groups) assign(codes [][]uint64, n int, keys []uint64, gidx []int32) {
	if len(g.dims) == 0 {
		clear(gidx[:n])
		return
	}
	if !g.packed {
		for i := 0; i < n; i++ {
			g.buf = g.buf[:0]
			for d := range g.dims {
				g.buf = binary.LittleEndian.AppendUint32(g.buf, uint32(codes[d][i]))
			}
			id, ok := g.mstr[string(g.buf)]
			if !ok {
				id = g.add(codes, i)
				g.mstr[string(g.buf)] = id
			}
			gidx[i] = id
		}
		return
	}
	keys = keys[:n]
	copy(keys, codes[0][:n])
	for d := 1; d < len(g.dims); d++ {
		b, cs := g.dims[d].bits, codes[d][:n]
		for i := range keys {
			keys[i] = keys[i]<<b | cs[i]
		}
	}
	if g.dense != nil {
		for i, k := range keys {
			id := g.dense[k]
			if id == 0 {
				id = g.add(codes, i) + 1
				g.dense[k] = id
			}
			gidx[i] = id - 1
		}
		return
	}
	for i, k := range keys {
		id, ok := g.m64.getOrPut(k, int32(g.n))
		if !ok {
			g.add(codes, i)
		}
		gidx[i] = id
	}
}

func (g *groups) add(codes [][]uint64, i int) int32 {
	for d := range g.dims {
		g.codes = append(g.codes, uint32(codes[d][i]))
	}
	g.n++
	return int32(g.n - 1)
}

// code returns the code of dimension d of group gi.
func (g *groups) code(gi, d int) uint32 { return g.codes[gi*len(g.dims)+d] }
