package memory

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// Writer is the write side of the in-memory store. One Writer is open at a
// time. Committed objects are published (made visible with their ledger
// entries, atomically) when CommitRows rows are pending, and at Flush and
// Close.
type Writer struct {
	s *Store

	mu      sync.Mutex // guards the fields below
	closed  bool
	open    map[string]*appender
	keys    map[string]string // committed, not yet published: Key → name
	hashes  map[string]string // idem: size and content hash → name
	pending []*chunk
	rows    int
	entries []store.SourceInfo

	poolMu sync.Mutex
	shards []*builder // empty shards, kept for their dictionaries
}

// getShard returns an empty shard, reusing one when possible.
func (w *Writer) getShard() *builder {
	w.poolMu.Lock()
	defer w.poolMu.Unlock()
	if n := len(w.shards); n > 0 {
		b := w.shards[n-1]
		w.shards = w.shards[:n-1]
		return b
	}
	return newShard(w.s.cfg.ChunkRows)
}

func (w *Writer) putShard(b *builder) {
	w.poolMu.Lock()
	defer w.poolMu.Unlock()
	if len(w.shards) < 8 {
		w.shards = append(w.shards, b)
	}
}

var _ store.Writer = (*Writer)(nil)

// Writer returns the store's writer (see OpenWriter).
func (s *Store) Writer(ctx context.Context) (store.Writer, error) { return s.OpenWriter(ctx) }

// OpenWriter returns a writer once no other writer of the store is open,
// waiting up to Configuration.LockTimeout (or failing at once with an error
// wrapping store.ErrLocked).
func (s *Store) OpenWriter(ctx context.Context) (*Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if s.closed.Load() {
		return nil, fmt.Errorf("memory store: %w", store.ErrClosed)
	}
	select {
	case s.wlock <- struct{}{}:
	default:
		if s.cfg.LockTimeout <= 0 {
			return nil, fmt.Errorf("memory store: %w: close the other writer first", store.ErrLocked)
		}
		t := time.NewTimer(s.cfg.LockTimeout)
		defer t.Stop()
		select {
		case s.wlock <- struct{}{}:
		case <-t.C:
			return nil, fmt.Errorf("memory store: %w (waited %s)", store.ErrLocked, s.cfg.LockTimeout)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return &Writer{s: s, open: map[string]*appender{}, keys: map[string]string{}, hashes: map[string]string{}}, nil
}

func hashKey(size int64, hash string) string { return strconv.FormatInt(size, 10) + ":" + hash }

func (w *Writer) check() error {
	if w.closed || w.s.closed.Load() {
		return fmt.Errorf("memory store writer: %w", store.ErrClosed)
	}
	return nil
}

// Begin starts the ingestion of obj (see store.Writer).
func (w *Writer) Begin(ctx context.Context, obj store.SourceID) (store.Appender, bool, error) {
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.check(); err != nil {
		return nil, false, err
	}
	key := obj.Key()
	w.s.mu.Lock()
	_, known := w.s.keys[key]
	w.s.mu.Unlock()
	if _, ok := w.keys[key]; ok || known {
		w.s.m.objectsSkipped.Add(1)
		return nil, true, nil
	}
	if _, ok := w.open[key]; ok {
		return nil, false, fmt.Errorf("%s: %w", obj.Name, store.ErrInProgress)
	}
	a := &appender{w: w, ctx: ctx, obj: obj}
	w.open[key] = a
	return a, false, nil
}

// Flush publishes the committed objects not yet visible.
func (w *Writer) Flush(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.check(); err != nil {
		return err
	}
	return w.drain()
}

// Prune removes the records of the UTC days that end at or before before
// (see store.Writer).
func (w *Writer) Prune(ctx context.Context, before time.Time) (store.PruneResult, error) {
	if err := ctx.Err(); err != nil {
		return store.PruneResult{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.check(); err != nil {
		return store.PruneResult{}, err
	}
	if err := w.drain(); err != nil {
		return store.PruneResult{}, err
	}
	return w.s.prune(before)
}

// Close rolls back the appenders neither committed nor rolled back,
// publishes, applies retention and lets another writer open.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	for _, a := range w.open {
		a.discard()
	}
	w.open = nil
	var err error
	if !w.s.closed.Load() {
		err = w.drain()
		if err == nil && w.s.cfg.Retention > 0 {
			_, err = w.s.prune(time.Now().Add(-w.s.cfg.Retention))
		}
	}
	w.closed = true
	<-w.s.wlock
	return err
}

// drain publishes the pending objects (w.mu held).
func (w *Writer) drain() error {
	if len(w.pending) == 0 && len(w.entries) == 0 {
		return nil
	}
	err := w.s.publish(coalesce(w.pending, w.s.cfg.ChunkRows), w.entries)
	w.pending, w.rows, w.entries = nil, 0, nil
	clear(w.keys)
	clear(w.hashes)
	return err
}

// appender stages the records of one object in shards (builders), one per
// concurrent Append; a shard holding ChunkRows rows is sealed into a chunk.
type appender struct {
	w   *Writer
	ctx context.Context
	obj store.SourceID

	mu      sync.Mutex // guards the fields below
	meta    store.ObjectMeta
	free    []*builder // shards not in use by an Append
	busy    int        // shards in use
	sealed  []*chunk
	records int64
	done    bool
	err     error
}

var errDone = errors.New("appender already committed or rolled back")

// Append stages a copy of batch. It may be called concurrently.
func (a *appender) Append(batch []flowlog.Record) error {
	b, err := a.take()
	if err != nil {
		return err
	}
	limit := a.w.s.cfg.ChunkRows
	var sealed []*chunk
	for i := range batch {
		if b.n >= limit {
			sealed = append(sealed, b.seal(a.w.s.dicts))
		}
		b.appendRecord(&batch[i])
	}
	a.w.s.m.recordsAppended.Add(int64(len(batch)))
	a.mu.Lock()
	defer a.mu.Unlock()
	a.busy--
	if a.done {
		return errDone // rolled back concurrently (a caller bug)
	}
	a.records += int64(len(batch))
	a.sealed = append(a.sealed, sealed...)
	a.free = append(a.free, b)
	return nil
}

// take returns a shard for the exclusive use of one Append.
func (a *appender) take() (*builder, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done {
		return nil, errDone
	}
	if a.err != nil {
		return nil, a.err
	}
	if err := a.ctx.Err(); err != nil {
		a.err = fmt.Errorf("%s: %w", a.obj.Name, err)
		return nil, a.err
	}
	a.busy++
	if n := len(a.free); n > 0 {
		b := a.free[n-1]
		a.free = a.free[:n-1]
		return b, nil
	}
	return a.w.getShard(), nil
}

// SetMeta records the content hash and malformed line count.
func (a *appender) SetMeta(m store.ObjectMeta) {
	a.mu.Lock()
	a.meta = m
	a.mu.Unlock()
}

// Commit stages the object for publication with its ledger entry, unless
// an object with the same size and content hash was ingested under another
// name: then only its ledger entry (DuplicateOf) is kept.
func (a *appender) Commit() error {
	a.mu.Lock()
	switch {
	case a.done:
		a.mu.Unlock()
		return errDone
	case a.err != nil:
		a.mu.Unlock()
		return fmt.Errorf("commit after a failed append: %w", a.err)
	case a.busy > 0:
		a.mu.Unlock()
		return errors.New("commit while an append is running")
	}
	a.done = true
	chunks, shards := a.sealed, a.free
	a.sealed, a.free = nil, nil
	entry := store.SourceInfo{
		Source: a.obj, Hash: a.meta.Hash, Records: a.records, Malformed: a.meta.Malformed,
		IngestedAt: time.Now().UTC(),
	}
	a.mu.Unlock()

	w := a.w
	w.mu.Lock()
	defer w.mu.Unlock()
	key := a.obj.Key()
	if w.open[key] == a {
		delete(w.open, key)
	}
	if err := w.check(); err != nil {
		return err
	}
	if entry.Hash != "" {
		hk := hashKey(a.obj.Size, entry.Hash)
		orig, ok := w.hashes[hk]
		if !ok {
			w.s.mu.Lock()
			orig, ok = w.s.hashes[hk]
			w.s.mu.Unlock()
		}
		if ok && orig != a.obj.Name {
			entry.DuplicateOf, entry.Records = orig, 0
			for _, b := range shards {
				b.reset(b.n)
				w.putShard(b)
			}
			w.keys[key] = a.obj.Name
			w.entries = append(w.entries, entry)
			w.s.m.objectsDuplicate.Add(1)
			return nil
		}
		w.hashes[hk] = a.obj.Name
	}
	for _, b := range shards {
		if b.n > 0 {
			chunks = append(chunks, b.seal(w.s.dicts))
		}
		w.putShard(b)
	}
	entry.Partitions = partitions(chunks)
	w.keys[key] = a.obj.Name
	w.entries = append(w.entries, entry)
	w.pending = append(w.pending, chunks...)
	for _, c := range chunks {
		w.rows += c.n
	}
	w.s.m.objectsCommitted.Add(1)
	if w.rows >= w.s.cfg.CommitRows {
		return w.drain()
	}
	return nil
}

// Rollback discards the object.
func (a *appender) Rollback() error {
	w := a.w
	w.mu.Lock()
	defer w.mu.Unlock()
	if key := a.obj.Key(); w.open[key] == a {
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
	for _, b := range a.free { // shards in use by a racing Append are dropped
		b.reset(b.n)
		a.w.putShard(b)
	}
	a.free, a.sealed = nil, nil
	a.w.s.m.objectsRolledBack.Add(1)
}
