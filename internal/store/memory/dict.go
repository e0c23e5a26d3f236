package memory

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"sync"
	"unsafe"
)

// Strings and addresses are dictionary encoded: a column holds uint32 ids
// into the store's dictionaries. An appender's shard first uses ids of its
// own local dictionaries (no lock while appending); when the shard is sealed
// its local ids are translated to global ids under the dictionaries' lock.
// Global ids are never reused or removed, so a query snapshot (the
// dictionaries' slices at publication time) stays valid while writers add
// entries.

// addrKey is an address without the pointer netip.Addr holds for its zone
// (flow logs never carry zones; the parser refuses them), so that maps of
// addresses are not scanned by the garbage collector. is4 distinguishes
// 1.2.3.4 from the IPv4-mapped ::ffff:1.2.3.4, whose texts differ.
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

// localStrs is a shard's string dictionary.
type localStrs struct {
	index map[string]uint32
	vals  []string
	// cache maps a string's memory to its id: the parser interns repeated
	// strings (account and interface IDs), so a repeated value usually comes
	// with the same pointer and costs no hashing.
	cache [256]strEntry
}

type strEntry struct {
	s  string
	id uint32
}

func newLocalStrs() *localStrs { return &localStrs{index: map[string]uint32{}} }

func (d *localStrs) id(s string) uint32 {
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

// localAddrs is a shard's address dictionary.
type localAddrs struct {
	index map[addrKey]uint32
	vals  []addrKey
	// cache is a direct-mapped cache in front of index (id + 1; 0 is empty).
	cache [4096]addrEntry
}

type addrEntry struct {
	k  addrKey
	id uint32
}

func newLocalAddrs() *localAddrs { return &localAddrs{index: map[addrKey]uint32{}} }

func (d *localAddrs) id(a netip.Addr) uint32 {
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
	}
	e.k, e.id = k, i+1
	return i
}

// dicts are the store's global dictionaries. Writers intern under mu;
// readers use the slices captured in a published state.
type dicts struct {
	mu        sync.Mutex
	strIndex  map[string]uint32
	strs      []string
	strBytes  int64
	addrIndex map[addrKey]uint32
	addrs     []addrKey
}

func newDicts() *dicts {
	return &dicts{strIndex: map[string]uint32{}, addrIndex: map[addrKey]uint32{}}
}

// globalize translates the local ids of b's columns to global ids. The
// translations of b's local dictionaries are kept, so that a shard reused
// for more rows (of the same or of later objects) interns each value once.
func (d *dicts) globalize(b *builder) {
	if b.strs == nil {
		return
	}
	if len(b.smap) < len(b.strs.vals) || len(b.amap) < len(b.addrs.vals) {
		d.mu.Lock()
		for _, s := range b.strs.vals[len(b.smap):] {
			id, ok := d.strIndex[s]
			if !ok {
				// Clone: the record's string may share memory with more
				// than the value (a line), which the store must not pin.
				s = strings.Clone(s)
				id = uint32(len(d.strs))
				d.strIndex[s] = id
				d.strs = append(d.strs, s)
				d.strBytes += int64(len(s))
			}
			b.smap = append(b.smap, id)
		}
		for _, k := range b.addrs.vals[len(b.amap):] {
			id, ok := d.addrIndex[k]
			if !ok {
				id = uint32(len(d.addrs))
				d.addrIndex[k] = id
				d.addrs = append(d.addrs, k)
			}
			b.amap = append(b.amap, id)
		}
		d.mu.Unlock()
	}
	for _, a := range b.active {
		m := b.smap
		if a.storage == stAddr {
			m = b.amap
		} else if a.storage != stStr {
			continue
		}
		ids := a.col.ids
		for i, id := range ids {
			ids[i] = m[id]
		}
	}
}

// view returns the current dictionaries, for a state being published.
func (d *dicts) view() ([]string, []addrKey, int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.strs[:len(d.strs):len(d.strs)], d.addrs[:len(d.addrs):len(d.addrs)], d.strBytes
}
