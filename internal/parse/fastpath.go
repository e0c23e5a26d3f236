package parse

import (
	"encoding/binary"
	"net/netip"
	"unsafe"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// fastClass classifies bytes for the fast path: 1 for the space that
// separates fields, 2 for the other separators (tab, CR), which send the
// line to the general path.
var fastClass = [256]uint8{' ': 1, '\t': 2, '\r': 2}

// colOp is how the fast path parses one column: the field, its kind, its
// slot's offset in flowlog.Record and its largest value.
type colOp struct {
	id   flowlog.FieldID
	kind flowlog.Kind
	off  uintptr
	max  uint64
}

func compileOps(f *Format) []colOp {
	if len(f.ExtraNames) > 0 {
		return nil // unknown columns go through the general path
	}
	ops := make([]colOp, len(f.Fields))
	for i, id := range f.Fields {
		ops[i] = colOp{id: id, kind: id.Kind(), off: flowlog.Offset(id), max: flowlog.MaxUint(id)}
	}
	return ops
}

// fastFill parses the common case: columns separated by spaces only, every
// value well formed. It writes the record's slots in place, in one pass over
// the line. On anything unusual it returns false and the caller runs the
// general path (fill), which gives the same record or the exact error: the
// two paths are checked against each other by FuzzParseLine.
func (p *Parser) fastFill(f *Format, line []byte, rec *flowlog.Record) bool {
	ops := f.ops
	if ops == nil {
		return false
	}
	present := f.set
	base := unsafe.Pointer(rec)
	i, n := 0, len(line)
	for c := range ops {
		op := &ops[c]
		for i < n && line[i] == ' ' {
			i++
		}
		if i >= n {
			return false
		}
		ptr := unsafe.Add(base, op.off)
		if line[i] == '-' && (i+1 == n || line[i+1] == ' ') {
			clearSlot(ptr, op.kind)
			present.Remove(op.id)
			i++
			continue
		}
		switch op.kind {
		case flowlog.KindUint8, flowlog.KindUint16, flowlog.KindUint64, flowlog.KindTime:
			var v uint64
			j := i
			for j < n {
				d := line[j] - '0'
				if d > 9 {
					break
				}
				v = v*10 + uint64(d)
				j++
			}
			if j == i || j-i > 19 || (j < n && fastClass[line[j]] != 1) {
				return false
			}
			i = j
			switch op.kind {
			case flowlog.KindTime:
				if v > 1<<62 {
					return false
				}
				if v > maxInt32 {
					v /= 1000
				}
				*(*int64)(ptr) = int64(v)
			case flowlog.KindUint64:
				*(*uint64)(ptr) = v
			case flowlog.KindUint16:
				if v > op.max {
					return false
				}
				*(*uint16)(ptr) = uint16(v)
			default:
				if v > op.max {
					return false
				}
				*(*uint8)(ptr) = uint8(v)
			}
		case flowlog.KindAddr:
			j, ok := fastAddr(line, i, (*netip.Addr)(ptr))
			if !ok {
				return false
			}
			i = j
		default:
			j := i
			for j < n {
				c := fastClass[line[j]]
				if c == 1 {
					break
				}
				if c == 2 {
					return false
				}
				j++
			}
			tok := line[i:j]
			i = j
			if !p.fastValue(op, ptr, tok) {
				return false
			}
		}
	}
	for i < n && line[i] == ' ' {
		i++
	}
	if i != n {
		return false
	}
	rec.Present = present
	if rec.Extra != nil {
		rec.Extra = rec.Extra[:0]
	}
	return true
}

// fastValue stores a string or enum token.
func (p *Parser) fastValue(op *colOp, ptr unsafe.Pointer, tok []byte) bool {
	switch op.kind {
	case flowlog.KindString:
		*(*string)(ptr) = p.cached(op.id, tok)
		return true
	case flowlog.KindAction:
		v, ok := flowlog.ParseAction(tok)
		*(*uint8)(ptr) = uint8(v)
		return ok
	case flowlog.KindLogStatus:
		v, ok := flowlog.ParseLogStatus(tok)
		*(*uint8)(ptr) = uint8(v)
		return ok
	case flowlog.KindTrafficType:
		v, ok := flowlog.ParseTrafficType(tok)
		*(*uint8)(ptr) = uint8(v)
		return ok
	case flowlog.KindFlowDirection:
		v, ok := flowlog.ParseFlowDirection(tok)
		*(*uint8)(ptr) = uint8(v)
		return ok
	}
	return false
}

// fastAddr parses a dotted quad at line[i:] in place; IPv6 goes through
// netip. It returns the end of the token.
func fastAddr(line []byte, i int, dst *netip.Addr) (int, bool) {
	var a [4]byte
	part, val, digits := 0, 0, 0
	j, n := i, len(line)
	for ; j < n; j++ {
		c := line[j]
		if c == ' ' {
			break
		}
		if fastClass[c] == 2 {
			return 0, false
		}
		if c == '.' {
			if digits == 0 || part == 3 {
				return 0, false
			}
			a[part] = byte(val)
			part++
			val, digits = 0, 0
			continue
		}
		d := c - '0'
		if d > 9 {
			if c == ':' || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') {
				return fastAddr6(line, i, dst)
			}
			return 0, false
		}
		if digits > 0 && val == 0 {
			return fastAddr6(line, i, dst) // a leading zero: IPv6 ("2001:0db8::") or invalid
		}
		val = val*10 + int(d)
		digits++
		if val > 255 {
			return fastAddr6(line, i, dst) // IPv6 ("2600:...") or invalid
		}
	}
	if part != 3 || digits == 0 {
		return 0, false
	}
	a[3] = byte(val)
	*dst = netip.AddrFrom4(a)
	return j, true
}

func fastAddr6(line []byte, i int, dst *netip.Addr) (int, bool) {
	j := i
	for j < len(line) && line[j] != ' ' {
		if fastClass[line[j]] == 2 {
			return 0, false
		}
		j++
	}
	a, ok := parseAddr(line[i:j])
	*dst = a
	return j, ok
}

// clearSlot zeroes a slot (the field is absent).
func clearSlot(ptr unsafe.Pointer, kind flowlog.Kind) {
	switch kind {
	case flowlog.KindString:
		*(*string)(ptr) = ""
	case flowlog.KindAddr:
		*(*netip.Addr)(ptr) = netip.Addr{}
	case flowlog.KindTime:
		*(*int64)(ptr) = 0
	case flowlog.KindUint64:
		*(*uint64)(ptr) = 0
	case flowlog.KindUint16:
		*(*uint16)(ptr) = 0
	default:
		*(*uint8)(ptr) = 0
	}
}

// strCacheSize is the number of slots of a column's string cache.
const strCacheSize = 1024

// cached returns the interned string of tok, looking first in a small
// direct-mapped cache of the column (a few hundred ENIs or accounts fit)
// before the interner's map.
func (p *Parser) cached(id flowlog.FieldID, tok []byte) string {
	c := p.strCache[id]
	if c == nil {
		c = new([strCacheSize]string)
		p.strCache[id] = c
	}
	h := uint64(len(tok))
	if len(tok) >= 8 {
		h ^= binary.LittleEndian.Uint64(tok[len(tok)-8:])
		h ^= binary.LittleEndian.Uint64(tok) << 1
	} else {
		for _, b := range tok {
			h = h*31 + uint64(b)
		}
	}
	slot := &c[(h*0x9E3779B97F4A7C15)>>(64-10)]
	if *slot == string(tok) && (len(tok) > 0 || *slot == "") {
		return *slot
	}
	s := p.intern.intern(tok)
	*slot = s
	return s
}
