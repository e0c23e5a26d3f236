package embedded

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/store"
)

// On-disk layout (see docs/STORE.md):
//
//	<dir>/LOCK                                 writer lock (flock), holder's pid
//	<dir>/commits/<id>.json                    commit record: makes files and ledger entries visible
//	<dir>/commits/<id>.ledger.jsonl            the ledger entries of the commit
//	<dir>/data/<level>/<day>/<id>-<n>.parquet  raw (level raw) and rollup (1m, 1h) files
//	<dir>/tmp/                                 writer scratch space, emptied when a writer starts
//
// A file or ledger is visible only through a live commit record; commit
// records are written to a temporary name, synced and renamed. A commit may
// supersede older ones (compaction, pruning): superseded commits are dead
// even while their files still exist.

const (
	formatVersion = 1
	commitsDir    = "commits"
	dataDir       = "data"
	tmpDir        = "tmp"
	lockFile      = "LOCK"
)

type commitRecord struct {
	Format     int        `json:"format"`
	ID         uint64     `json:"id"`
	Created    time.Time  `json:"created"`
	Supersedes []uint64   `json:"supersedes,omitempty"`
	Files      []fileInfo `json:"files"`
	// Levels lists the tables the commit has complete data for (every
	// table of the flowlens version that wrote it): a table missing from
	// one live commit is not used by queries.
	Levels []string `json:"levels"`
	// Ledger names the ledger file (in the commits directory), if any.
	Ledger  string `json:"ledger,omitempty"`
	Objects int    `json:"objects"`
	Records int64  `json:"records"`
}

func commitName(id uint64) string { return fmt.Sprintf("%016d.json", id) }
func ledgerName(id uint64) string { return fmt.Sprintf("%016d.ledger.jsonl", id) }

// parseCommitName returns the id of a commit record file name.
func parseCommitName(name string) (uint64, bool) {
	if len(name) != 21 || !strings.HasSuffix(name, ".json") {
		return 0, false
	}
	id, err := strconv.ParseUint(name[:16], 10, 64)
	return id, err == nil
}

// snapshot is the set of live commits at one point in time.
type snapshot struct {
	live  []*commitRecord // by id
	dead  []*commitRecord // superseded commits still on disk
	maxID uint64
}

// files returns the live files of a level.
func (s *snapshot) files(level string) []fileInfo {
	var out []fileInfo
	for _, c := range s.live {
		for _, f := range c.Files {
			if f.Level == level {
				out = append(out, f)
			}
		}
	}
	return out
}

// has reports whether every live commit has complete data for level.
func (s *snapshot) has(level string) bool {
	for _, c := range s.live {
		if !slices.Contains(c.Levels, level) {
			return false
		}
	}
	return true
}

// key identifies the snapshot's content (the ids of the live commits).
func (s *snapshot) key() string {
	var b strings.Builder
	for _, c := range s.live {
		b.WriteString(strconv.FormatUint(c.ID, 10))
		b.WriteByte(',')
	}
	return b.String()
}

// loadSnapshot reads the commit records of dir. cache (may be nil) keeps
// parsed records by file name between calls: records are immutable.
func loadSnapshot(dir string, cache map[string]*commitRecord) (*snapshot, error) {
	entries, err := os.ReadDir(filepath.Join(dir, commitsDir))
	if errors.Is(err, fs.ErrNotExist) {
		return &snapshot{}, nil
	}
	if err != nil {
		return nil, err
	}
	var all []*commitRecord
	present := map[string]bool{}
	for _, e := range entries {
		name := e.Name()
		if _, ok := parseCommitName(name); !ok {
			continue
		}
		present[name] = true
		rec := cache[name]
		if rec == nil {
			path := filepath.Join(dir, commitsDir, name)
			b, err := os.ReadFile(path)
			if errors.Is(err, fs.ErrNotExist) {
				continue // superseded and removed since the listing
			}
			if err != nil {
				return nil, err
			}
			rec = new(commitRecord)
			if err := json.Unmarshal(b, rec); err != nil {
				return nil, fmt.Errorf("%s: corrupt commit record: %w (move it away to open the store without its data)", path, err)
			}
			if rec.Format > formatVersion {
				return nil, fmt.Errorf("%s: written by a newer flowlens (format %d, this one reads %d): upgrade flowlens", path, rec.Format, formatVersion)
			}
			if cache != nil {
				cache[name] = rec
			}
		}
		all = append(all, rec)
	}
	for name := range cache {
		if !present[name] {
			delete(cache, name)
		}
	}
	superseded := map[uint64]bool{}
	for _, c := range all {
		for _, id := range c.Supersedes {
			superseded[id] = true
		}
	}
	s := &snapshot{}
	for _, c := range all {
		s.maxID = max(s.maxID, c.ID)
		if superseded[c.ID] {
			s.dead = append(s.dead, c)
		} else {
			s.live = append(s.live, c)
		}
	}
	slices.SortFunc(s.live, func(a, b *commitRecord) int { return cmpU64(a.ID, b.ID) })
	return s, nil
}

func cmpU64(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// readLedger reads the ledger entries of a commit.
func readLedger(dir string, c *commitRecord) ([]store.SourceInfo, error) {
	if c.Ledger == "" {
		return nil, nil
	}
	path := filepath.Join(dir, commitsDir, c.Ledger)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	out := make([]store.SourceInfo, 0, c.Objects)
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 16<<20)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e store.SourceInfo
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s:%d: corrupt ledger entry: %w", path, line, err)
		}
		out = append(out, e)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(out) != c.Objects {
		return nil, fmt.Errorf("%s: %d entries, its commit record says %d", path, len(out), c.Objects)
	}
	return out, nil
}

// withFiles fills the Files of entries from the files of their commit.
func withFiles(c *commitRecord, entries []store.SourceInfo) {
	for i := range entries {
		e := &entries[i]
		e.Files = nil
		for _, f := range c.Files {
			if f.Level == levelRaw && slices.Contains(e.Partitions, f.Day) {
				e.Files = append(e.Files, f.Path)
			}
		}
	}
}

func encodeLedger(entries []store.SourceInfo) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	for i := range entries {
		e := entries[i]
		e.Files = nil // derived from the commit when read
		if err := enc.Encode(&e); err != nil {
			return nil, err
		}
	}
	return buf.Bytes(), nil
}

// writeAtomic writes data to path through a temporary file in the same
// directory, synced (when sync is set) and renamed.
func writeAtomic(path string, data []byte, sync bool) error {
	tmp := path + ".tmp-" + randomHex(6)
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if sync {
		if err := f.Sync(); err != nil {
			f.Close()
			os.Remove(tmp)
			return err
		}
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	if sync {
		return syncDir(filepath.Dir(path))
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

// dataPath returns the path (relative to the store directory) of a published file.
func dataPath(level, day string, id uint64, n int) string {
	return filepath.ToSlash(filepath.Join(dataDir, level, day, fmt.Sprintf("%016d-%04d.parquet", id, n)))
}
