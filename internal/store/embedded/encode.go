package embedded

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// A level names a stored table: raw records ("raw"), or resolution and cube
// of a rollup ("1m", "1h" for the full cube; "1m-src", "1h-port", ...). Its
// files live under data/<level>/.
const (
	levelRaw    = "raw"
	levelMinute = "1m"
	levelHour   = "1h"
)

// noDay names the partition of records without a start time.
const noDay = "none"

// levelName returns the level of resolution r of cube.
func levelName(r store.Resolution, cube string) string {
	l := levelRaw
	switch r {
	case store.ResolutionMinute:
		l = levelMinute
	case store.ResolutionHour:
		l = levelHour
	default:
		return l
	}
	if cube != "" {
		l += "-" + cube
	}
	return l
}

// parseLevel returns the resolution and cube of a level.
func parseLevel(level string) (store.Resolution, *store.Cube, bool) {
	if level == levelRaw {
		return store.ResolutionRaw, nil, true
	}
	res, name, _ := strings.Cut(level, "-")
	r := store.ResolutionMinute
	switch res {
	case levelMinute:
	case levelHour:
		r = store.ResolutionHour
	default:
		return 0, nil, false
	}
	c, ok := store.CubeByName(name)
	return r, c, ok
}

// allLevels returns every level: raw, then both resolutions of each cube.
func allLevels() []string {
	out := []string{levelRaw}
	for _, c := range store.Cubes() {
		for _, r := range c.Resolutions() {
			out = append(out, levelName(r, c.Name))
		}
	}
	return out
}

func levelStep(level string) int64 {
	r, _, _ := parseLevel(level)
	return int64(r.Step() / time.Second)
}

// dayName returns the partition name of a UTC day number.
func dayName(day int64) string {
	return time.Unix(day*86400, 0).UTC().Format(time.DateOnly)
}

// fileInfo describes one stored Parquet file (see commitRecord).
type fileInfo struct {
	Path     string   `json:"path"` // relative to the data directory
	Level    string   `json:"level"`
	Day      string   `json:"day"`
	Rows     int64    `json:"rows"`
	Bytes    int64    `json:"bytes"`
	MinStart int64    `json:"min_start"`
	MaxStart int64    `json:"max_start"`
	MaxEnd   int64    `json:"max_end,omitempty"`
	Columns  []string `json:"columns"`
	tmp      string   // absolute path of the written, not yet published file
}

// encoder writes stages as Parquet files. It keeps its big buffers for
// reuse: allocating and growing them again is the most expensive part of
// encoding (sync.Pool would drop them at every garbage collection).
type encoder struct {
	codec     codec
	groupRows int
	threads   int
	sync      bool

	mu       sync.Mutex
	scratchs []*scratch
	rbufs    []*rollupBuf
}

func (e *encoder) getScratch() *scratch {
	e.mu.Lock()
	defer e.mu.Unlock()
	if n := len(e.scratchs); n > 0 {
		sc := e.scratchs[n-1]
		e.scratchs = e.scratchs[:n-1]
		return sc
	}
	return new(scratch)
}

func (e *encoder) putScratch(sc *scratch) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scratchs = append(e.scratchs, sc)
}

// getRollupBuf returns rollup buffers of capacity n at least.
func (e *encoder) getRollupBuf(n int) *rollupBuf {
	e.mu.Lock()
	defer e.mu.Unlock()
	for i, b := range e.rbufs {
		if cap(b.keys) >= n {
			e.rbufs = append(e.rbufs[:i], e.rbufs[i+1:]...)
			b.keys, b.aggs = b.keys[:0], b.aggs[:0]
			return b
		}
	}
	if len(e.rbufs) > 0 {
		e.rbufs = e.rbufs[1:] // drop a small one: it will be replaced
	}
	return &rollupBuf{keys: make([]rkey, 0, n), aggs: make([]ragg, 0, n)}
}

func (e *encoder) putRollupBuf(b *rollupBuf) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.rbufs) < 6 {
		e.rbufs = append(e.rbufs, b)
	}
}

// outColumn is a stored column and how to gather its values.
type outColumn struct {
	pq   pqColumn
	fill func(rows []int32, ch *pqChunk)
}

// writeStage writes s to dir as one raw file per day and its rollups, named
// prefix-<level>-<day>.parquet.
func (e *encoder) writeStage(s *stage, dir, prefix string) ([]fileInfo, error) {
	if s.n == 0 {
		return nil, nil
	}
	s.padAll()
	perm, parts := sortByDay(s)
	cols := rawColumns(s) // also fills the address texts the rollups share
	// The rollups are built while the raw files are encoded.
	var rolled []fileInfo
	var rollErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		rolled, rollErr = e.writeRollups(s, perm, dir, prefix)
	}()
	var out []fileInfo
	var err error
	for _, p := range parts {
		var fi *fileInfo
		fi, err = e.writeFile(filepath.Join(dir, fmt.Sprintf("%s-%s-%s.parquet", prefix, levelRaw, p.day)), cols, perm[p.lo:p.hi])
		if err != nil {
			break
		}
		fi.Level, fi.Day = levelRaw, p.day
		fi.MinStart, fi.MaxStart, fi.MaxEnd = p.minStart, p.maxStart, p.maxEnd
		out = append(out, *fi)
	}
	<-done
	if err == nil {
		err = rollErr
	}
	if err != nil {
		removeFiles(append(out, rolled...))
		return nil, err
	}
	return append(out, rolled...), nil
}

// writeFile writes the given rows of cols to path.
func (e *encoder) writeFile(path string, cols []outColumn, rows []int32) (*fileInfo, error) {
	pcs := make([]pqColumn, len(cols))
	names := make([]string, len(cols))
	for i, c := range cols {
		pcs[i] = c.pq
		names[i] = c.pq.Name
	}
	f, err := createParquet(path, pcs)
	if err != nil {
		return nil, err
	}
	for lo := 0; lo < len(rows); lo += e.groupRows {
		hi := min(lo+e.groupRows, len(rows))
		chunks, err := e.encodeGroup(cols, rows[lo:hi])
		if err != nil {
			f.abort()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if err := f.writeRowGroup(hi-lo, chunks); err != nil {
			f.abort()
			return nil, fmt.Errorf("%s: %w", path, err)
		}
	}
	size, err := f.close(nil, e.sync)
	if err != nil {
		f.abort()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &fileInfo{Rows: int64(len(rows)), Bytes: size, Columns: names, tmp: path}, nil
}

// encodeGroup encodes one row group, columns in parallel.
func (e *encoder) encodeGroup(cols []outColumn, rows []int32) ([]*encodedChunk, error) {
	chunks := make([]*encodedChunk, len(cols))
	errs := make([]error, len(cols))
	next := make(chan int, len(cols))
	for i := range cols {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for w := 0; w < max(1, min(e.threads, len(cols))); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sc := e.getScratch()
			defer e.putScratch(sc)
			for i := range next {
				ch := &sc.chunk
				*ch = pqChunk{Valid: ch.Valid[:0], Ints: ch.Ints[:0], Idx: ch.Idx[:0]}
				sc.idx = sc.idx[:0]
				cols[i].fill(rows, ch)
				chunks[i], errs[i] = encodeChunk(cols[i].pq, ch, len(rows), e.codec, sc)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return chunks, nil
}

type dayPart struct {
	day                string
	lo, hi             int
	minStart, maxStart int64
	maxEnd             int64
}

// sortByDay returns the rows ordered by start (rows without start last) and
// the ranges of each UTC day (and of the rows without start).
func sortByDay(s *stage) ([]int32, []dayPart) {
	perm := make([]int32, s.n)
	sc := s.get(flowlog.FieldStart)
	if sc == nil {
		for i := range perm {
			perm[i] = int32(i)
		}
		return perm, []dayPart{{day: noDay, lo: 0, hi: s.n}}
	}
	starts := sc.u64
	span := uint64(s.maxStart - s.minStart)
	if s.hasStart && span < uint64(4*s.n)+1024 {
		// Counting sort on the offset from the smallest start (stable).
		counts := make([]int32, span+2)
		for i, v := range sc.valid {
			if v {
				counts[uint64(int64(starts[i])-s.minStart)]++
			} else {
				counts[span+1]++
			}
		}
		pos := make([]int32, len(counts))
		for i := 1; i < len(counts); i++ {
			pos[i] = pos[i-1] + counts[i-1]
		}
		for i, v := range sc.valid {
			k := span + 1
			if v {
				k = uint64(int64(starts[i]) - s.minStart)
			}
			perm[pos[k]] = int32(i)
			pos[k]++
		}
	} else {
		for i := range perm {
			perm[i] = int32(i)
		}
		slices.SortStableFunc(perm, func(a, b int32) int {
			va, vb := sc.valid[a], sc.valid[b]
			switch {
			case va && vb:
				x, y := int64(starts[a]), int64(starts[b])
				if x < y {
					return -1
				} else if x > y {
					return 1
				}
				return 0
			case va:
				return -1
			case vb:
				return 1
			}
			return 0
		})
	}
	ec := s.get(flowlog.FieldEnd)
	var parts []dayPart
	for i := 0; i < len(perm); {
		r := perm[i]
		if !sc.valid[r] {
			parts = append(parts, dayPart{day: noDay, lo: i, hi: len(perm)})
			break
		}
		day := floorDiv(int64(starts[r]), 86400)
		p := dayPart{day: dayName(day), lo: i, minStart: int64(starts[r]), maxEnd: math.MinInt64}
		for i < len(perm) && sc.valid[perm[i]] && floorDiv(int64(starts[perm[i]]), 86400) == day {
			p.maxStart = int64(starts[perm[i]])
			if ec != nil && ec.valid[perm[i]] {
				p.maxEnd = max(p.maxEnd, int64(ec.u64[perm[i]]))
			}
			i++
		}
		if p.maxEnd == math.MinInt64 {
			p.maxEnd = p.maxStart
		}
		p.hi = i
		parts = append(parts, p)
	}
	return perm, parts
}
