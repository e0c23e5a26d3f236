package embedded

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"sync"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// A rollup aggregates a stage per time bucket and rollup dimensions
// (store.RollupDims): flows (records), packets and bytes. Rows without a
// start time form their own bucket (stored with a NULL start), so totals over
// all time are equal in raw records and rollups.

const maxRollupDims = 16

const noBucket = math.MinInt64

type rkey struct {
	bucket int64
	v      [maxRollupDims]uint32 // dimension value + 1 (index or number), 0 = absent
}

type ragg struct {
	flows, packets, bytes uint64
	hasPackets, hasBytes  bool
}

type rollup struct {
	buf  *rollupBuf // holds keys and aggs
	step int64
	dims []flowlog.FieldID // present dimensions, in the order of the cube's Dims
	src  []*column         // the stage columns of dims (for dictionaries)
	// service is the cube's ServiceFrom: when set, the two key values after
	// the dimensions are the service ports (+1, 0 = none) of the source
	// and destination ends (flowlog.ServiceSide).
	service uint16
	keys    []rkey
	aggs    []ragg
}

func init() {
	for _, c := range store.Cubes() {
		n := len(c.Dims)
		if c.ServiceFrom != 0 {
			n += 2
		}
		if n > maxRollupDims {
			panic("embedded: too many rollup dimensions in cube " + c.Name)
		}
	}
}

// buildRollup aggregates s at step seconds on the dimensions of cube.
// perm lists the rows ordered by start (rows without start last, see
// sortByDay): each bucket's rows are contiguous, so the hash table only
// ever holds one bucket and stays in cache, and the entries come out
// ordered by bucket.
func buildRollup(s *stage, perm []int32, step int64, cube *store.Cube, buf *rollupBuf) *rollup {
	ru := &rollup{step: step, buf: buf, service: uint16(cube.ServiceFrom)}
	for _, f := range cube.Dims {
		if c := s.get(f); c != nil {
			ru.dims = append(ru.dims, f)
			ru.src = append(ru.src, c)
		}
	}
	nv := len(ru.dims)
	spc, dpc, prc := s.get(flowlog.FieldSrcPort), s.get(flowlog.FieldDstPort), s.get(flowlog.FieldProtocol)
	if ru.service != 0 {
		nv += 2
	}
	ru.keys, ru.aggs = buf.keys[:0], buf.aggs[:0]
	index := buf.table(nv)
	sc := s.get(flowlog.FieldStart)
	pc, bc := s.get(flowlog.FieldPackets), s.get(flowlog.FieldBytes)
	var k rkey
	current := int64(noBucket) + 1 // matches no bucket
	for _, r32 := range perm {
		r := int(r32)
		k.bucket = noBucket
		if sc != nil && sc.valid[r] {
			k.bucket = floorDiv(int64(sc.u64[r]), step) * step
		}
		if k.bucket != current {
			index.reset()
			current = k.bucket
		}
		for j, c := range ru.src {
			k.v[j] = dimValue(c, r)
		}
		if ru.service != 0 {
			k.v[len(ru.src)], k.v[len(ru.src)+1] = serviceValues(spc, dpc, prc, r, ru.service)
		}
		i, ok := index.find(&k, ru.keys)
		if !ok {
			i = int32(len(ru.keys))
			index.insert(&k, i, ru.keys)
			ru.keys = append(ru.keys, k)
			ru.aggs = append(ru.aggs, ragg{})
		}
		a := &ru.aggs[i]
		a.flows++
		if pc != nil && pc.valid[r] {
			a.packets += pc.u64[r]
			a.hasPackets = true
		}
		if bc != nil && bc.valid[r] {
			a.bytes += bc.u64[r]
			a.hasBytes = true
		}
	}
	return ru
}

// rollupBuf holds the entries of a rollup. Entries never outnumber their
// input rows: a buffer of that capacity never grows.
type rollupBuf struct {
	keys []rkey
	aggs []ragg
	tab  rtable
}

func (b *rollupBuf) table(dims int) *rtable {
	b.tab.dims = dims
	b.tab.reset()
	return &b.tab
}

// rtable is an open-addressing hash table from a key (bucket and the
// first dims values) to an entry index. It only hashes and compares the
// dimensions in use, and resets in O(1) (generations), which makes it
// several times faster than a map of full keys for the per-bucket tables
// of rollups.
type rtable struct {
	dims  int
	slots []uint64 // generation<<40 | fingerprint<<32 | entry index+1; other generations are empty
	gen   uint64
	n     int
}

func (t *rtable) reset() {
	t.gen++
	t.n = 0
	if t.gen >= 1<<24 {
		clear(t.slots)
		t.gen = 1
	}
	if t.slots == nil {
		t.slots = make([]uint64, 1<<12)
	}
}

func (t *rtable) hash(k *rkey) uint64 {
	h := uint64(k.bucket) * 0x9e3779b97f4a7c15
	for _, v := range k.v[:t.dims] {
		h = (h ^ uint64(v)) * 0xff51afd7ed558ccd
		h ^= h >> 29
	}
	return h
}

func (t *rtable) equal(a, b *rkey) bool {
	if a.bucket != b.bucket {
		return false
	}
	for j, v := range a.v[:t.dims] {
		if b.v[j] != v {
			return false
		}
	}
	return true
}

// find returns the index of k among keys, if present. The fingerprint
// (top hash bits) in the slot avoids most key comparisons, which would read
// the keys at random.
func (t *rtable) find(k *rkey, keys []rkey) (int32, bool) {
	mask := uint64(len(t.slots) - 1)
	h := t.hash(k)
	tag := t.gen<<8 | h>>56
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s>>40 != t.gen {
			return 0, false
		}
		if s>>32 == tag {
			if idx := int32(uint32(s)) - 1; t.equal(&keys[idx], k) {
				return idx, true
			}
		}
	}
}

// insert records that k is entry idx (k must not be present); keys are
// the entries (for rehashing).
func (t *rtable) insert(k *rkey, idx int32, keys []rkey) {
	if 2*(t.n+1) > len(t.slots) {
		t.grow(keys)
	}
	t.put(t.hash(k), idx)
	t.n++
}

func (t *rtable) put(h uint64, idx int32) {
	mask := uint64(len(t.slots) - 1)
	i := h & mask
	for t.slots[i]>>40 == t.gen {
		i = (i + 1) & mask
	}
	t.slots[i] = (t.gen<<8|h>>56)<<32 | uint64(uint32(idx+1))
}

// grow doubles the table and rehashes the entries of the current generation.
func (t *rtable) grow(keys []rkey) {
	old := t.slots
	t.slots = make([]uint64, 2*len(old))
	for _, s := range old {
		if s>>40 == t.gen {
			idx := int32(uint32(s)) - 1
			t.put(t.hash(&keys[idx]), idx)
		}
	}
}

func dimValue(c *column, r int) uint32 {
	if !c.valid[r] {
		return 0
	}
	switch {
	case isU8(c.kind):
		return uint32(c.u8[r]) + 1
	case c.kind == flowlog.KindUint16:
		return uint32(c.u16[r]) + 1
	}
	return c.idx[r] + 1
}

// serviceValues returns the key values (port+1, 0 = none) of the service
// ports of the source and destination ends of row r.
func serviceValues(spc, dpc, prc *column, r int, eph uint16) (uint32, uint32) {
	if prc == nil || !prc.valid[r] {
		return 0, 0
	}
	var sp, dp uint16
	hasS, hasD := spc != nil && spc.valid[r], dpc != nil && dpc.valid[r]
	if hasS {
		sp = spc.u16[r]
	}
	if hasD {
		dp = dpc.u16[r]
	}
	side, port := flowlog.ServiceSide(prc.u8[r], sp, dp, hasS, hasD, eph)
	var s, d uint32
	if side.Serves(true) {
		s = uint32(port) + 1
	}
	if side.Serves(false) {
		d = uint32(port) + 1
	}
	return s, d
}

// aggregate re-aggregates ru (ordered by bucket) on the dimensions of
// cube present in ru, at step (a multiple of ru.step). The result is
// ordered by bucket. Service ports are not carried over: cubes with
// ServiceFrom are built from the stage (buildRollup).
func (ru *rollup) aggregate(cube *store.Cube, step int64, buf *rollupBuf) *rollup {
	if cube.ServiceFrom != 0 && uint64(ru.service) != cube.ServiceFrom {
		panic("embedded: aggregate cannot compute the service ports of cube " + cube.Name)
	}
	out := &rollup{step: step, buf: buf, service: uint16(cube.ServiceFrom)}
	var pos []int
	for j, f := range ru.dims {
		if cube.Has(f) {
			out.dims = append(out.dims, f)
			out.src = append(out.src, ru.src[j])
			pos = append(pos, j)
		}
	}
	nv := len(out.dims)
	if out.service != 0 {
		// The service ports follow the dimensions.
		pos = append(pos, len(ru.dims), len(ru.dims)+1)
		nv += 2
	}
	out.keys, out.aggs = buf.keys[:0], buf.aggs[:0]
	index := buf.table(nv)
	current := int64(noBucket) + 1
	var k rkey
	for i := range ru.keys {
		in := &ru.keys[i]
		k.bucket = in.bucket
		if k.bucket != noBucket {
			k.bucket = floorDiv(k.bucket, step) * step
		}
		if k.bucket != current {
			index.reset()
			current = k.bucket
		}
		for j, p := range pos {
			k.v[j] = in.v[p]
		}
		j, ok := index.find(&k, out.keys)
		if !ok {
			j = int32(len(out.keys))
			index.insert(&k, j, out.keys)
			out.keys = append(out.keys, k)
			out.aggs = append(out.aggs, ragg{})
		}
		a, b := &out.aggs[j], &ru.aggs[i]
		a.flows += b.flows
		a.packets += b.packets
		a.bytes += b.bytes
		a.hasPackets = a.hasPackets || b.hasPackets
		a.hasBytes = a.hasBytes || b.hasBytes
	}
	return out
}

// writeRollups writes every cube at its resolutions: the full cube per
// minute from the stage, everything else from it, the cubes in parallel.
func (e *encoder) writeRollups(s *stage, perm []int32, dir, prefix string) ([]fileInfo, error) {
	full := store.FullCube()
	minute := buildRollup(s, perm, 60, full, e.getRollupBuf(len(perm)))
	defer e.releaseRollup(minute)
	hour := minute.aggregate(full, 3600, e.getRollupBuf(len(minute.keys)))
	defer e.releaseRollup(hour)
	write := func(ru *rollup, cube string) ([]fileInfo, error) {
		return e.writeRollup(ru, dir, prefix, levelName(resolutionOfStep(ru.step), cube))
	}
	jobs := []func() ([]fileInfo, error){
		func() ([]fileInfo, error) { return write(minute, full.Name) },
		func() ([]fileInfo, error) { return write(hour, full.Name) },
	}
	// Service ports come from both ports, which the full cube does not
	// keep: the widest cube with service ports is built from the stage,
	// per hour, and the others (narrower, same ephemeral start) from it.
	var svc []*store.Cube
	for i := range store.Cubes() {
		if c := &store.Cubes()[i]; c.ServiceFrom != 0 {
			svc = append(svc, c)
		}
	}
	slices.SortStableFunc(svc, func(a, b *store.Cube) int { return len(b.Dims) - len(a.Dims) })
	if len(svc) > 0 {
		jobs = append(jobs, func() ([]fileInfo, error) {
			wide := buildRollup(s, perm, 3600, svc[0], e.getRollupBuf(len(perm)/4))
			defer e.releaseRollup(wide)
			files, err := write(wide, svc[0].Name)
			for _, c := range svc[1:] {
				if err != nil {
					break
				}
				if c.ServiceFrom != svc[0].ServiceFrom || !coversDims(svc[0], c) {
					panic("embedded: cube " + c.Name + " is not a narrowing of cube " + svc[0].Name)
				}
				n := wide.aggregate(c, 3600, e.getRollupBuf(len(wide.keys)))
				var more []fileInfo
				more, err = write(n, c.Name)
				e.releaseRollup(n)
				files = append(files, more...)
			}
			return files, err
		})
	}
	for i := range store.Cubes()[1:] {
		c := &store.Cubes()[1+i]
		if c.ServiceFrom != 0 {
			continue
		}
		jobs = append(jobs, func() ([]fileInfo, error) {
			if c.HourOnly {
				h := hour.aggregate(c, 3600, e.getRollupBuf(len(hour.keys)/2))
				defer e.releaseRollup(h)
				return write(h, c.Name)
			}
			// Narrow cubes are much smaller than their input.
			m := minute.aggregate(c, 60, e.getRollupBuf(len(minute.keys)/4))
			defer e.releaseRollup(m)
			h := m.aggregate(c, 3600, e.getRollupBuf(len(m.keys)))
			defer e.releaseRollup(h)
			files, err := write(m, c.Name)
			if err != nil {
				return files, err
			}
			more, err := write(h, c.Name)
			return append(files, more...), err
		})
	}
	return e.runJobs(jobs)
}

// coversDims reports whether cube a has every dimension of cube b.
func coversDims(a, b *store.Cube) bool {
	for _, f := range b.Dims {
		if !a.Has(f) {
			return false
		}
	}
	return true
}

// runJobs runs jobs on e.threads goroutines and gathers their files.
func (e *encoder) runJobs(jobs []func() ([]fileInfo, error)) ([]fileInfo, error) {
	var mu sync.Mutex
	var out []fileInfo
	var first error
	next := make(chan func() ([]fileInfo, error), len(jobs))
	for _, j := range jobs {
		next <- j
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < max(1, min(e.threads, len(jobs))); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range next {
				files, err := j()
				mu.Lock()
				out = append(out, files...)
				if err != nil && first == nil {
					first = err
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if first != nil {
		removeFiles(out)
		return nil, first
	}
	return out, nil
}

// releaseRollup returns the rollup's (possibly grown) buffers to the pool.
func (e *encoder) releaseRollup(ru *rollup) {
	ru.buf.keys, ru.buf.aggs = ru.keys, ru.aggs
	e.putRollupBuf(ru.buf)
}

func resolutionOfStep(step int64) store.Resolution {
	if step == 3600 {
		return store.ResolutionHour
	}
	return store.ResolutionMinute
}

// columns returns the stored columns of the rollup, gathering values from
// its entries (dictionaries are those of the source stage).
func (ru *rollup) columns() []outColumn {
	keys, aggs := ru.keys, ru.aggs
	out := []outColumn{{pq: pqColumn{Name: flowlog.FieldStart.Column(), Type: pqI64}, fill: func(rows []int32, ch *pqChunk) {
		for _, r := range rows {
			b := keys[r].bucket
			ch.Valid = append(ch.Valid, b != noBucket)
			if b != noBucket {
				ch.Ints = append(ch.Ints, uint64(b))
			}
		}
	}}}
	for j, f := range ru.dims {
		src := ru.src[j]
		get := func(r int32) (uint32, bool) { v := keys[r].v[j]; return v - 1, v != 0 }
		col := outColumn{pq: pqColumn{Name: f.Column(), Type: pqTypeOf(src.kind)}}
		switch k := src.kind; {
		case k == flowlog.KindAddr:
			col.fill = gatherDict(get, src.addrs.texts())
			out = append(out, col)
			out = append(out, addrHelpers(f.Column(), src.addrs, get)...)
			continue
		case k == flowlog.KindString:
			col.fill = gatherDict(get, src.strs.vals)
		case isU8(k) && k != flowlog.KindUint8:
			col.fill = gatherDict(get, enumDicts[k])
		default:
			col.fill = func(rows []int32, ch *pqChunk) {
				for _, r := range rows {
					v, ok := get(r)
					ch.Valid = append(ch.Valid, ok)
					if ok {
						ch.Ints = append(ch.Ints, uint64(v))
					}
				}
			}
		}
		out = append(out, col)
	}
	if ru.service != 0 {
		for j, f := range []flowlog.FieldID{flowlog.FieldSrcPort, flowlog.FieldDstPort} {
			at := len(ru.dims) + j
			out = append(out, outColumn{pq: pqColumn{Name: store.ServiceColumn(f), Type: pqU16}, fill: func(rows []int32, ch *pqChunk) {
				for _, r := range rows {
					v := keys[r].v[at]
					ch.Valid = append(ch.Valid, v != 0)
					if v != 0 {
						ch.Ints = append(ch.Ints, uint64(v-1))
					}
				}
			}})
		}
	}
	measure := func(name string, get func(a *ragg) (uint64, bool)) outColumn {
		return outColumn{pq: pqColumn{Name: name, Type: pqU64}, fill: func(rows []int32, ch *pqChunk) {
			for _, r := range rows {
				v, ok := get(&aggs[r])
				ch.Valid = append(ch.Valid, ok)
				if ok {
					ch.Ints = append(ch.Ints, v)
				}
			}
		}}
	}
	return append(out,
		measure(store.ColFlows, func(a *ragg) (uint64, bool) { return a.flows, true }),
		measure(store.ColPackets, func(a *ragg) (uint64, bool) { return a.packets, a.hasPackets }),
		measure(store.ColBytes, func(a *ragg) (uint64, bool) { return a.bytes, a.hasBytes }))
}

// gatherDict returns a fill function for a dictionary-encoded column.
func gatherDict(get func(int32) (uint32, bool), dict []string) func(rows []int32, ch *pqChunk) {
	return func(rows []int32, ch *pqChunk) {
		ch.Dict = dict
		for _, r := range rows {
			v, ok := get(r)
			ch.Valid = append(ch.Valid, ok)
			if ok {
				ch.Idx = append(ch.Idx, v)
			}
		}
	}
}

// writeRollup writes the rollup (ordered by bucket) as one file per day.
func (e *encoder) writeRollup(ru *rollup, dir, prefix, level string) ([]fileInfo, error) {
	if len(ru.keys) == 0 {
		return nil, nil
	}
	order := make([]int32, len(ru.keys))
	for i := range order {
		order[i] = int32(i)
	}
	cols := ru.columns()
	var out []fileInfo
	for lo := 0; lo < len(order); {
		b := ru.keys[order[lo]].bucket
		day, name := int64(0), noDay
		if b != noBucket {
			day = floorDiv(b, 86400)
			name = dayName(day)
		}
		hi := lo
		for hi < len(order) {
			bb := ru.keys[order[hi]].bucket
			if (bb == noBucket) != (b == noBucket) || (bb != noBucket && floorDiv(bb, 86400) != day) {
				break
			}
			hi++
		}
		fi, err := e.writeFile(filepath.Join(dir, fmt.Sprintf("%s-%s-%s.parquet", prefix, level, name)), cols, order[lo:hi])
		if err != nil {
			return nil, err
		}
		fi.Level, fi.Day = level, name
		if b != noBucket {
			fi.MinStart = b
			fi.MaxStart = ru.keys[order[hi-1]].bucket
			fi.MaxEnd = fi.MaxStart + ru.step
		}
		out = append(out, *fi)
		lo = hi
	}
	return out, nil
}
