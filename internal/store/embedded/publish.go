package embedded

import (
	"os"
	"path/filepath"
	"time"

	"github.com/flowlens/flowlens/internal/store"
)

// Publication runs on its own goroutine so that encoding the staged records
// of committed objects overlaps with reading and parsing the next objects.
// At most one batch waits while another is being published: a committer
// blocks beyond that (back pressure). Commit ids are assigned in hand-off
// order and batches are published in that order.

// batch is a set of committed objects to publish as one commit.
type batch struct {
	id      uint64
	st      *stage
	files   []fileInfo // part files already written
	entries []store.SourceInfo
}

func (w *Writer) failed() error {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	return w.failure
}

func (w *Writer) fail(err error) {
	w.errMu.Lock()
	defer w.errMu.Unlock()
	if w.failure == nil {
		w.failure = err
	}
}

// handOff queues the staged objects for publication (w.mu held).
func (w *Writer) handOff() {
	if len(w.pendingEntries) == 0 {
		return
	}
	b := &batch{id: w.nextID, st: w.pending, files: w.pendingFiles, entries: w.pendingEntries}
	w.nextID++
	w.pending = w.getStage()
	w.pendingFiles, w.pendingEntries, w.pendingRecords = nil, nil, 0
	w.inflight.Add(1)
	w.queue <- b
}

// drain publishes everything committed and waits for it (w.mu held).
func (w *Writer) drain() error {
	w.handOff()
	w.inflight.Wait()
	return w.failed()
}

func (w *Writer) publisher() {
	for b := range w.queue {
		if w.failed() == nil {
			if err := w.publish(b); err != nil {
				w.fail(err)
			}
		} else {
			removeFiles(b.files)
		}
		w.putStage(b.st)
		w.inflight.Done()
	}
}

// publish makes a batch visible: it writes the staged records, moves every
// file to its final place, then writes the ledger and the commit record. A
// crash before the commit record is renamed leaves unreferenced files only
// (removed by the next writer).
func (w *Writer) publish(b *batch) error {
	dir := w.s.cfg.Dir
	files := b.files
	if b.st.n > 0 {
		main, err := w.enc.writeStage(b.st, w.tmp, w.tmpPrefix())
		if err != nil {
			removeFiles(files)
			return err
		}
		files = append(files, main...)
	}
	rec := &commitRecord{Format: formatVersion, ID: b.id, Created: time.Now().UTC(), Levels: allLevels()}
	if err := w.place(b.id, files); err != nil {
		removeFiles(files)
		return err
	}
	rec.Files = files
	for _, e := range b.entries {
		rec.Records += e.Records
	}
	w.at("placed")
	if err := w.writeCommit(rec, b.entries); err != nil {
		for _, f := range files {
			os.Remove(filepath.Join(dir, filepath.FromSlash(f.Path)))
		}
		return err
	}
	w.s.m.publications.Add(1)
	w.s.m.filesWritten.Add(int64(len(files)))
	for _, f := range files {
		w.s.m.bytesWritten.Add(f.Bytes)
	}
	for _, e := range b.entries {
		if e.DuplicateOf == "" {
			w.s.m.objectsCommitted.Add(1)
		}
	}
	w.at("published")
	return nil
}

// at calls the test hook, if any, at a point of a publication.
func (w *Writer) at(point string) {
	if w.hook != nil {
		w.hook(point)
	}
}
