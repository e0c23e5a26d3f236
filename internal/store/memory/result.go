package memory

import (
	"cmp"
	"slices"
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// The result is built as the embedded store's SQL returns it, one value
// per SQL column (three for a prefix dimension), then decoded by
// store.Decode: so the column types are the same by construction. Rows are
// ordered as its ORDER BY does: the OrderBy columns, then every group SQL
// column ascending, each with NULLs last.

// sqlCol is one SQL column over the groups.
type sqlCol struct {
	typ  byte // 'u' uint64, 'i' int64 (bits in u), 's' string
	u    []uint64
	s    []string
	null []bool // nil when no value is NULL
	// lazy computes s[g] on first use (address texts).
	lazy func(g int) string
	done []bool
}

func (c *sqlCol) str(g int) string {
	if c.lazy != nil && !c.done[g] {
		c.s[g], c.done[g] = c.lazy(g), true
	}
	return c.s[g]
}

func (c *sqlCol) isNull(g int) bool { return c.null != nil && c.null[g] }

func (c *sqlCol) value(g int) any {
	switch {
	case c.isNull(g):
		return nil
	case c.typ == 'u':
		return c.u[g]
	case c.typ == 'i':
		return int64(c.u[g])
	}
	return c.str(g)
}

func (c *sqlCol) compare(a, b int) int {
	switch {
	case c.typ == 'u':
		return cmp.Compare(c.u[a], c.u[b])
	case c.typ == 'i':
		return cmp.Compare(int64(c.u[a]), int64(c.u[b]))
	}
	return strings.Compare(c.str(a), c.str(b))
}

func newCol(typ byte, n int, withNulls bool) *sqlCol {
	c := &sqlCol{typ: typ}
	if typ == 's' {
		c.s = make([]string, n)
	} else {
		c.u = make([]uint64, n)
	}
	if withNulls {
		c.null = make([]bool, n)
	}
	return c
}

// dimCols returns the SQL columns of dimension d.
func (e *exec) dimCols(di int) []*sqlCol {
	d, g, n := e.dims[di], e.groups, e.groups.n
	if d.kind == dkPrefix {
		v4, hi, lo := newCol('u', n, true), newCol('u', n, true), newCol('u', n, true)
		for gi := 0; gi < n; gi++ {
			code := g.code(gi, di)
			if code == 0 {
				v4.null[gi], hi.null[gi], lo.null[gi] = true, true, true
				continue
			}
			k := d.nets[code-1]
			if k.is4 {
				v4.u[gi], hi.null[gi], lo.null[gi] = uint64(k.v4), true, true
			} else {
				v4.null[gi], hi.u[gi], lo.u[gi] = true, k.hi, k.lo
			}
		}
		return []*sqlCol{v4, hi, lo}
	}
	typ := byte('u')
	switch {
	case d.kind == dkBelow, d.kind == dkService:
	case d.kind != dkField || d.st == stI64:
		typ = 'i'
	case d.st == stStr || d.st == stAddr || isEnum(d.field.Kind()):
		typ = 's'
	}
	c := newCol(typ, n, true)
	if d.st == stAddr {
		c.done = make([]bool, n)
		c.lazy = func(gi int) string { return e.st.addrs[g.code(gi, di)-1].addr().String() }
	}
	for gi := 0; gi < n; gi++ {
		code := g.code(gi, di)
		if code == 0 {
			c.null[gi] = true
			continue
		}
		v := uint64(code - 1)
		switch d.kind {
		case dkHour:
			v = uint64(int64(code) - hourOff)
		case dkWeekday:
			v = uint64(int64(code) - weekdayOff)
		case dkBucket:
			if d.wide {
				v = d.wideVals[code-1]
			} else {
				v = uint64(d.base + int64(code-1)*d.secs)
			}
		default:
			switch d.st {
			case stU64, stI64:
				v = d.wideVals[code-1]
			case stStr:
				c.s[gi] = e.st.strs[v]
			case stU8:
				if typ == 's' {
					c.s[gi] = enumText(d.field.Kind(), uint8(v))
				}
			}
		}
		if typ != 's' {
			c.u[gi] = v
		}
	}
	return []*sqlCol{c}
}

// measureCol returns the SQL column of measure m.
func (e *exec) measureCol(m *measure) *sqlCol {
	n := e.groups.n
	if m.kind != store.MeasureMin && m.kind != store.MeasureMax {
		return &sqlCol{typ: 'u', u: m.vals[:n]}
	}
	typ := byte('u')
	switch {
	case m.text:
		typ = 's'
	case m.field.Kind() == flowlog.KindTime:
		typ = 'i'
	}
	c := newCol(typ, n, true)
	for g := 0; g < n; g++ {
		switch {
		case !m.set[g]:
			c.null[g] = true
		case typ == 's':
			c.s[g] = m.textOf(e.st, m.vals[g])
		default:
			c.u[g] = m.vals[g]
		}
	}
	return c
}

type term struct {
	col  *sqlCol
	desc bool
}

// rows returns the SQL rows of the result, ordered and limited.
func (e *exec) rows(out []store.OutCol, q *store.Query) [][]any {
	var cols []*sqlCol
	byName := map[string][]*sqlCol{}
	var keyCols []*sqlCol
	di, mi := 0, 0
	for _, oc := range out {
		var cs []*sqlCol
		if oc.Kind == store.OutMeasure {
			cs = []*sqlCol{e.measureCol(e.measures[mi])}
			mi++
		} else {
			cs = e.dimCols(di)
			di++
			keyCols = append(keyCols, cs...)
		}
		byName[oc.Name] = cs
		cols = append(cols, cs...)
	}
	var terms []term
	used := map[*sqlCol]bool{}
	for _, o := range q.OrderBy {
		for _, c := range byName[o.Column] {
			terms = append(terms, term{c, o.Desc})
			used[c] = true
		}
	}
	for _, c := range keyCols {
		if !used[c] {
			terms = append(terms, term{col: c})
		}
	}
	less := func(a, b int32) int {
		for _, t := range terms {
			an, bn := t.col.isNull(int(a)), t.col.isNull(int(b))
			switch {
			case an && bn:
				continue
			case an:
				return 1
			case bn:
				return -1
			}
			c := t.col.compare(int(a), int(b))
			if t.desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
	var order []int32
	if q.Unordered {
		order = make([]int32, e.groups.n) // in the order the groups were met
		for i := range order {
			order[i] = int32(i)
		}
	} else {
		order = topK(e.groups.n, q.Limit, less)
	}
	rows := make([][]any, len(order))
	for i, g := range order {
		row := make([]any, len(cols))
		for j, c := range cols {
			row[j] = c.value(int(g))
		}
		rows[i] = row
	}
	return rows
}

// topK returns the first limit (all when limit is 0) of n groups in the
// order of cmpf.
func topK(n, limit int, cmpf func(a, b int32) int) []int32 {
	if limit <= 0 || limit*8 >= n {
		perm := make([]int32, n)
		for i := range perm {
			perm[i] = int32(i)
		}
		slices.SortFunc(perm, cmpf)
		if limit > 0 && limit < n {
			perm = perm[:limit]
		}
		return perm
	}
	// A max-heap of the best limit groups so far: the worst at the root.
	h := make([]int32, 0, limit)
	down := func(i int) {
		for {
			l := 2*i + 1
			if l >= len(h) {
				return
			}
			if r := l + 1; r < len(h) && cmpf(h[r], h[l]) > 0 {
				l = r
			}
			if cmpf(h[l], h[i]) <= 0 {
				return
			}
			h[i], h[l] = h[l], h[i]
			i = l
		}
	}
	for g := int32(0); g < int32(n); g++ {
		if len(h) < limit {
			h = append(h, g)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if cmpf(h[i], h[p]) <= 0 {
					break
				}
				h[i], h[p] = h[p], h[i]
				i = p
			}
			continue
		}
		if cmpf(g, h[0]) < 0 {
			h[0] = g
			down(0)
		}
	}
	slices.SortFunc(h, cmpf)
	return h
}
