package filestats

import (
	"math/bits"
	"math/rand/v2"
	"net/netip"
	"unsafe"
)

// seeds randomise the hash function of one set, so that crafted addresses
// (attackers choose source addresses) cannot force collisions. Every set
// has its own seeds: inserting the keys of a set in its slot order into a
// set with the same hash function would pile them into long probe runs.
type seeds struct{ a, b uint64 }

func newSeeds() seeds { return seeds{a: rand.Uint64(), b: rand.Uint64() | 1} }

// mix is the wyhash multiply-fold: a fast, well-distributed 64-bit mixer.
func mix(a, b uint64) uint64 {
	hi, lo := bits.Mul64(a, b)
	return hi ^ lo
}

// set32 is an open-addressing (linear probing) set of uint32 keys, for IPv4
// addresses. Slot value 0 means empty; key 0 is tracked by hasZero. The
// load factor stays at most 3/4.
type set32 struct {
	slots   []uint32
	mask    uint64
	n       int // keys in slots
	hasZero bool
	seeds   seeds
}

const minSlots = 256

func newSet32() set32 {
	return set32{slots: make([]uint32, minSlots), mask: minSlots - 1, seeds: newSeeds()}
}

func (s *set32) hash(k uint32) uint64 { return mix(uint64(k)^s.seeds.a, s.seeds.b) }

// add puts k in the set. The common case, k in its home slot, inlines.
func (s *set32) add(k uint32) {
	i := s.hash(k) & s.mask
	if s.slots[i] == k && k != 0 {
		return
	}
	s.insert(k, i)
}

func (s *set32) insert(k uint32, i uint64) {
	if k == 0 {
		s.hasZero = true
		return
	}
	for {
		v := s.slots[i]
		if v == k {
			return
		}
		if v == 0 {
			break
		}
		i = (i + 1) & s.mask
	}
	s.slots[i] = k
	s.n++
	if 4*s.n > 3*len(s.slots) {
		s.resize(2 * len(s.slots))
	}
}

// reserve makes room for n keys without growing.
func (s *set32) reserve(n int) {
	size := len(s.slots)
	for 4*n > 3*size {
		size *= 2
	}
	if size > len(s.slots) {
		s.resize(size)
	}
}

func (s *set32) resize(size int) {
	old := s.slots
	s.slots = make([]uint32, size)
	s.mask = uint64(size - 1)
	for _, k := range old {
		if k == 0 {
			continue
		}
		i := s.hash(k) & s.mask
		for s.slots[i] != 0 {
			i = (i + 1) & s.mask
		}
		s.slots[i] = k
	}
}

func (s *set32) len() int {
	if s.hasZero {
		return s.n + 1
	}
	return s.n
}

// merge adds the keys of o to s.
func (s *set32) merge(o *set32) {
	s.reserve(s.n + o.n)
	if o.hasZero {
		s.hasZero = true
	}
	for _, k := range o.slots {
		if k != 0 {
			s.add(k)
		}
	}
}

// key128 is an IPv6 address as two big-endian halves.
type key128 struct{ hi, lo uint64 }

// set128 is an open-addressing set of 128-bit keys, for IPv6 addresses.
// Slot value {0,0} means empty; the key :: is tracked by hasZero.
type set128 struct {
	slots   []key128
	mask    uint64
	n       int
	hasZero bool
	seeds   seeds
}

func newSet128() set128 {
	return set128{slots: make([]key128, minSlots), mask: minSlots - 1, seeds: newSeeds()}
}

func (s *set128) hash(k key128) uint64 { return mix(k.hi^s.seeds.a, k.lo^s.seeds.b) }

func (s *set128) add(k key128) {
	i := s.hash(k) & s.mask
	if s.slots[i] == k && k != (key128{}) {
		return
	}
	s.insert(k, i)
}

func (s *set128) insert(k key128, i uint64) {
	if k == (key128{}) {
		s.hasZero = true
		return
	}
	for {
		v := s.slots[i]
		if v == k {
			return
		}
		if v == (key128{}) {
			break
		}
		i = (i + 1) & s.mask
	}
	s.slots[i] = k
	s.n++
	if 4*s.n > 3*len(s.slots) {
		s.resize(2 * len(s.slots))
	}
}

func (s *set128) reserve(n int) {
	size := len(s.slots)
	for 4*n > 3*size {
		size *= 2
	}
	if size > len(s.slots) {
		s.resize(size)
	}
}

func (s *set128) resize(size int) {
	old := s.slots
	s.slots = make([]key128, size)
	s.mask = uint64(size - 1)
	for _, k := range old {
		if k == (key128{}) {
			continue
		}
		i := s.hash(k) & s.mask
		for s.slots[i] != (key128{}) {
			i = (i + 1) & s.mask
		}
		s.slots[i] = k
	}
}

func (s *set128) len() int {
	if s.hasZero {
		return s.n + 1
	}
	return s.n
}

func (s *set128) merge(o *set128) {
	s.reserve(s.n + o.n)
	if o.hasZero {
		s.hasZero = true
	}
	for _, k := range o.slots {
		if k != (key128{}) {
			s.add(k)
		}
	}
}

// addrSet is an exact set of addresses with netip.Addr equality: IPv4 and
// IPv6 (including IPv4-mapped IPv6) addresses are different keys, and so are
// IPv6 addresses with different zones.
type addrSet struct {
	v4    set32
	v6    set128
	zoned map[netip.Addr]struct{} // IPv6 with a zone: never in flow logs
}

func newAddrSet() addrSet {
	return addrSet{v4: newSet32(), v6: newSet128()}
}

// add puts a in the set. The zero (invalid) Addr is ignored. The home-slot
// probe of the common cases is written out here: one call per address.
func (s *addrSet) add(a netip.Addr) {
	if a.Is4() {
		b := a.As4()
		k := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
		v4 := &s.v4
		i := v4.hash(k) & v4.mask
		if v4.slots[i] != k || k == 0 {
			v4.insert(k, i)
		}
		return
	}
	if !a.Is6() {
		return
	}
	if a.Zone() != "" {
		if s.zoned == nil {
			s.zoned = make(map[netip.Addr]struct{})
		}
		s.zoned[a] = struct{}{}
		return
	}
	b := a.As16()
	k := key128{be64(b[:8]), be64(b[8:])}
	v6 := &s.v6
	i := v6.hash(k) & v6.mask
	if v6.slots[i] != k || k == (key128{}) {
		v6.insert(k, i)
	}
}

func be64(b []byte) uint64 {
	_ = b[7]
	return uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
		uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
}

func (s *addrSet) len() int { return s.v4.len() + s.v6.len() + len(s.zoned) }

func (s *addrSet) merge(o *addrSet) {
	s.v4.merge(&o.v4)
	s.v6.merge(&o.v6)
	for a := range o.zoned {
		if s.zoned == nil {
			s.zoned = make(map[netip.Addr]struct{}, len(o.zoned))
		}
		s.zoned[a] = struct{}{}
	}
}

// strSet is an exact set of strings. Parsers intern repeated values (an
// ENI appears in many records), so strings of equal content mostly share
// their data pointer. A pointer-keyed table answers those repeats without
// hashing the content: a value whose data pointer and length are in it is
// known to be in the set (the table holds the strings, so a pointer cannot
// be reused for other bytes while it is there). Other values go through a
// map keyed by content. When values are not interned, the pointer table
// would grow with every record: it is cleared once it holds many more
// pointers than the set holds strings.
type strSet struct {
	m        map[string]struct{}
	ptrs     []string // "" is an empty slot
	ptrShift uint
	ptrN     int
	hasEmpty bool
}

const (
	minPtrBits = 8
	golden     = 0x9E3779B97F4A7C15
)

func newStrSet() strSet {
	return strSet{m: make(map[string]struct{}), ptrs: make([]string, 1<<minPtrBits), ptrShift: 64 - minPtrBits}
}

// ptrSlot returns the home slot of v in the pointer table.
func (s *strSet) ptrSlot(v string) uint64 {
	return uint64(uintptr(unsafe.Pointer(unsafe.StringData(v)))) * golden >> s.ptrShift
}

func samePtr(a, b string) bool {
	return len(a) == len(b) && unsafe.StringData(a) == unsafe.StringData(b)
}

// add puts v in the set. acc.add writes the home-slot check out itself.
func (s *strSet) add(v string) {
	if i := s.ptrSlot(v); !samePtr(s.ptrs[i], v) || len(v) == 0 {
		s.addSlow(v, i)
	}
}

// addSlow adds v, whose home slot in the pointer table is i and does not
// hold v.
func (s *strSet) addSlow(v string, i uint64) {
	if len(v) == 0 {
		s.hasEmpty = true
		return
	}
	mask := uint64(len(s.ptrs) - 1)
	for ; len(s.ptrs[i]) != 0; i = (i + 1) & mask {
		if samePtr(s.ptrs[i], v) {
			return
		}
	}
	if _, ok := s.m[v]; !ok {
		s.m[v] = struct{}{}
	}
	if s.ptrN >= 2*len(s.m)+4096 {
		// Not interned: start over rather than grow without bound.
		clear(s.ptrs)
		s.ptrN = 0
		i = s.ptrSlot(v)
	}
	s.ptrs[i] = v
	s.ptrN++
	if 2*s.ptrN > len(s.ptrs) {
		s.growPtrs()
	}
}

func (s *strSet) growPtrs() {
	old := s.ptrs
	s.ptrs = make([]string, 2*len(old))
	s.ptrShift--
	mask := uint64(len(s.ptrs) - 1)
	for _, v := range old {
		if len(v) == 0 {
			continue
		}
		i := s.ptrSlot(v)
		for len(s.ptrs[i]) != 0 {
			i = (i + 1) & mask
		}
		s.ptrs[i] = v
	}
}

func (s *strSet) len() int {
	if s.hasEmpty {
		return len(s.m) + 1
	}
	return len(s.m)
}

// merge adds the strings of o to s (by content).
func (s *strSet) merge(o *strSet) {
	s.hasEmpty = s.hasEmpty || o.hasEmpty
	for v := range o.m {
		s.m[v] = struct{}{}
	}
}
