package parse

import (
	"net/netip"
	"unsafe"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// opKind is what the fast path does with one column.
type opKind uint8

const (
	opUint8 opKind = iota
	opUint16
	opUint64
	opTime
	opAddr
	opString
	opSkip // a string column outside the projection: nothing to check or keep
	opAction
	opStatus
	opType
	opDirection
)

// colOp is how the fast path parses one column: the field, what to do, the
// offset of its slot in flowlog.Record and its largest value.
type colOp struct {
	id   flowlog.FieldID
	kind opKind
	off  uintptr
	max  uint64
}

// compile prepares the fast path for format f and returns whether it
// applies (formats with unknown columns take the general path).
func (p *Parser) compile(f *Format) bool {
	p.opsFormat = f
	p.ops = p.ops[:0]
	p.present = flowlog.FieldSet{f.set[0] & p.keep[0], f.set[1] & p.keep[1]}
	if len(f.ExtraNames) > 0 {
		return false
	}
	for _, id := range f.Fields {
		op := colOp{id: id, off: flowlog.Offset(id), max: flowlog.MaxUint(id)}
		switch id.Kind() {
		case flowlog.KindUint8:
			op.kind = opUint8
		case flowlog.KindUint16:
			op.kind = opUint16
		case flowlog.KindUint64:
			op.kind = opUint64
		case flowlog.KindTime:
			op.kind = opTime
		case flowlog.KindAddr:
			op.kind = opAddr
		case flowlog.KindString:
			op.kind = opString
			if !p.present.Has(id) {
				op.kind = opSkip // outside the projection
			}
		case flowlog.KindAction:
			op.kind = opAction
		case flowlog.KindLogStatus:
			op.kind = opStatus
		case flowlog.KindTrafficType:
			op.kind = opType
		case flowlog.KindFlowDirection:
			op.kind = opDirection
		default:
			p.ops = p.ops[:0]
			return false
		}
		p.ops = append(p.ops, op)
	}
	return true
}

// fastFill parses the common case: columns separated by spaces only, every
// value well formed. It writes the record's slots in place, in one pass over
// the line. On anything unusual it returns false and the caller runs the
// general path (fill), which gives the same record or the exact error: the
// two paths are checked against each other by FuzzParseLine.
//
// Fields outside the projection are parsed and checked like the others;
// their slots get the value (they are not in Present), but their strings
// are not interned.
func (p *Parser) fastFill(f *Format, line []byte, rec *flowlog.Record) bool {
	if f != p.opsFormat && !p.compile(f) || len(p.ops) == 0 {
		return false
	}
	if f.def && !p.noDefault {
		if end, ok := p.fastDefault(line, 0, rec); ok && end == len(line) {
			return true
		}
	}
	ops := p.ops
	present := p.present
	base := unsafe.Pointer(rec)
	i, n := 0, len(line) // line[0] is not a space (parse trims the line)
	for c := range ops {
		op := &ops[c]
		if i >= n {
			return false
		}
		if line[i] == ' ' {
			// Repeated spaces (i follows a space, or is 0).
			for i < n && line[i] == ' ' {
				i++
			}
			if i == n {
				return false
			}
		}
		ptr := unsafe.Add(base, op.off)
		if line[i] == '-' && (i+1 == n || line[i+1] == ' ') {
			clearSlot(ptr, op.kind)
			present.Remove(op.id)
			i += 2
			continue
		}
		var j int
		switch op.kind {
		case opUint8, opUint16, opUint64, opTime:
			var v uint64
			var ok bool
			if v, j, ok = scanUint(line, i); !ok || !storeUint(op, ptr, v) {
				return false
			}
		case opAddr:
			if j = tokenEnd(line, i); j < n && line[j] != ' ' {
				return false
			}
			a, ok := columnAddr(line, i, j)
			if !ok {
				return false
			}
			*(*netip.Addr)(ptr) = a
		default:
			if j = tokenEnd(line, i); j < n && line[j] != ' ' {
				return false // a tab, CR or control byte: the general path
			}
			if !p.fastValue(op, ptr, line[i:j]) {
				return false
			}
		}
		i = j + 1 // line[j] is a space, or j == n
	}
	if i < n {
		return false // more columns than the format has (parse trims trailing spaces)
	}
	rec.Present = present
	if rec.Extra != nil {
		rec.Extra = rec.Extra[:0]
	}
	return true
}

// storeUint checks v against the column and stores it.
func storeUint(op *colOp, ptr unsafe.Pointer, v uint64) bool {
	switch op.kind {
	case opTime:
		if v > 1<<62 {
			return false
		}
		if v > maxInt32 {
			v /= 1000 // milliseconds
		}
		*(*int64)(ptr) = int64(v)
	case opUint64:
		*(*uint64)(ptr) = v
	case opUint16:
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
	return true
}

// fastValue stores a string or enum token.
func (p *Parser) fastValue(op *colOp, ptr unsafe.Pointer, tok []byte) bool {
	switch op.kind {
	case opString:
		*(*string)(ptr) = p.cached(op.id, tok)
		return true
	case opSkip:
		return true
	case opAction:
		v, ok := flowlog.ParseAction(tok)
		*(*uint8)(ptr) = uint8(v)
		return ok
	case opStatus:
		v, ok := flowlog.ParseLogStatus(tok)
		*(*uint8)(ptr) = uint8(v)
		return ok
	case opType:
		v, ok := flowlog.ParseTrafficType(tok)
		*(*uint8)(ptr) = uint8(v)
		return ok
	case opDirection:
		v, ok := flowlog.ParseFlowDirection(tok)
		*(*uint8)(ptr) = uint8(v)
		return ok
	}
	return false
}

// clearSlot zeroes a slot (the field is absent).
func clearSlot(ptr unsafe.Pointer, kind opKind) {
	switch kind {
	case opString:
		*(*string)(ptr) = ""
	case opSkip:
	case opAddr:
		*(*netip.Addr)(ptr) = netip.Addr{}
	case opTime:
		*(*int64)(ptr) = 0
	case opUint64:
		*(*uint64)(ptr) = 0
	case opUint16:
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
	n := len(tok)
	if n < 8 || n > 24 {
		h := uint64(n)
		if n >= 8 {
			h ^= le64(tok, n-8) ^ le64(tok, 0)<<1
		} else {
			for _, b := range tok {
				h = h*31 + uint64(b)
			}
		}
		slot := &c[(h*0x9E3779B97F4A7C15)>>(64-10)]
		if *slot == string(tok) && (n > 0 || *slot == "") {
			return *slot
		}
		s := p.intern.intern(tok)
		*slot = s
		return s
	}
	// 8 to 24 bytes (ids, accounts): the first, middle and last words cover
	// the token; compare them in line.
	first, mid, last := le64(tok, 0), le64(tok, n/2-4), le64(tok, n-8)
	h := uint64(n) ^ last ^ first<<1
	slot := &c[(h*0x9E3779B97F4A7C15)>>(64-10)]
	if s := *slot; len(s) == n {
		sb := unsafe.Slice(unsafe.StringData(s), n)
		if le64(sb, 0) == first && le64(sb, n/2-4) == mid && le64(sb, n-8) == last {
			return s
		}
	}
	s := p.intern.intern(tok)
	*slot = s
	return s
}
