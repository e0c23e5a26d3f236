package embedded

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// appender stages the records of one object. Records are kept in columnar
// form in shards, so that several goroutines (parse.ParseStream workers) can
// append concurrently; a shard holding PartRows records is written to part
// files in the writer's temporary directory, which the commit adopts.
type appender struct {
	w   *Writer
	ctx context.Context
	obj store.SourceID

	mu      sync.Mutex // guards the fields below
	meta    store.ObjectMeta
	free    []*stage // shards not in use by an Append
	shards  []*stage // every shard
	parts   []fileInfo
	days    map[string]bool
	records int64
	done    bool
	err     error
}

var errDone = errors.New("appender already committed or rolled back")

// Append stages a batch (copied). It may be called concurrently.
func (a *appender) Append(batch []flowlog.Record) error {
	st, err := a.take()
	if err != nil {
		return err
	}
	for i := range batch {
		st.add(&batch[i], a.obj.ExtraNames)
	}
	a.w.s.m.recordsAppended.Add(int64(len(batch)))
	var files []fileInfo
	if st.n >= a.w.s.cfg.PartRows {
		files, err = a.w.enc.writeStage(st, a.w.tmp, a.w.tmpPrefix())
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.records += int64(len(batch))
	if err != nil {
		a.err = fmt.Errorf("%s: %w", a.obj.Name, err)
		return a.err
	}
	if files != nil {
		a.parts = append(a.parts, files...)
		a.collectDays(st)
		st.reset()
	}
	if a.done {
		// Rolled back concurrently (a caller bug): drop what was written.
		a.removeParts()
		return errDone
	}
	a.free = append(a.free, st)
	return nil
}

// take returns a shard for the exclusive use of one Append.
func (a *appender) take() (*stage, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done {
		return nil, errDone
	}
	if a.err != nil {
		return nil, a.err
	}
	if err := a.ctx.Err(); err != nil {
		a.err = err
		return nil, err
	}
	if n := len(a.free); n > 0 {
		st := a.free[n-1]
		a.free = a.free[:n-1]
		return st, nil
	}
	st := a.w.getStage()
	a.shards = append(a.shards, st)
	return st, nil
}

func (a *appender) collectDays(st *stage) {
	for d := range st.days {
		a.days[dayName(d)] = true
	}
	if st.noStart {
		a.days[noDay] = true
	}
}

// SetMeta records the content hash and malformed line count.
func (a *appender) SetMeta(m store.ObjectMeta) {
	a.mu.Lock()
	a.meta = m
	a.mu.Unlock()
}

// Commit stages the object for publication with its ledger entry; it is
// published (made visible, atomically) when the writer has CommitRows
// records staged, at Flush and at Close.
func (a *appender) Commit() error {
	// a.mu is never held while taking w.mu (Rollback and Close take w.mu
	// then a.mu).
	a.mu.Lock()
	if a.done {
		a.mu.Unlock()
		return errDone
	}
	if a.err != nil {
		a.mu.Unlock()
		return fmt.Errorf("commit after a failed append: %w", a.err)
	}
	if len(a.free) != len(a.shards) {
		a.mu.Unlock()
		return errors.New("commit while an append is running")
	}
	a.done = true
	for _, st := range a.shards {
		a.collectDays(st)
	}
	shards, parts := a.shards, a.parts
	entry := store.SourceInfo{
		Source: a.obj, Hash: a.meta.Hash, Records: a.records, Malformed: a.meta.Malformed,
		IngestedAt: time.Now().UTC(), Partitions: partitionNames(a.days),
	}
	a.shards, a.free, a.parts = nil, nil, nil
	a.mu.Unlock()

	w := a.w
	w.mu.Lock()
	defer w.mu.Unlock()
	key := a.obj.Key()
	if w.open[key] == a {
		delete(w.open, key)
	}
	if err := w.check(); err != nil {
		removeFiles(parts)
		return err
	}
	if entry.Hash != "" {
		hk := hashKey(a.obj.Size, entry.Hash)
		if orig, ok := w.hashes[hk]; ok && orig != a.obj.Name {
			// Same bytes as an object already ingested: a copy.
			entry.DuplicateOf, entry.Records, entry.Partitions = orig, 0, nil
			removeFiles(parts)
			for _, st := range shards {
				w.putStage(st)
			}
			w.s.m.objectsDuplicate.Add(1)
			w.index[key] = a.obj.Name
			w.pendingEntries = append(w.pendingEntries, entry)
			return nil
		}
		w.hashes[hk] = a.obj.Name
	}
	w.index[key] = a.obj.Name
	for _, st := range shards {
		w.pending.merge(st, w.s.cfg.CommitRows+st.n)
		w.putStage(st)
	}
	w.pendingFiles = append(w.pendingFiles, parts...)
	w.pendingEntries = append(w.pendingEntries, entry)
	w.pendingRecords += entry.Records
	if w.pendingRecords >= int64(w.s.cfg.CommitRows) {
		w.handOff()
	}
	return nil
}

// Rollback discards the object.
func (a *appender) Rollback() error {
	w := a.w
	w.mu.Lock()
	defer w.mu.Unlock()
	key := a.obj.Key()
	if w.open[key] == a {
		delete(w.open, key)
	}
	a.discard()
	return nil
}

// discard drops the staged records (w.mu held).
func (a *appender) discard() {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done {
		return
	}
	a.done = true
	a.removeParts()
	for _, st := range a.free { // shards in use by a racing Append are dropped
		a.w.putStage(st)
	}
	a.shards, a.free = nil, nil
	a.w.s.m.objectsRolledBack.Add(1)
}

func (a *appender) removeParts() {
	removeFiles(a.parts)
	a.parts = nil
}

func removeFiles(files []fileInfo) {
	for _, f := range files {
		os.Remove(f.tmp)
	}
}
