package embedded

import (
	"encoding/binary"
	"encoding/json"
	"math/bits"
	"net/netip"
	"slices"
	"strconv"
	"unsafe"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// stage holds records in columnar form until they are encoded to Parquet.
// Only fields present in at least one record get a column. Every column
// has one slot per row (its value is meaningless when the row is not
// valid); columns are padded lazily, so a column may be shorter than n
// until pad is called.
type stage struct {
	n     int
	cols  [flowlog.NumFields]*column
	extra *column // JSON object of Record.Extra, as a string column
	// minStart and maxStart bound the valid start values (when hasStart).
	minStart, maxStart int64
	hasStart           bool
	maxEnd             int64
	days               map[int64]struct{} // UTC days of the records (start / 86400)
	lastDay            int64
	noStart            bool // some record has no start
}

type column struct {
	kind  flowlog.Kind
	any   bool // some row is valid: the column is stored
	valid []bool
	u8    []uint8  // KindUint8 and the enums (their numeric code)
	u16   []uint16 // KindUint16
	u64   []uint64 // KindUint64, KindTime (int64 bits)
	idx   []uint32 // KindString, KindAddr: index into the dictionary
	strs  *strDict
	addrs *addrDict
}

type strDict struct {
	index map[string]uint32
	vals  []string
	// cache maps a string's memory to its index. The parser interns
	// repeated strings (account and interface IDs), so the same value
	// usually comes with the same pointer: a hit costs no hashing. Entries
	// hold their string, so its memory cannot be reused for another one.
	cache [256]strEntry
}

type strEntry struct {
	s  string
	id uint32
}

func (d *strDict) id(s string) uint32 {
	p := unsafe.StringData(s)
	e := &d.cache[(uintptr(unsafe.Pointer(p))>>3^uintptr(len(s)))&255]
	if unsafe.StringData(e.s) == p && len(e.s) == len(s) && p != nil {
		return e.id
	}
	i, ok := d.index[s]
	if !ok {
		i = uint32(len(d.vals))
		d.index[s] = i
		d.vals = append(d.vals, s)
	}
	e.s, e.id = s, i
	return i
}

func (d *strDict) reset() {
	clear(d.index)
	d.vals = d.vals[:0]
	d.cache = [256]strEntry{}
}

// addrKey is an address without the pointer netip.Addr holds (its zone), so
// that the dictionary's map is not scanned by the garbage collector. Flow
// logs never carry zones.
type addrKey struct {
	hi, lo uint64
	is4    bool
}

func keyOf(a netip.Addr) addrKey {
	b := a.As16()
	return addrKey{binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:]), a.Is4()}
}

func (k addrKey) addr() netip.Addr {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], k.hi)
	binary.BigEndian.PutUint64(b[8:], k.lo)
	a := netip.AddrFrom16(b)
	if k.is4 {
		a = a.Unmap()
	}
	return a
}

type addrDict struct {
	index      map[addrKey]uint32
	vals       []addrKey
	text       []string // canonical text, filled by texts
	has4, has6 bool
	// cache is a direct-mapped cache in front of index (entry index + 1).
	cache [4096]addrEntry
}

type addrEntry struct {
	k  addrKey
	id uint32 // index + 1; 0 is empty
}

func (d *addrDict) id(a netip.Addr) uint32 {
	k := keyOf(a)
	e := &d.cache[((k.hi^k.lo)*0x9e3779b97f4a7c15)>>52]
	if e.id != 0 && e.k == k {
		return e.id - 1
	}
	i, ok := d.index[k]
	if !ok {
		i = uint32(len(d.vals))
		d.index[k] = i
		d.vals = append(d.vals, k)
		if a.Unmap().Is4() {
			d.has4 = true
		} else {
			d.has6 = true
		}
	}
	e.k, e.id = k, i+1
	return i
}

func (d *addrDict) reset() {
	clear(d.index)
	d.vals, d.text = d.vals[:0], d.text[:0]
	d.has4, d.has6 = false, false
	d.cache = [4096]addrEntry{}
}

// idKey is id for an address already in key form.
func (d *addrDict) idKey(k addrKey) uint32 {
	i, ok := d.index[k]
	if !ok {
		i = uint32(len(d.vals))
		d.index[k] = i
		d.vals = append(d.vals, k)
		if k.is4 || k.addr().Unmap().Is4() {
			d.has4 = true
		} else {
			d.has6 = true
		}
	}
	return i
}

// texts returns the canonical text of every address of the dictionary.
func (d *addrDict) texts() []string {
	for i := len(d.text); i < len(d.vals); i++ {
		d.text = append(d.text, d.vals[i].addr().String())
	}
	return d.text
}

func newStage() *stage { return &stage{days: map[int64]struct{}{}} }

// reset empties s for reuse, keeping the memory of its columns: growing
// large slices is the most expensive thing staging does.
func (s *stage) reset() {
	for _, c := range s.cols {
		if c != nil {
			c.reset()
		}
	}
	if s.extra != nil {
		s.extra.reset()
	}
	clear(s.days)
	cols, extra, days := s.cols, s.extra, s.days
	*s = stage{cols: cols, extra: extra, days: days}
}

func (c *column) reset() {
	c.any = false
	c.valid, c.u8, c.u16, c.u64, c.idx = c.valid[:0], c.u8[:0], c.u16[:0], c.u64[:0], c.idx[:0]
	if c.strs != nil {
		c.strs.reset()
	}
	if c.addrs != nil {
		c.addrs.reset()
	}
}

// get returns the column of field id, or nil when no record has the field.
func (s *stage) get(id flowlog.FieldID) *column {
	if c := s.cols[id]; c != nil && c.any {
		return c
	}
	return nil
}

// extraCol returns the extra column, or nil.
func (s *stage) extraCol() *column {
	if s.extra != nil && s.extra.any {
		return s.extra
	}
	return nil
}

func newColumn(kind flowlog.Kind) *column {
	c := &column{kind: kind}
	switch kind {
	case flowlog.KindString:
		c.strs = &strDict{index: map[string]uint32{}}
	case flowlog.KindAddr:
		c.addrs = &addrDict{index: map[addrKey]uint32{}}
	}
	return c
}

// pad extends c with invalid rows up to n rows.
func (c *column) pad(n int) {
	for len(c.valid) < n {
		c.valid = append(c.valid, false)
		switch {
		case isU8(c.kind):
			c.u8 = append(c.u8, 0)
		case c.kind == flowlog.KindUint16:
			c.u16 = append(c.u16, 0)
		case c.kind == flowlog.KindUint64 || c.kind == flowlog.KindTime:
			c.u64 = append(c.u64, 0)
		default:
			c.idx = append(c.idx, 0)
		}
	}
}

func isU8(k flowlog.Kind) bool {
	switch k {
	case flowlog.KindUint8, flowlog.KindAction, flowlog.KindLogStatus, flowlog.KindTrafficType, flowlog.KindFlowDirection:
		return true
	}
	return false
}

// add appends one record. extraNames names Record.Extra values.
func (s *stage) add(r *flowlog.Record, extraNames []string) {
	row := s.n
	for w := range r.Present {
		set := r.Present[w]
		for set != 0 {
			id := flowlog.FieldID(w*64 + bits.TrailingZeros64(set))
			set &= set - 1
			if !id.Valid() {
				continue
			}
			c := s.cols[id]
			if c == nil {
				c = newColumn(id.Kind())
				s.cols[id] = c
			}
			if len(c.valid) < row {
				c.pad(row)
			}
			c.any = true
			c.valid = append(c.valid, true)
			// The fields of the default format first, read directly.
			switch id {
			case flowlog.FieldSrcAddr:
				c.idx = append(c.idx, c.addrs.id(r.SrcAddr))
			case flowlog.FieldDstAddr:
				c.idx = append(c.idx, c.addrs.id(r.DstAddr))
			case flowlog.FieldSrcPort:
				c.u16 = append(c.u16, r.SrcPort)
			case flowlog.FieldDstPort:
				c.u16 = append(c.u16, r.DstPort)
			case flowlog.FieldProtocol:
				c.u8 = append(c.u8, r.Protocol)
			case flowlog.FieldPackets:
				c.u64 = append(c.u64, r.Packets)
			case flowlog.FieldBytes:
				c.u64 = append(c.u64, r.Bytes)
			case flowlog.FieldStart:
				c.u64 = append(c.u64, uint64(r.Start))
			case flowlog.FieldEnd:
				c.u64 = append(c.u64, uint64(r.End))
			case flowlog.FieldAction:
				c.u8 = append(c.u8, uint8(r.Action))
			case flowlog.FieldInterfaceID:
				c.idx = append(c.idx, c.strs.id(r.InterfaceID))
			case flowlog.FieldAccountID:
				c.idx = append(c.idx, c.strs.id(r.AccountID))
			default:
				s.addOther(c, r, id)
			}
		}
	}
	if len(r.Extra) > 0 {
		if js, ok := extraJSON(r.Extra, extraNames); ok {
			if s.extra == nil {
				s.extra = newColumn(flowlog.KindString)
			}
			s.extra.pad(row)
			s.extra.any = true
			s.extra.valid = append(s.extra.valid, true)
			s.extra.idx = append(s.extra.idx, s.extra.strs.id(js))
		}
	}
	if !r.Present.Has(flowlog.FieldStart) {
		s.noStart = true
	} else {
		st := r.Start
		if !s.hasStart || st < s.minStart {
			s.minStart = st
		}
		if !s.hasStart || st > s.maxStart {
			s.maxStart = st
		}
		if d := floorDiv(st, 86400); !s.hasStart || d != s.lastDay {
			s.days[d] = struct{}{}
			s.lastDay = d
		}
		s.hasStart = true
	}
	if r.Present.Has(flowlog.FieldEnd) && r.End > s.maxEnd {
		s.maxEnd = r.End
	}
	s.n++
}

// addOther appends the value of field id (generic path).
func (s *stage) addOther(c *column, r *flowlog.Record, id flowlog.FieldID) {
	switch k := c.kind; {
	case isU8(k):
		v, _ := r.Uint(id)
		c.u8 = append(c.u8, uint8(v))
	case k == flowlog.KindUint16:
		v, _ := r.Uint(id)
		c.u16 = append(c.u16, uint16(v))
	case k == flowlog.KindUint64 || k == flowlog.KindTime:
		v, _ := r.Uint(id)
		c.u64 = append(c.u64, v)
	case k == flowlog.KindString:
		c.idx = append(c.idx, c.strs.id(*r.StringPtr(id)))
	case k == flowlog.KindAddr:
		c.idx = append(c.idx, c.addrs.id(*r.AddrPtr(id)))
	}
}

// extraJSON encodes the unknown fields as a JSON object. Values that are ""
// ('-' in the input) are left out; ok is false when none is left.
func extraJSON(vals, names []string) (string, bool) {
	m := make(map[string]string, len(vals))
	for i, v := range vals {
		if v == "" {
			continue
		}
		name := "extra" + strconv.Itoa(i+1)
		if i < len(names) && names[i] != "" {
			name = names[i]
		}
		m[name] = v
	}
	if len(m) == 0 {
		return "", false
	}
	b, _ := json.Marshal(m) // map[string]string always marshals
	return string(b), true
}

// padAll pads every column to n rows.
func (s *stage) padAll() {
	for _, c := range s.cols {
		if c != nil {
			c.pad(s.n)
		}
	}
	if s.extra != nil {
		s.extra.pad(s.n)
	}
}

// merge appends the rows of o to s. Columns that must grow get a capacity
// of at least hint rows: growing large slices step by step is slow.
func (s *stage) merge(o *stage, hint int) {
	if o.n == 0 {
		return
	}
	o.padAll()
	for id := range o.cols {
		if oc := o.get(flowlog.FieldID(id)); oc != nil {
			if s.cols[id] == nil {
				s.cols[id] = newColumn(oc.kind)
			}
			s.cols[id].appendFrom(oc, s.n, hint)
		}
	}
	if oc := o.extraCol(); oc != nil {
		if s.extra == nil {
			s.extra = newColumn(flowlog.KindString)
		}
		s.extra.appendFrom(oc, s.n, hint)
	}
	if o.hasStart {
		if !s.hasStart || o.minStart < s.minStart {
			s.minStart = o.minStart
		}
		if !s.hasStart || o.maxStart > s.maxStart {
			s.maxStart = o.maxStart
		}
		s.hasStart = true
	}
	s.maxEnd = max(s.maxEnd, o.maxEnd)
	s.noStart = s.noStart || o.noStart
	for d := range o.days {
		s.days[d] = struct{}{}
	}
	s.n += o.n
}

// appendFrom appends the rows of o after padding c to at rows.
func (c *column) appendFrom(o *column, at, hint int) {
	need := max(at+len(o.valid), hint)
	if cap(c.valid) < at+len(o.valid) {
		c.valid = slices.Grow(c.valid, need-len(c.valid))
		switch {
		case isU8(c.kind):
			c.u8 = slices.Grow(c.u8, need-len(c.u8))
		case c.kind == flowlog.KindUint16:
			c.u16 = slices.Grow(c.u16, need-len(c.u16))
		case c.kind == flowlog.KindUint64 || c.kind == flowlog.KindTime:
			c.u64 = slices.Grow(c.u64, need-len(c.u64))
		default:
			c.idx = slices.Grow(c.idx, need-len(c.idx))
		}
	}
	c.pad(at)
	c.any = true
	c.valid = append(c.valid, o.valid...)
	c.u8 = append(c.u8, o.u8...)
	c.u16 = append(c.u16, o.u16...)
	c.u64 = append(c.u64, o.u64...)
	switch {
	case o.strs != nil:
		remap := make([]uint32, len(o.strs.vals))
		for i, v := range o.strs.vals {
			remap[i] = c.strs.id(v)
		}
		for _, i := range o.idx {
			c.idx = append(c.idx, remap[i])
		}
	case o.addrs != nil:
		remap := make([]uint32, len(o.addrs.vals))
		for i, v := range o.addrs.vals {
			remap[i] = c.addrs.idKey(v)
		}
		for _, i := range o.idx {
			c.idx = append(c.idx, remap[i])
		}
	}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
