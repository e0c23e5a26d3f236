package memory

import (
	"fmt"
	"slices"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

const (
	daySeconds = 86400
	noDay      = "none" // the partition of records without a start
)

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

func dayName(day int64) string {
	return time.Unix(day*daySeconds, 0).UTC().Format(time.DateOnly)
}

// partitions names the UTC days of the records of chunks ("none" for
// records without a start), sorted.
func partitions(chunks []*chunk) []string {
	days := map[int64]bool{}
	none := false
	for _, c := range chunks {
		if c.starts < c.n {
			none = true
		}
		st := c.cols[flowlog.FieldStart]
		if st == nil {
			continue
		}
		last := int64(-1 << 62)
		for i, v := range st.i64 {
			if d := floorDiv(v, daySeconds); d != last && st.has(int32(i)) {
				days[d], last = true, d
			}
		}
	}
	var out []string
	for d := range days {
		out = append(out, dayName(d))
	}
	if none {
		out = append(out, noDay)
	}
	slices.Sort(out)
	return out
}

// prune removes the records whose UTC day ends at or before before, and
// marks the ledger entries of the objects that had records in those days.
func (s *Store) prune(before time.Time) (store.PruneResult, error) {
	var res store.PruneResult
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return res, fmt.Errorf("memory store: %w", store.ErrClosed)
	}
	cut := before.Unix()
	expired := func(start int64) bool { return (floorDiv(start, daySeconds)+1)*daySeconds <= cut }
	old := s.cur.Load()
	next := &state{strs: old.strs, addrs: old.addrs, strBytes: old.strBytes}
	removedDays := map[string]bool{}
	for _, c := range old.chunks {
		if c.starts == 0 || !expired(c.minStart) {
			next.chunks = append(next.chunks, c)
			next.rows += int64(c.n)
			continue
		}
		st := c.cols[flowlog.FieldStart]
		var keep []int32
		last := int64(-1 << 62)
		for i, v := range st.i64 {
			r := int32(i)
			if !st.has(r) || !expired(v) {
				keep = append(keep, r)
				continue
			}
			res.Records++
			if d := floorDiv(v, daySeconds); d != last {
				removedDays[dayName(d)], last = true, d
			}
		}
		if len(keep) > 0 {
			b := &builder{}
			b.appendRows(c, keep)
			next.chunks = append(next.chunks, b.finish())
			next.rows += int64(len(keep))
		}
	}
	if res.Records == 0 {
		return res, nil
	}
	now := time.Now().UTC()
	next.ledger = slices.Clone(old.ledger)
	for i := range next.ledger {
		e := &next.ledger[i]
		for _, p := range e.Partitions {
			if removedDays[p] && e.PrunedAt.IsZero() {
				e.PrunedAt = now
			}
		}
	}
	for d := range removedDays {
		res.Partitions = append(res.Partitions, d)
	}
	slices.Sort(res.Partitions)
	s.cur.Store(next)
	return res, nil
}
