package memory

import (
	"math/bits"
	"net/netip"
	"unsafe"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// storage is how a column holds its values.
type storage uint8

const (
	stU8   storage = iota + 1 // KindUint8 and the enums (their numeric code)
	stU16                     // KindUint16
	stU64                     // KindUint64
	stI64                     // KindTime
	stStr                     // KindString: global string dictionary ids
	stAddr                    // KindAddr: global address dictionary ids
)

func storageOf(id flowlog.FieldID) storage {
	switch id.Kind() {
	case flowlog.KindUint16:
		return stU16
	case flowlog.KindUint64:
		return stU64
	case flowlog.KindTime:
		return stI64
	case flowlog.KindString:
		return stStr
	case flowlog.KindAddr:
		return stAddr
	}
	return stU8
}

// column holds one field of the rows of a chunk. Exactly one of the value
// slices is used (see storage); the value of a row without the field is
// zero and meaningless.
type column struct {
	// present has bit i set when row i holds a value; nil when every row
	// does.
	present []uint64
	u8      []uint8
	u16     []uint16
	u64     []uint64
	i64     []int64
	ids     []uint32
}

func (c *column) has(i int32) bool {
	return c.present == nil || c.present[i>>6]&(1<<(uint(i)&63)) != 0
}

func (c *column) bytes() int64 {
	return int64(len(c.present)*8 + len(c.u8) + 2*len(c.u16) + 8*len(c.u64) + 8*len(c.i64) + 4*len(c.ids))
}

// chunk is an immutable block of rows. A nil column means that no row holds
// the field.
type chunk struct {
	n    int
	cols [flowlog.NumFields]*column
	// starts is the number of rows with a start; minStart, maxStart and
	// maxEnd (rows with both start and end) are valid when it is positive.
	starts                     int
	minStart, maxStart, maxEnd int64
}

func (c *chunk) bytes() int64 {
	var n int64
	for _, col := range c.cols {
		if col != nil {
			n += col.bytes()
		}
	}
	return n
}

// activeCol is a column being built.
type activeCol struct {
	id      flowlog.FieldID
	storage storage
	off     uintptr
	col     *column
	absent  int
}

// builder accumulates rows into columns. An appender's shards are builders
// fed with records (local dictionary ids, see dicts.globalize); publication
// and pruning use builders fed with rows of chunks (global ids).
type builder struct {
	n int
	// capacity is the capacity of every column, grown by doubling up to
	// limit (0: unbounded), so that appending never copies a column in
	// append's small steps.
	capacity, limit int
	known           flowlog.FieldSet
	active          []activeCol
	// strs and addrs are the local dictionaries of a shard (nil when the
	// rows come from chunks, with global ids); smap and amap translate
	// their first entries to global ids (see dicts.globalize).
	strs       *localStrs
	addrs      *localAddrs
	smap, amap []uint32
	// hint is the number of rows of the last chunk sealed: the first
	// capacity of the next one.
	hint int
}

func newShard(limit int) *builder {
	return &builder{strs: newLocalStrs(), addrs: newLocalAddrs(), limit: limit}
}

// maxLocal bounds the local dictionaries of a reused shard.
const maxLocal = 1 << 20

// seal returns the rows of a shard as a chunk (global ids) and empties the
// shard for reuse.
func (b *builder) seal(d *dicts) *chunk {
	d.globalize(b)
	c := b.finish()
	b.reset(c.n)
	return c
}

// reset empties a shard, keeping its dictionaries.
func (b *builder) reset(hint int) {
	*b = builder{strs: b.strs, addrs: b.addrs, smap: b.smap, amap: b.amap, limit: b.limit, hint: hint}
	if len(b.strs.vals)+len(b.addrs.vals) > maxLocal {
		b.strs, b.addrs, b.smap, b.amap = newLocalStrs(), newLocalAddrs(), nil, nil
	}
}

// reserve makes room for n more rows in every column.
func (b *builder) reserve(n int) {
	if b.n+n <= b.capacity {
		return
	}
	c := max(2*b.capacity, b.n+n, 1024, b.hint)
	if b.limit > 0 {
		c = max(min(c, b.limit), b.n+n)
	}
	b.capacity = c
	for k := range b.active {
		b.active[k].col.grow(c)
	}
}

// grow sets the capacity of the column's slices to c rows.
func (col *column) grow(c int) {
	col.present = growTo(col.present, (c+63)/64)
	col.u8, col.u16, col.u64 = growTo(col.u8, c), growTo(col.u16, c), growTo(col.u64, c)
	col.i64, col.ids = growTo(col.i64, c), growTo(col.ids, c)
}

func growTo[T any](s []T, c int) []T {
	if s == nil || cap(s) >= c {
		return s
	}
	return append(make([]T, 0, c), s...)
}

// addColumn starts the column of id, with every earlier row absent.
func (b *builder) addColumn(id flowlog.FieldID) *activeCol {
	st := storageOf(id)
	c := &column{present: make([]uint64, (b.n+63)/64, (b.capacity+63)/64)}
	switch st {
	case stU8:
		c.u8 = make([]uint8, b.n, b.capacity)
	case stU16:
		c.u16 = make([]uint16, b.n, b.capacity)
	case stU64:
		c.u64 = make([]uint64, b.n, b.capacity)
	case stI64:
		c.i64 = make([]int64, b.n, b.capacity)
	default:
		c.ids = make([]uint32, b.n, b.capacity)
	}
	b.known.Add(id)
	b.active = append(b.active, activeCol{id: id, storage: st, off: flowlog.Offset(id), col: c, absent: b.n})
	return &b.active[len(b.active)-1]
}

func (b *builder) addMissing(fs flowlog.FieldSet) {
	for w := range fs {
		for m := fs[w] &^ b.known[w]; m != 0; m &= m - 1 {
			b.addColumn(flowlog.FieldID(w*64 + bits.TrailingZeros64(m)))
		}
	}
}

// appendRecord adds one record. Record.Extra is not kept: no structured
// query can read it.
func (b *builder) appendRecord(r *flowlog.Record) {
	if r.Present[0]&^b.known[0] != 0 || r.Present[1]&^b.known[1] != 0 {
		b.addMissing(r.Present)
	}
	if b.n == b.capacity {
		b.reserve(1)
	}
	i := b.n
	w, bit := i>>6, uint64(1)<<(uint(i)&63)
	if bit == 1 {
		for k := range b.active {
			b.active[k].col.present = append(b.active[k].col.present, 0)
		}
	}
	p := unsafe.Pointer(r)
	for k := range b.active {
		a := &b.active[k]
		c := a.col
		if !r.Present.Has(a.id) {
			a.absent++
			switch a.storage {
			case stU8:
				c.u8 = append(c.u8, 0)
			case stU16:
				c.u16 = append(c.u16, 0)
			case stU64:
				c.u64 = append(c.u64, 0)
			case stI64:
				c.i64 = append(c.i64, 0)
			default:
				c.ids = append(c.ids, 0)
			}
			continue
		}
		c.present[w] |= bit
		v := unsafe.Add(p, a.off)
		switch a.storage {
		case stU8:
			c.u8 = append(c.u8, *(*uint8)(v))
		case stU16:
			c.u16 = append(c.u16, *(*uint16)(v))
		case stU64:
			c.u64 = append(c.u64, *(*uint64)(v))
		case stI64:
			c.i64 = append(c.i64, *(*int64)(v))
		case stStr:
			c.ids = append(c.ids, b.strs.id(*(*string)(v)))
		case stAddr:
			c.ids = append(c.ids, b.addrs.id(*(*netip.Addr)(v)))
		}
	}
	b.n++
}

// appendRows adds the rows of c (global ids) listed in rows, or all of
// them when rows is nil.
func (b *builder) appendRows(c *chunk, rows []int32) {
	n := len(rows)
	if rows == nil {
		n = c.n
	}
	if n == 0 {
		return
	}
	var fs flowlog.FieldSet
	for id, col := range c.cols {
		if col != nil {
			fs.Add(flowlog.FieldID(id))
		}
	}
	b.addMissing(fs)
	b.reserve(n)
	for k := range b.active {
		a := &b.active[k]
		dst := a.col
		need := (b.n + n + 63) / 64
		for len(dst.present) < need {
			dst.present = append(dst.present, 0)
		}
		src := c.cols[a.id]
		if src == nil {
			a.absent += n
			switch a.storage {
			case stU8:
				dst.u8 = append(dst.u8, make([]uint8, n)...)
			case stU16:
				dst.u16 = append(dst.u16, make([]uint16, n)...)
			case stU64:
				dst.u64 = append(dst.u64, make([]uint64, n)...)
			case stI64:
				dst.i64 = append(dst.i64, make([]int64, n)...)
			default:
				dst.ids = append(dst.ids, make([]uint32, n)...)
			}
			continue
		}
		if rows == nil {
			a.absent += copyBits(dst.present, b.n, src.present, n)
		} else {
			for j, r := range rows {
				if src.has(r) {
					i := b.n + j
					dst.present[i>>6] |= 1 << (uint(i) & 63)
				} else {
					a.absent++
				}
			}
		}
		switch a.storage {
		case stU8:
			dst.u8 = gather(dst.u8, src.u8, rows)
		case stU16:
			dst.u16 = gather(dst.u16, src.u16, rows)
		case stU64:
			dst.u64 = gather(dst.u64, src.u64, rows)
		case stI64:
			dst.i64 = gather(dst.i64, src.i64, rows)
		default:
			dst.ids = gather(dst.ids, src.ids, rows)
		}
	}
	b.n += n
}

// copyBits sets the bits [at, at+n) of dst to the bits [0, n) of src (all
// ones when src is nil) and returns the number of zeros copied. The bits
// of dst from at on must be zero.
func copyBits(dst []uint64, at int, src []uint64, n int) int {
	ones := 0
	for j := 0; j < n; j += 64 {
		k := min(64, n-j)
		w := ^uint64(0)
		if src != nil {
			w = src[j>>6]
		}
		if k < 64 {
			w &= 1<<k - 1
		}
		ones += bits.OnesCount64(w)
		i := at + j
		dst[i>>6] |= w << (uint(i) & 63)
		if sh := uint(i) & 63; sh != 0 && sh+uint(k) > 64 {
			dst[i>>6+1] |= w >> (64 - sh)
		}
	}
	return n - ones
}

func gather[T any](dst, src []T, rows []int32) []T {
	if rows == nil {
		return append(dst, src...)
	}
	for _, r := range rows {
		dst = append(dst, src[r])
	}
	return dst
}

// finish returns the rows as a chunk: columns without any value are
// dropped, presence bitmaps of columns with every value are dropped, and
// spare capacity is released. The builder must not be used afterwards.
func (b *builder) finish() *chunk {
	c := &chunk{n: b.n}
	for k := range b.active {
		a := &b.active[k]
		if a.absent == b.n {
			continue
		}
		col := a.col
		if a.absent == 0 {
			col.present = nil
		} else {
			col.present = trim(col.present)
		}
		col.u8, col.u16, col.u64 = trim(col.u8), trim(col.u16), trim(col.u64)
		col.i64, col.ids = trim(col.i64), trim(col.ids)
		c.cols[a.id] = col
	}
	c.stats()
	b.active = nil
	return c
}

// trim releases the spare capacity of s when it is worth a copy.
func trim[T any](s []T) []T {
	if cap(s)-len(s) <= len(s)/16 {
		return s
	}
	return append(make([]T, 0, len(s)), s...)
}

// stats computes the time bounds of c.
func (c *chunk) stats() {
	st, en := c.cols[flowlog.FieldStart], c.cols[flowlog.FieldEnd]
	c.starts = 0
	if st == nil {
		return
	}
	for i, v := range st.i64 {
		r := int32(i)
		if !st.has(r) {
			continue
		}
		if c.starts == 0 {
			c.minStart, c.maxStart, c.maxEnd = v, v, v
		}
		c.starts++
		c.minStart, c.maxStart = min(c.minStart, v), max(c.maxStart, v)
		if en != nil && en.has(r) {
			c.maxEnd = max(c.maxEnd, en.i64[i])
		}
	}
}

// coalesce merges the chunks smaller than half of target into chunks of
// about target rows (row order does not matter to queries).
func coalesce(chunks []*chunk, target int) []*chunk {
	var out []*chunk
	var b *builder
	for _, c := range chunks {
		if c.n >= target/2 {
			out = append(out, c)
			continue
		}
		if b == nil {
			b = &builder{limit: target}
		}
		b.appendRows(c, nil)
		if b.n >= target/2 {
			out = append(out, b.finish())
			b = nil
		}
	}
	if b != nil {
		out = append(out, b.finish())
	}
	return out
}
