package embedded

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowlens/flowlens/internal/store"
)

// Writer is the write side of the embedded store. It holds the data
// directory's lock from OpenWriter to Close. Committed objects are staged in
// memory (or in part files for big objects) and published together, as one
// commit record, when CommitRows records are staged and at Flush and Close.
// It is safe for concurrent use; each Appender is used by one goroutine.
type Writer struct {
	s    *Store
	lock *fileLock
	enc  *encoder
	tmp  string
	seq  atomic.Int64 // temporary file names

	queue    chan *batch // to the publisher goroutine
	inflight sync.WaitGroup
	errMu    sync.Mutex
	failure  error // sticky: a failed publication poisons the writer

	mu             sync.Mutex
	closed         bool
	nextID         uint64
	index          map[string]string // SourceID.Key → name, committed or staged
	hashes         map[string]string // size and content hash → name
	open           map[string]*appender
	pending        *stage
	pendingFiles   []fileInfo
	pendingEntries []store.SourceInfo
	pendingRecords int64
	duck           *sql.DB // compaction engine, opened on demand

	poolMu sync.Mutex
	stages []*stage // reset stages, reused for their memory

	// hook, when set (by tests, before use), is called at points of a
	// publication ("placed", "ledger", "published") to simulate crashes.
	hook func(point string)
}

// getStage returns an empty stage, reusing one when possible.
func (w *Writer) getStage() *stage {
	w.poolMu.Lock()
	defer w.poolMu.Unlock()
	if n := len(w.stages); n > 0 {
		st := w.stages[n-1]
		w.stages = w.stages[:n-1]
		return st
	}
	return newStage()
}

// putStage resets st and keeps it for reuse.
func (w *Writer) putStage(st *stage) {
	st.reset()
	w.poolMu.Lock()
	defer w.poolMu.Unlock()
	if len(w.stages) < 2*w.s.cfg.Threads+2 {
		w.stages = append(w.stages, st)
	}
}

var _ store.Writer = (*Writer)(nil)

// Writer acquires the write lock and returns a writer (see OpenWriter).
func (s *Store) Writer(ctx context.Context) (store.Writer, error) { return s.OpenWriter(ctx) }

// OpenWriter acquires the write lock (waiting up to Configuration.LockTimeout
// for another writer), cleans up what a crashed writer left behind and loads
// the ledger.
func (s *Store) OpenWriter(ctx context.Context) (*Writer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	lock, err := acquireLock(s.cfg.Dir, s.cfg.LockTimeout)
	if err != nil {
		return nil, err
	}
	z, err := newCodec(s.cfg.Compression, s.cfg.Threads)
	if err != nil {
		lock.release()
		return nil, err
	}
	w := &Writer{
		s: s, lock: lock,
		enc:     &encoder{codec: z, groupRows: s.cfg.RowGroupRows, threads: s.cfg.Threads, sync: s.cfg.Fsync},
		tmp:     filepath.Join(s.cfg.Dir, tmpDir, "write"),
		index:   map[string]string{},
		hashes:  map[string]string{},
		open:    map[string]*appender{},
		pending: newStage(),
	}
	if err := w.recover(); err != nil {
		lock.release()
		return nil, err
	}
	w.queue = make(chan *batch, 1)
	go w.publisher()
	return w, nil
}

// recover removes what an interrupted writer left (superseded commits,
// unreferenced files, temporary files) and loads the ledger index.
func (w *Writer) recover() error {
	dir := w.s.cfg.Dir
	if err := os.RemoveAll(w.tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(w.tmp, 0o755); err != nil {
		return err
	}
	snap, err := loadSnapshot(dir, nil)
	if err != nil {
		return err
	}
	if err := w.removeUnreferenced(snap); err != nil {
		return err
	}
	w.nextID = snap.maxID + 1
	for _, c := range snap.live {
		entries, err := readLedger(dir, c)
		if err != nil {
			return err
		}
		for _, e := range entries {
			w.index[e.Source.Key()] = e.Source.Name
			if e.Hash != "" && e.DuplicateOf == "" {
				w.hashes[hashKey(e.Source.Size, e.Hash)] = e.Source.Name
			}
		}
	}
	return nil
}

func hashKey(size int64, hash string) string { return strconv.FormatInt(size, 10) + ":" + hash }

// removeUnreferenced deletes superseded commit records, ledger and data
// files no live commit references, and temporary files.
func (w *Writer) removeUnreferenced(snap *snapshot) error {
	dir := w.s.cfg.Dir
	liveNames := map[string]bool{}
	referenced := map[string]bool{}
	for _, c := range snap.live {
		liveNames[commitName(c.ID)] = true
		if c.Ledger != "" {
			liveNames[c.Ledger] = true
		}
		for _, f := range c.Files {
			referenced[filepath.FromSlash(f.Path)] = true
		}
	}
	// Superseded records first: once gone, their files are unreferenced.
	for _, c := range snap.dead {
		if err := removeIfExists(filepath.Join(dir, commitsDir, commitName(c.ID))); err != nil {
			return err
		}
	}
	entries, err := os.ReadDir(filepath.Join(dir, commitsDir))
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !liveNames[e.Name()] {
			if err := removeIfExists(filepath.Join(dir, commitsDir, e.Name())); err != nil {
				return err
			}
		}
	}
	root := filepath.Join(dir, dataDir)
	var dirs []string
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root {
				dirs = append(dirs, path)
			}
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if !referenced[rel] {
			return removeIfExists(path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i := len(dirs) - 1; i >= 0; i-- {
		os.Remove(dirs[i]) // only succeeds when empty
	}
	return nil
}

func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (w *Writer) check() error {
	if w.closed {
		return fmt.Errorf("writer: %w", store.ErrClosed)
	}
	if err := w.failed(); err != nil {
		return fmt.Errorf("writer failed earlier: %w", err)
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
	if _, ok := w.index[key]; ok {
		w.s.m.objectsSkipped.Add(1)
		return nil, true, nil
	}
	if _, ok := w.open[key]; ok {
		return nil, false, fmt.Errorf("%s: %w", obj.Name, store.ErrInProgress)
	}
	a := &appender{w: w, ctx: ctx, obj: obj, days: map[string]bool{}}
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

// Close publishes, applies retention, compacts small files and releases the
// write lock. Appenders neither committed nor rolled back are rolled back.
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
	err := w.drain()
	close(w.queue)
	if err == nil && w.s.cfg.Retention > 0 {
		_, err = w.pruneLocked(time.Now().Add(-w.s.cfg.Retention))
	}
	if err == nil {
		err = w.compactLocked()
	}
	w.closed = true
	if w.duck != nil {
		w.duck.Close()
	}
	w.enc.codec.close()
	os.RemoveAll(w.tmp)
	if lerr := w.lock.release(); err == nil {
		err = lerr
	}
	return err
}

func (w *Writer) tmpPrefix() string {
	return "t" + strconv.FormatInt(w.seq.Add(1), 10)
}

// place moves written files (fileInfo.tmp) to their final paths under the
// data directory for commit id and sets their Path.
func (w *Writer) place(id uint64, files []fileInfo) error {
	dir := w.s.cfg.Dir
	dirs := map[string]bool{}
	for i := range files {
		f := &files[i]
		f.Path = dataPath(f.Level, f.Day, id, i)
		dst := filepath.Join(dir, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.Rename(f.tmp, dst); err != nil {
			return err
		}
		dirs[filepath.Dir(dst)] = true
	}
	if w.s.cfg.Fsync {
		for d := range dirs {
			if err := syncDir(d); err != nil {
				return err
			}
		}
	}
	return nil
}

// writeCommit writes the ledger of rec, then rec itself: the rename of the
// commit record is the atomic point of publication.
func (w *Writer) writeCommit(rec *commitRecord, entries []store.SourceInfo) error {
	cdir := filepath.Join(w.s.cfg.Dir, commitsDir)
	rec.Objects = len(entries)
	if len(entries) > 0 {
		b, err := encodeLedger(entries)
		if err != nil {
			return err
		}
		rec.Ledger = ledgerName(rec.ID)
		if err := writeAtomic(filepath.Join(cdir, rec.Ledger), b, w.s.cfg.Fsync); err != nil {
			return err
		}
		w.at("ledger")
	}
	b, err := json.MarshalIndent(rec, "", " ")
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(cdir, commitName(rec.ID)), b, w.s.cfg.Fsync)
}

// partitionNames returns the partition names of a set of day numbers.
func partitionNames(days map[string]bool) []string {
	out := make([]string, 0, len(days))
	for d := range days {
		out = append(out, d)
	}
	slices.Sort(out)
	return out
}
