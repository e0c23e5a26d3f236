package memory

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// Plan is the Result.Plan of every structured query: raw records, in
// memory.
const Plan = "memory"

// Query runs a structured query over the published records. The result is
// the embedded store's (the same rows, column types and order); the
// resolution does not matter, every answer is exact, but a forced
// resolution the embedded store could not answer exactly is refused the
// same way, so that a query works on both backends or on neither.
func (s *Store) Query(ctx context.Context, q store.Query) (*store.Result, error) {
	began := time.Now()
	res, err := s.query(ctx, &q)
	s.m.queries.Add(1)
	s.m.queryNanos.Add(int64(time.Since(began)))
	if err != nil {
		s.m.queryErrors.Add(1)
		return nil, err
	}
	res.Elapsed = time.Since(began)
	return res, nil
}

// Scan runs a structured query and hands its rows to fn (see
// store.Reader). The rows are computed as by Query, then handed over one by
// one in a reused slice, so that callers see the same contract as with the
// embedded store.
func (s *Store) Scan(ctx context.Context, q store.Query, fn func(row []any) error) (*store.Result, error) {
	res, err := s.Query(ctx, q)
	if err != nil {
		return nil, err
	}
	row := make([]any, len(res.Columns))
	for _, r := range res.Rows {
		copy(row, r)
		if err := fn(row); err != nil {
			return nil, err
		}
	}
	res.Rows = nil
	return res, nil
}

func (s *Store) query(ctx context.Context, q *store.Query) (*store.Result, error) {
	if s.closed.Load() {
		return nil, fmt.Errorf("memory store: %w", store.ErrClosed)
	}
	if sql := strings.TrimSpace(q.Filter.SQL); sql != "" {
		if len(sql) > 80 {
			sql = sql[:77] + "..."
		}
		return nil, fmt.Errorf("memory store: cannot evaluate the SQL filter %q: %w; express it as field conditions, or ingest the files with `flowlens ingest` and query the data directory", sql, ErrSQL)
	}
	for _, m := range q.Measures {
		// store.Build would panic naming the column of an invalid field.
		if m.Kind >= store.MeasureSum && m.Kind <= store.MeasureMax && !m.Field.Valid() {
			return nil, fmt.Errorf("query: measure %d (%s) needs a field", m.Kind, m.As)
		}
	}
	if _, err := store.MakePlan(q, store.DefaultPlanConfig(), nil); err != nil {
		return nil, err
	}
	// Build validates the query as every backend does and describes the
	// result columns; its SQL is not used.
	b, err := store.Build(Dialect{}, q, store.Plan{{Resolution: store.ResolutionRaw, Range: q.Range}})
	if err != nil {
		return nil, err
	}
	st := s.cur.Load()
	e, err := newExec(st, q)
	if err != nil {
		return nil, err
	}
	for i, c := range st.chunks {
		if i&15 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		e.scan(c)
	}
	res, err := store.Decode(b.Out, e.rows(b.Out, q))
	if err != nil {
		return nil, err
	}
	res.Plan = Plan
	return res, nil
}

// exec is the evaluation of one query.
type exec struct {
	st       *state
	hasLo    bool
	hasHi    bool
	lo, hi   int64 // start range [lo, hi) in epoch seconds
	preds    []*pred
	dims     []*dim
	groups   *groups
	measures []*measure
	// scratch, one entry per row of a chunk
	sel   []int32
	codes [][]uint64
	keys  []uint64
	gidx  []int32
}

func newExec(st *state, q *store.Query) (*exec, error) {
	e := &exec{st: st}
	if !q.Range.Start.IsZero() {
		e.hasLo, e.lo = true, epochCeil(q.Range.Start)
	}
	if !q.Range.End.IsZero() {
		e.hasHi, e.hi = true, epochCeil(q.Range.End)
	}
	for _, c := range q.Filter.Conds {
		p, err := compilePred(st, c)
		if err != nil {
			return nil, err
		}
		e.preds = append(e.preds, p)
	}
	var inScope int64
	for _, c := range st.chunks {
		if e.overlaps(c) {
			inScope += int64(c.n)
		}
	}
	e.dims = newDims(st, q)
	e.groups = newGroups(e.dims, inScope)
	e.measures = newMeasures(q)
	e.codes = make([][]uint64, len(e.dims))
	e.grow()
	return e, nil
}

// epochCeil returns t in epoch seconds rounded up: records hold whole
// seconds, so start >= t ⟺ start >= ceil(t), and start < t ⟺ start < ceil(t).
func epochCeil(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// overlaps reports whether c may hold rows of the time range.
func (e *exec) overlaps(c *chunk) bool {
	if !e.hasLo && !e.hasHi {
		return true
	}
	return c.starts > 0 && (!e.hasLo || c.maxStart >= e.lo) && (!e.hasHi || c.minStart < e.hi)
}

// selectRange returns the rows of c in the time range.
func (e *exec) selectRange(c *chunk) []int32 {
	if cap(e.sel) < c.n {
		e.sel = make([]int32, c.n)
	}
	sel := e.sel[:0]
	if !e.overlaps(c) {
		return sel
	}
	inside := (!e.hasLo || c.minStart >= e.lo) && (!e.hasHi || c.maxStart < e.hi)
	if (!e.hasLo && !e.hasHi) || (inside && c.starts == c.n) {
		for i := 0; i < c.n; i++ {
			sel = append(sel, int32(i))
		}
		return sel
	}
	col := c.cols[flowlog.FieldStart]
	lo, hi := e.lo, e.hi
	if !e.hasLo {
		lo = -1 << 63
	}
	for i, v := range col.i64 {
		r := int32(i)
		if (v >= lo && (!e.hasHi || v < hi)) && col.has(r) {
			sel = append(sel, r)
		}
	}
	return sel
}

// scan accumulates the matching rows of c.
func (e *exec) scan(c *chunk) {
	sel := e.selectRange(c)
	for _, p := range e.preds {
		if len(sel) == 0 {
			return
		}
		sel = p.filter(c, sel)
	}
	n := len(sel)
	if n == 0 {
		return
	}
	if cap(e.gidx) < n {
		e.gidx = make([]int32, n)
		e.keys = make([]uint64, n)
		for d := range e.codes {
			e.codes[d] = make([]uint64, n)
		}
	}
	for d, dm := range e.dims {
		dm.codes(e.st, c, sel, e.codes[d][:n])
	}
	gidx := e.gidx[:n]
	e.groups.assign(e.codes, n, e.keys, gidx)
	e.grow()
	for _, m := range e.measures {
		m.add(e.st, c, sel, gidx)
	}
}

func (e *exec) grow() {
	for _, m := range e.measures {
		m.grow(e.groups.n)
	}
}
