// Package ingest runs flow log objects through the parser into a store:
// one appender per object, committed with its ledger entry when the object
// was read to its end, so that an ingest is idempotent and crash-safe.
package ingest

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/progress"
	"github.com/flowlens/flowlens/internal/source/file"
	"github.com/flowlens/flowlens/internal/store"
)

// Summary is what an ingest did.
type Summary struct {
	Objects  int `json:"objects"`  // objects listed
	Ingested int `json:"ingested"` // objects committed
	Skipped  int `json:"skipped"`  // already in the ledger: nothing read
	// Duplicates counts objects whose content equals an ingested object's
	// (a copy under another name): recorded in the ledger, no records added.
	Duplicates int   `json:"duplicates"`
	Failed     int   `json:"failed"`     // unreadable or corrupt: rolled back
	Records    int64 `json:"records"`    // records added
	Lines      int64 `json:"lines"`      // lines read
	Bytes      int64 `json:"bytes_read"` // bytes read (decompressed)
	Malformed  int64 `json:"malformed"`
	// MalformedBy counts malformed lines by reason name.
	MalformedBy map[string]int64 `json:"malformed_by_reason,omitempty"`
	// Errors holds the first malformed lines, with file and line.
	Errors []parse.LineError `json:"-"`
	// Failures names the objects that could not be ingested and why.
	Failures []Failure     `json:"failures,omitempty"`
	Elapsed  time.Duration `json:"-"`
	Seconds  float64       `json:"seconds"`

	committed []committed
}

// Failure is an object that was not ingested.
type Failure struct {
	Object string `json:"object"`
	Error  string `json:"error"`
}

// Run ingests objs into s, holding its write lock meanwhile. Objects already
// in the ledger are skipped without being opened. An object that cannot be
// read to its end (corrupt or truncated data) is rolled back and reported:
// re-running the ingest once it is fixed adds it exactly once. bar may be
// nil.
//
// keep, when not nil, selects the records to store (a filter pattern applied
// while reading, for stores that cannot evaluate it later); the others are
// read and counted as lines but not stored.
func Run(ctx context.Context, s store.Store, fc file.Configuration, pc parse.Config, objs []file.Object, bar *progress.Bar, keep func(*flowlog.Record) bool) (Summary, error) {
	w, err := s.Writer(ctx)
	if err != nil {
		return Summary{}, err
	}
	sum, err := run(ctx, w, fc, pc, objs, bar, keep)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return sum, err
	}
	// The ledger says which committed objects were copies of ingested
	// content (recorded, but no records added).
	srcs, err := s.Sources(ctx)
	if err != nil {
		return sum, err
	}
	dup := make(map[string]bool)
	for _, src := range srcs {
		if src.DuplicateOf != "" {
			dup[src.Source.Key()] = true
		}
	}
	for _, c := range sum.committed {
		if dup[c.id.Key()] {
			sum.Duplicates++
			sum.Ingested--
			sum.Records -= c.records
		}
	}
	return sum, nil
}

type committed struct {
	id      store.SourceID
	records int64
}

func run(ctx context.Context, w store.Writer, fc file.Configuration, pc parse.Config, objs []file.Object, bar *progress.Bar, keep func(*flowlog.Record) bool) (Summary, error) {

	start := time.Now()
	var done []committed
	var mu sync.Mutex
	open := make(map[*file.Object]*appender, len(objs))
	var failures []Failure

	fc.OnStart = func(o *file.Object) (bool, error) {
		id := sourceID(o)
		app, skip, err := w.Begin(ctx, id)
		if err != nil {
			return false, fmt.Errorf("%s: %w", o.Name, err)
		}
		if skip {
			if bar != nil {
				bar.ObjectDone(max(o.Size, 0))
			}
			return true, nil
		}
		mu.Lock()
		open[o] = &appender{a: app, id: id}
		mu.Unlock()
		return false, nil
	}
	fc.OnDone = func(o *file.Object, r *file.ObjectResult) error {
		mu.Lock()
		app := open[o]
		delete(open, o)
		mu.Unlock()
		if bar != nil {
			bar.ObjectDone(max(o.Size, 0))
			bar.AddMalformed(r.Stats.MalformedTotal())
		}
		if r.Err != nil {
			mu.Lock()
			failures = append(failures, Failure{Object: o.Name, Error: r.Err.Error()})
			mu.Unlock()
			return app.a.Rollback()
		}
		app.a.SetMeta(store.ObjectMeta{Hash: r.Hash, Malformed: r.Stats.MalformedTotal(), Lines: r.Stats.Lines})
		if err := app.a.Commit(); err != nil {
			return fmt.Errorf("%s: commit: %w", o.Name, err)
		}
		mu.Lock()
		done = append(done, committed{id: app.id, records: app.stored})
		mu.Unlock()
		return nil
	}
	res, err := file.Scan(ctx, fc, objs, pc, func(_ int, o *file.Object, batch []flowlog.Record) error {
		mu.Lock()
		app := open[o]
		mu.Unlock()
		if err := app.append(batch, keep); err != nil {
			return fmt.Errorf("%s: %w", o.Name, err)
		}
		if bar != nil {
			bar.AddRecords(int64(len(batch)))
		}
		return nil
	})
	// Whatever stopped the scan, nothing half-read is committed.
	mu.Lock()
	for _, app := range open {
		_ = app.a.Rollback()
	}
	mu.Unlock()
	if err == nil {
		err = w.Flush(ctx)
	}
	sum := summarize(&res, failures)
	sum.committed = done
	for _, c := range done {
		sum.Records += c.records
	}
	sum.Objects = len(objs)
	sum.Elapsed = time.Since(start)
	sum.Seconds = sum.Elapsed.Seconds()
	return sum, err
}

// appender serialises the batches of one object (an object parsed in
// parallel chunks delivers them from several workers).
type appender struct {
	mu     sync.Mutex
	a      store.Appender
	id     store.SourceID
	kept   []flowlog.Record
	stored int64
}

// append appends the records of batch that keep selects (all when keep is
// nil).
func (a *appender) append(batch []flowlog.Record, keep func(*flowlog.Record) bool) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if keep != nil {
		a.kept = a.kept[:0]
		for i := range batch {
			if keep(&batch[i]) {
				a.kept = append(a.kept, batch[i])
			}
		}
		batch = a.kept
		if len(batch) == 0 {
			return nil
		}
	}
	a.stored += int64(len(batch))
	return a.a.Append(batch)
}

// sourceID is the ledger identity of a local object: its absolute path, size
// and modification time (the content hash is added at commit). Standard
// input has no identity: each ingest of it is a new object.
func sourceID(o *file.Object) store.SourceID {
	if o.Name == file.Stdin {
		return store.SourceID{Name: "stdin@" + time.Now().UTC().Format(time.RFC3339Nano), Size: -1}
	}
	name := o.Name
	if abs, err := filepath.Abs(name); err == nil {
		name = abs
	}
	return store.SourceID{Name: name, Size: o.Size, ModTime: o.ModTime}
}

func summarize(res *file.Result, failures []Failure) Summary {
	var s Summary
	for i := range res.Objects {
		o := &res.Objects[i]
		switch {
		case o.Skipped:
			s.Skipped++
		case o.Err != nil:
			s.Failed++
		case o.Kind != file.KindUnknown:
			s.Ingested++
		}
		s.Lines += o.Stats.Lines
		s.Bytes += o.Stats.Bytes
	}
	s.Malformed = res.Total.MalformedTotal()
	for _, r := range parse.Reasons() {
		if n := res.Total.Malformed[r]; n > 0 {
			if s.MalformedBy == nil {
				s.MalformedBy = map[string]int64{}
			}
			s.MalformedBy[r.String()] = n
		}
	}
	s.Errors = res.Total.Errors
	s.Failures = failures
	return s
}
