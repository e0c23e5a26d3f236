package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// Pruning and compaction replace a set of live commits by one new commit
// that supersedes them: the new commit lists the files kept and the files
// written, and carries all their ledger entries. Its record is renamed into
// place before any old file is removed, so readers see either the old
// commits or the new one.

// Prune removes the partitions (UTC days, raw and rollups) that end at or
// before before. Records without a start time are never pruned. Ledger
// entries are kept, with PrunedAt set, so pruned objects are not ingested
// again.
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
	return w.pruneLocked(before)
}

func (w *Writer) pruneLocked(before time.Time) (store.PruneResult, error) {
	var res store.PruneResult
	snap, err := loadSnapshot(w.s.cfg.Dir, nil)
	if err != nil {
		return res, err
	}
	expired := func(f fileInfo) bool {
		if f.Day == noDay {
			return false
		}
		d, err := time.Parse(time.DateOnly, f.Day)
		return err == nil && !d.Add(24*time.Hour).After(before)
	}
	var affected []*commitRecord
	var kept []fileInfo
	removedDays := map[string]bool{}
	for _, c := range snap.live {
		hit := false
		for _, f := range c.Files {
			if expired(f) {
				hit = true
				removedDays[f.Day] = true
				res.Files++
				res.Bytes += f.Bytes
				if f.Level == levelRaw {
					res.Records += f.Rows
				}
			}
		}
		if !hit {
			continue
		}
		affected = append(affected, c)
		for _, f := range c.Files {
			if !expired(f) {
				kept = append(kept, f)
			}
		}
	}
	if len(affected) == 0 {
		return res, nil
	}
	now := time.Now().UTC()
	err = w.replaceCommits(snap, affected, kept, func(e *store.SourceInfo) {
		for _, p := range e.Partitions {
			if removedDays[p] && e.PrunedAt.IsZero() {
				e.PrunedAt = now
			}
		}
	})
	if err != nil {
		return store.PruneResult{}, err
	}
	res.Partitions = partitionNames(removedDays)
	return res, nil
}

// replaceCommits publishes one commit superseding old, holding files and
// the ledger entries of old (edited by edit, if not nil), then removes what
// is no longer referenced.
func (w *Writer) replaceCommits(snap *snapshot, old []*commitRecord, files []fileInfo, edit func(*store.SourceInfo)) error {
	rec := &commitRecord{Format: formatVersion, ID: w.nextID, Created: time.Now().UTC(), Files: files}
	w.nextID++
	// Complete tables are those complete in every replaced commit.
	rec.Levels = allLevels()
	for _, c := range old {
		rec.Levels = slices.DeleteFunc(rec.Levels, func(l string) bool { return !slices.Contains(c.Levels, l) })
	}
	var entries []store.SourceInfo
	seen := map[uint64]bool{}
	for _, c := range old {
		for _, id := range append([]uint64{c.ID}, c.Supersedes...) {
			if !seen[id] {
				seen[id] = true
				rec.Supersedes = append(rec.Supersedes, id)
			}
		}
		es, err := readLedger(w.s.cfg.Dir, c)
		if err != nil {
			return err
		}
		for i := range es {
			if edit != nil {
				edit(&es[i])
			}
			rec.Records += es[i].Records
		}
		entries = append(entries, es...)
	}
	slices.Sort(rec.Supersedes)
	if err := w.writeCommit(rec, entries); err != nil {
		return err
	}
	after, err := loadSnapshot(w.s.cfg.Dir, nil)
	if err != nil {
		return err
	}
	return w.removeUnreferenced(after)
}

// compactLocked merges, per level and day, the small files of the live
// commits when there are at least CompactFiles of them. Rollup files are
// re-aggregated, raw files sorted by start.
func (w *Writer) compactLocked() error {
	if w.s.cfg.CompactFiles <= 1 {
		return nil
	}
	snap, err := loadSnapshot(w.s.cfg.Dir, nil)
	if err != nil {
		return err
	}
	type group struct{ level, day string }
	small := map[group][]fileInfo{}
	var order []group
	for _, c := range snap.live {
		for _, f := range c.Files {
			if f.Rows >= w.s.cfg.CompactRows {
				continue
			}
			g := group{f.Level, f.Day}
			if _, ok := small[g]; !ok {
				order = append(order, g)
			}
			small[g] = append(small[g], f)
		}
	}
	merged := map[string]bool{}
	var written []fileInfo
	for _, g := range order {
		fs := small[g]
		if len(fs) < w.s.cfg.CompactFiles {
			continue
		}
		fi, err := w.mergeFiles(g.level, g.day, fs)
		if err != nil {
			for _, f := range written {
				os.Remove(f.tmp)
			}
			return fmt.Errorf("compaction of %s/%s: %w", g.level, g.day, err)
		}
		written = append(written, *fi)
		for _, f := range fs {
			merged[f.Path] = true
		}
	}
	if len(written) == 0 {
		return nil
	}
	var affected []*commitRecord
	var kept []fileInfo
	for _, c := range snap.live {
		hit := false
		for _, f := range c.Files {
			hit = hit || merged[f.Path]
		}
		if !hit {
			continue
		}
		affected = append(affected, c)
		for _, f := range c.Files {
			if !merged[f.Path] {
				kept = append(kept, f)
			}
		}
	}
	id := w.nextID
	if err := w.place(id, written); err != nil {
		return err
	}
	// place numbered the new files from 0; kept files keep their paths.
	if err := w.replaceCommits(snap, affected, append(kept, written...), nil); err != nil {
		return err
	}
	w.s.m.compactions.Add(1)
	return nil
}

// mergeFiles writes one file holding the rows of fs (same level and day).
func (w *Writer) mergeFiles(level, day string, fs []fileInfo) (*fileInfo, error) {
	if w.duck == nil {
		db, err := sql.Open("duckdb", "")
		if err != nil {
			return nil, err
		}
		if _, err := db.Exec(fmt.Sprintf("SET threads = %d", w.s.cfg.Threads)); err != nil {
			db.Close()
			return nil, err
		}
		w.duck = db
	}
	have := map[string]bool{}
	var paths []string
	for _, f := range fs {
		for _, c := range f.Columns {
			have[c] = true
		}
		paths = append(paths, sqlString(filepath.Join(w.s.cfg.Dir, filepath.FromSlash(f.Path))))
	}
	var cols, keys []string
	d := w.s.dialect
	for _, c := range viewColumnsOf(level) {
		if !have[c.name] {
			continue
		}
		q := d.Quote(c.name)
		if level != levelRaw && (c.name == store.ColFlows || c.name == store.ColPackets || c.name == store.ColBytes) {
			cols = append(cols, fmt.Sprintf("CAST(sum(%s) AS UBIGINT) AS %s", q, q))
			continue
		}
		cols = append(cols, fmt.Sprintf("CAST(%s AS %s) AS %s", q, c.typ.sqlType(), q))
		keys = append(keys, q)
	}
	src := fmt.Sprintf("read_parquet([%s], union_by_name = true)", strings.Join(paths, ", "))
	query := fmt.Sprintf("SELECT %s FROM %s", strings.Join(cols, ", "), src)
	if level != levelRaw {
		query += " GROUP BY " + strings.Join(keys, ", ")
	}
	query += " ORDER BY " + d.Quote(flowlog.FieldStart.Column()) + " NULLS LAST"
	tmp := filepath.Join(w.tmp, w.tmpPrefix()+"-merge.parquet")
	copySQL := fmt.Sprintf("COPY (%s) TO %s (FORMAT parquet, COMPRESSION %s, ROW_GROUP_SIZE %d)", query, sqlString(tmp), w.enc.codec.name(), w.s.cfg.RowGroupRows)
	if _, err := w.duck.Exec(copySQL); err != nil {
		return nil, err
	}
	fi := &fileInfo{Level: level, Day: day, tmp: tmp}
	for _, c := range viewColumnsOf(level) {
		if have[c.name] {
			fi.Columns = append(fi.Columns, c.name)
		}
	}
	startCol, endCol := d.Quote(flowlog.FieldStart.Column()), d.Quote(flowlog.FieldEnd.Column())
	if !have[flowlog.FieldEnd.Column()] || level != levelRaw {
		endCol = startCol
	}
	var minS, maxS, maxE sql.NullInt64
	err := w.duck.QueryRow(fmt.Sprintf("SELECT count(*), min(%s), max(%s), max(%s) FROM read_parquet(%s)", startCol, startCol, endCol, sqlString(tmp))).
		Scan(&fi.Rows, &minS, &maxS, &maxE)
	if err != nil {
		return nil, err
	}
	fi.MinStart, fi.MaxStart, fi.MaxEnd = minS.Int64, maxS.Int64, maxE.Int64
	if level != levelRaw && maxS.Valid {
		fi.MaxEnd = maxS.Int64 + levelStep(level)
	}
	if w.s.cfg.Fsync {
		if f, err := os.Open(tmp); err == nil {
			f.Sync()
			f.Close()
		}
	}
	st, err := os.Stat(tmp)
	if err != nil {
		return nil, err
	}
	fi.Bytes = st.Size()
	return fi, nil
}
