package memory

import "math/bits"

// table maps uint64 keys to int32 values: an open-addressing hash table
// with linear probing, several times faster than a Go map for the group
// and distinct lookups of queries (one per row).
type table struct {
	keys  []uint64
	vals  []int32 // value + 1; 0 marks an empty slot
	n     int
	shift uint
}

func newTable() *table {
	t := &table{}
	t.resize(1 << 10)
	return t
}

func (t *table) resize(size int) {
	keys, vals := t.keys, t.vals
	t.keys, t.vals = make([]uint64, size), make([]int32, size)
	t.shift = uint(64 - bits.TrailingZeros(uint(size)))
	for i, v := range vals {
		if v != 0 {
			t.put(keys[i], v)
		}
	}
}

func (t *table) slot(k uint64) uint64 { return (k * 0x9e3779b97f4a7c15) >> t.shift }

func (t *table) put(k uint64, v int32) {
	mask := uint64(len(t.keys) - 1)
	for i := t.slot(k); ; i = (i + 1) & mask {
		if t.vals[i] == 0 {
			t.keys[i], t.vals[i] = k, v
			return
		}
	}
}

// getOrPut returns the value of k and true, or sets it to v and returns v
// and false.
func (t *table) getOrPut(k uint64, v int32) (int32, bool) {
	mask := uint64(len(t.keys) - 1)
	i := t.slot(k)
	for ; ; i = (i + 1) & mask {
		x := t.vals[i]
		if x == 0 {
			break
		}
		if t.keys[i] == k {
			return x - 1, true
		}
	}
	t.keys[i], t.vals[i] = k, v+1
	t.n++
	if 2*t.n > len(t.keys) {
		t.resize(2 * len(t.keys))
	}
	return v, false
}
