package embedded

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/store"
)

// Query runs a structured query, answered from raw records or rollups (see
// store.MakePlan).
func (s *Store) Query(ctx context.Context, q store.Query) (*store.Result, error) {
	rows := [][]any{} // an empty result has no rows, not nil ones
	res, err := s.scan(ctx, q, func() { rows = rows[:0] }, func(row []any) error {
		rows = append(rows, slices.Clone(row))
		return nil
	})
	if err != nil {
		return nil, err
	}
	res.Rows = rows
	return res, nil
}

// Scan runs a structured query and hands its rows to fn (see
// store.Reader): nothing is kept, and each row is decoded into one reused
// slice.
func (s *Store) Scan(ctx context.Context, q store.Query, fn func(row []any) error) (*store.Result, error) {
	return s.scan(ctx, q, nil, fn)
}

// scan plans, builds and runs q, decoding each row into one reused slice
// handed to fn. When a file vanishes under the query (a concurrent
// compaction), the query is retried: after restart when it is set, and
// only while fn has seen no row otherwise.
func (s *Store) scan(ctx context.Context, q store.Query, restart func(), fn func(row []any) error) (*store.Result, error) {
	began := time.Now()
	var res *store.Result
	err := s.withRetry(ctx, func(snap *snapshot) error {
		if restart != nil {
			restart()
		}
		plan, err := store.MakePlan(&q, s.cfg.Plan, estimator{snap})
		if err != nil {
			return err
		}
		b, err := store.Build(prunedDialect{s.dialect, snap, s.cfg.Dir}, &q, plan)
		if err != nil {
			return err
		}
		conn, err := s.db.Conn(ctx)
		if err != nil {
			return err
		}
		defer conn.Close()
		dst := make([]any, len(b.Out))
		rows := 0
		var fnErr error
		err = streamChecked(ctx, conn, b.SQL, b.Args, func(names, types []string) {}, func(vals []any) (bool, error) {
			if err := store.DecodeRow(b.Out, vals, dst); err != nil {
				return false, err
			}
			rows++
			if fnErr = fn(dst); fnErr != nil {
				return false, fnErr
			}
			return true, nil
		})
		if fnErr != nil {
			return fnErr
		}
		if err != nil {
			if rows > 0 && restart == nil {
				// fn saw rows: retrying would hand them again.
				return fmt.Errorf("query (%s): %w", plan, errors.Join(err, errNoRetry))
			}
			return fmt.Errorf("query (%s): %w", plan, err)
		}
		res = &store.Result{Columns: store.OutColumns(b.Out), Plan: plan.String()}
		return nil
	})
	s.account(began, err)
	if err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(began)
	return res, nil
}

// errNoRetry marks errors withRetry must not retry.
var errNoRetry = errors.New("not retried: rows were already read")

// SQL runs one read-only statement over the views (see store.Reader).
func (s *Store) SQL(ctx context.Context, query string, args ...any) (*store.Result, error) {
	began := time.Now()
	var res *store.Result
	err := s.withRetry(ctx, func(*snapshot) error {
		raw, err := s.run(ctx, query, args, s.cfg.MaxSQLRows)
		if err != nil {
			return err
		}
		res = &store.Result{Columns: make([]store.Column, len(raw.names)), Rows: raw.rows, Truncated: raw.truncated}
		for i, n := range raw.names {
			res.Columns[i] = store.Column{Name: n, Type: columnType(raw.types[i])}
		}
		return nil
	})
	s.account(began, err)
	if err != nil {
		return nil, err
	}
	res.Elapsed = time.Since(began)
	return res, nil
}

func (s *Store) account(began time.Time, err error) {
	s.m.queries.Add(1)
	s.m.queryNanos.Add(int64(time.Since(began)))
	if err != nil {
		s.m.queryErrors.Add(1)
	}
}

// withRetry refreshes the views and runs f; when f fails because a file
// disappeared (a concurrent writer compacted or pruned it), it refreshes
// and retries.
func (s *Store) withRetry(ctx context.Context, f func(*snapshot) error) error {
	var err error
	for attempt := 0; attempt < 5; attempt++ {
		if attempt > 0 {
			time.Sleep(time.Duration(attempt) * 10 * time.Millisecond)
		}
		var snap *snapshot
		snap, err = s.refresh(ctx, attempt > 0)
		if err == nil {
			err = f(snap)
		}
		if err == nil || !vanishedFile(err) {
			return err
		}
	}
	return err
}

func vanishedFile(err error) bool {
	if errors.Is(err, store.ErrForbidden) || errors.Is(err, errNoRetry) {
		return false
	}
	if errors.Is(err, fs.ErrNotExist) {
		return true // a ledger removed by a compaction
	}
	msg := err.Error()
	return strings.Contains(msg, "No files found") || strings.Contains(msg, "No such file") ||
		strings.Contains(msg, "Cannot open file") || strings.Contains(msg, "cannot open file")
}

// run runs a checked statement on a pooled connection.
func (s *Store) run(ctx context.Context, query string, args []any, maxRows int) (*rawResult, error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return runChecked(ctx, conn, query, args, maxRows)
}

// Sources lists the ledger entries of the live commits, oldest first.
func (s *Store) Sources(ctx context.Context) ([]store.SourceInfo, error) {
	var out []store.SourceInfo
	err := s.withRetry(ctx, func(snap *snapshot) error {
		out = nil
		for _, c := range snap.live {
			entries, err := readLedger(s.cfg.Dir, c)
			if err != nil {
				return err
			}
			withFiles(c, entries)
			out = append(out, entries...)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b store.SourceInfo) int {
		if c := a.IngestedAt.Compare(b.IngestedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Source.Name, b.Source.Name)
	})
	return out, nil
}

// TimeRange returns the smallest start and largest end of the raw records.
func (s *Store) TimeRange(ctx context.Context) (time.Time, time.Time, error) {
	var tr store.TimeRange
	err := s.withRetry(ctx, func(snap *snapshot) error {
		tr = estimator{snap}.DataRange()
		return nil
	})
	return tr.Start, tr.End, err
}

// prunedDialect reads, for each part of a plan, only the files whose time
// range overlaps the part's (the views read every file).
type prunedDialect struct {
	Dialect
	snap *snapshot
	dir  string
}

func (d prunedDialect) Source(r store.Resolution, cube string, tr store.TimeRange) string {
	level := levelName(r, cube)
	var files []fileInfo
	for _, f := range d.snap.files(level) {
		if overlaps(f, tr) {
			files = append(files, f)
		}
	}
	return "(" + viewSQL(d.Dialect, d.dir, viewColumnsOf(level), files) + ")"
}

// overlaps reports whether file f may hold records of tr.
func overlaps(f fileInfo, tr store.TimeRange) bool {
	if f.Day == noDay {
		return tr.Start.IsZero() && tr.End.IsZero()
	}
	if !tr.Start.IsZero() && f.MaxStart < tr.Start.Unix() {
		return false
	}
	if !tr.End.IsZero() && f.MinStart >= epochCeil(tr.End) {
		return false
	}
	return true
}

func epochCeil(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// estimator answers the planner from the file statistics of a snapshot.
type estimator struct{ snap *snapshot }

func (e estimator) Has(r store.Resolution, cube string) bool {
	return e.snap.has(levelName(r, cube))
}

func (e estimator) EstimateRows(r store.Resolution, cube string, tr store.TimeRange) int64 {
	var n int64
	for _, f := range e.snap.files(levelName(r, cube)) {
		if f.Day == noDay {
			if tr.Start.IsZero() && tr.End.IsZero() {
				n += f.Rows
			}
			continue
		}
		lo, hi := f.MinStart, f.MaxStart+1
		a, b := lo, hi
		if !tr.Start.IsZero() {
			a = max(a, tr.Start.Unix())
		}
		if !tr.End.IsZero() {
			b = min(b, tr.End.Unix())
		}
		if b <= a {
			continue
		}
		n += int64(float64(f.Rows) * float64(b-a) / float64(hi-lo))
	}
	return n
}

func (e estimator) DataRange() store.TimeRange {
	var tr store.TimeRange
	first := true
	for _, f := range e.snap.files(levelRaw) {
		if f.Day == noDay {
			continue
		}
		st, en := time.Unix(f.MinStart, 0).UTC(), time.Unix(max(f.MaxEnd, f.MaxStart), 0).UTC()
		if first || st.Before(tr.Start) {
			tr.Start = st
		}
		if first || en.After(tr.End) {
			tr.End = en
		}
		first = false
	}
	return tr
}
