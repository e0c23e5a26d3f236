// Package memory is an in-memory store backend: records are kept in
// compact columns (typed slices, dictionary-encoded strings and addresses,
// presence bitmaps) and structured queries are evaluated in Go, always
// exactly from the raw records. It is what the one-shot commands (flowlens
// top|summary|report on files) use: nothing is written to disk, and the
// first answer comes much sooner than through the embedded store.
//
// It implements store.Store with the semantics of the embedded backend
// (same results, same column types, same ordering, same query validation
// errors; the differential test checks it), except that:
//
//   - it runs no SQL: Reader.SQL and queries with a Filter.SQL fail with an
//     error wrapping ErrSQL;
//   - Record.Extra (fields flowlens does not know) is not kept, since only
//     SQL could read it;
//   - ledger entries list no files (SourceInfo.Files), and PruneResult
//     counts no files or bytes on disk;
//   - nothing survives the process: the ledger makes ingestion idempotent
//     within one Store only.
//
// Storage: every field present in some record of a chunk (ChunkRows rows)
// is a column of typed values (uint8, uint16, uint64, int64, or uint32 ids
// into the store's string and address dictionaries) with a presence
// bitmap, dropped when every row has the field. The default format takes
// 57 bytes per record, plus the dictionaries. Queries skip the chunks
// outside their time range, evaluate conditions on whole columns (on the
// dictionary entries for strings and addresses), number the groups with
// packed integer keys (a dense array or a hash table) and accumulate the
// measures column by column.
package memory

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowlens/flowlens/internal/store"
)

// ErrSQL is wrapped by the errors of everything that needs SQL: Reader.SQL
// and queries whose Filter has a SQL expression.
var ErrSQL = errors.New("SQL is not available in the in-memory store")

// Configuration configures the in-memory store.
type Configuration struct {
	// ChunkRows is the number of rows of a storage chunk; queries skip the
	// chunks outside their time range. It is rounded up to a multiple of
	// 64, and at most 16 Mi.
	ChunkRows int
	// CommitRows is the number of rows of committed objects above which a
	// writer publishes them (objects are visible at the latest when the
	// writer is flushed or closed).
	CommitRows int
	// Retention, when positive, makes every writer prune the days older
	// than now - Retention when it closes.
	Retention time.Duration
	// LockTimeout is how long Writer waits for another writer of the store
	// to close (0: fail at once with store.ErrLocked).
	LockTimeout time.Duration
}

// maxChunkRows bounds ChunkRows: rows are numbered with int32 in a chunk.
const maxChunkRows = 1 << 24

// DefaultConfiguration returns the default configuration.
func DefaultConfiguration() Configuration {
	return Configuration{ChunkRows: 1 << 16, CommitRows: 1 << 16}
}

// Metrics counts what a Store did and holds. Read it with Store.Metrics.
type Metrics struct {
	RecordsAppended   int64
	ObjectsCommitted  int64
	ObjectsSkipped    int64 // already in the ledger at Begin
	ObjectsDuplicate  int64 // same content as an ingested object
	ObjectsRolledBack int64
	Publications      int64
	Queries           int64
	QueryErrors       int64
	QueryTime         time.Duration

	// Rows and Chunks are the published rows and storage chunks.
	Rows   int64
	Chunks int
	// ColumnBytes is the memory of the columns; DictBytes an estimate of
	// the memory of the string and address dictionaries (Strings and
	// Addresses entries).
	ColumnBytes int64
	DictBytes   int64
	Strings     int
	Addresses   int
}

type metrics struct {
	recordsAppended, objectsCommitted, objectsSkipped, objectsDuplicate atomic.Int64
	objectsRolledBack, publications, queries, queryErrors, queryNanos   atomic.Int64
}

// state is what readers see: immutable once published.
type state struct {
	chunks []*chunk
	rows   int64
	strs   []string
	addrs  []addrKey
	// strBytes is the length of the strings of strs.
	strBytes int64
	ledger   []store.SourceInfo
}

// Store is the in-memory store. It implements store.Store. Readers never
// lock: a query works on the state published last.
type Store struct {
	cfg    Configuration
	dicts  *dicts
	cur    atomic.Pointer[state]
	m      metrics
	closed atomic.Bool
	wlock  chan struct{} // held by the open Writer

	// mu serializes publications and guards the ledger index.
	mu     sync.Mutex
	keys   map[string]string // SourceID.Key of published objects → name
	hashes map[string]string // size and content hash → name
}

var _ store.Store = (*Store)(nil)

// New returns an empty store.
func New(cfg Configuration) *Store {
	def := DefaultConfiguration()
	if cfg.ChunkRows <= 0 {
		cfg.ChunkRows = def.ChunkRows
	}
	cfg.ChunkRows = (min(cfg.ChunkRows, maxChunkRows) + 63) &^ 63
	if cfg.CommitRows <= 0 {
		cfg.CommitRows = def.CommitRows
	}
	s := &Store{
		cfg: cfg, dicts: newDicts(), wlock: make(chan struct{}, 1),
		keys: map[string]string{}, hashes: map[string]string{},
	}
	s.cur.Store(&state{})
	return s
}

// Dialect returns a SQL dialect (standard SQL, DuckDB flavoured) that lets
// callers and store.Build compile queries; nothing this store runs uses it.
func (s *Store) Dialect() store.Dialect { return Dialect{} }

// SQL fails: user SQL needs the embedded store.
func (s *Store) SQL(context.Context, string, ...any) (*store.Result, error) {
	return nil, fmt.Errorf("memory store: %w: SQL needs the embedded store: ingest the files with `flowlens ingest`, then run `flowlens query`", ErrSQL)
}

// Sources lists the ledger, oldest first.
func (s *Store) Sources(context.Context) ([]store.SourceInfo, error) {
	if s.closed.Load() {
		return nil, fmt.Errorf("memory store: %w", store.ErrClosed)
	}
	st := s.cur.Load()
	out := make([]store.SourceInfo, len(st.ledger))
	for i, e := range st.ledger {
		e.Partitions = slices.Clone(e.Partitions)
		e.Source.ExtraNames = slices.Clone(e.Source.ExtraNames)
		out[i] = e
	}
	slices.SortStableFunc(out, func(a, b store.SourceInfo) int {
		if c := a.IngestedAt.Compare(b.IngestedAt); c != 0 {
			return c
		}
		return strings.Compare(a.Source.Name, b.Source.Name)
	})
	return out, nil
}

// TimeRange returns the smallest start and the largest end (or start) of
// the stored records; zero times when no record has a start.
func (s *Store) TimeRange(context.Context) (time.Time, time.Time, error) {
	if s.closed.Load() {
		return time.Time{}, time.Time{}, fmt.Errorf("memory store: %w", store.ErrClosed)
	}
	var lo, hi int64
	first := true
	for _, c := range s.cur.Load().chunks {
		if c.starts == 0 {
			continue
		}
		if first || c.minStart < lo {
			lo = c.minStart
		}
		if e := max(c.maxEnd, c.maxStart); first || e > hi {
			hi = e
		}
		first = false
	}
	if first {
		return time.Time{}, time.Time{}, nil
	}
	return time.Unix(lo, 0).UTC(), time.Unix(hi, 0).UTC(), nil
}

// Metrics returns a snapshot of the counters and of the memory held.
func (s *Store) Metrics() Metrics {
	st := s.cur.Load()
	m := Metrics{
		RecordsAppended:   s.m.recordsAppended.Load(),
		ObjectsCommitted:  s.m.objectsCommitted.Load(),
		ObjectsSkipped:    s.m.objectsSkipped.Load(),
		ObjectsDuplicate:  s.m.objectsDuplicate.Load(),
		ObjectsRolledBack: s.m.objectsRolledBack.Load(),
		Publications:      s.m.publications.Load(),
		Queries:           s.m.queries.Load(),
		QueryErrors:       s.m.queryErrors.Load(),
		QueryTime:         time.Duration(s.m.queryNanos.Load()),
		Rows:              st.rows,
		Chunks:            len(st.chunks),
		Strings:           len(st.strs),
		Addresses:         len(st.addrs),
	}
	for _, c := range st.chunks {
		m.ColumnBytes += c.bytes()
	}
	// A map entry costs about twice its key and value; the slices hold the
	// values once more.
	m.DictBytes = st.strBytes + int64(len(st.strs))*(16+2*(16+4)) + int64(len(st.addrs))*(24+2*(24+4))
	return m
}

// Close releases the stored data. Writers must be closed first; queries
// after Close fail with store.ErrClosed.
func (s *Store) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cur.Store(&state{})
	return nil
}

// publish makes chunks and their ledger entries visible atomically.
func (s *Store) publish(chunks []*chunk, entries []store.SourceInfo) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed.Load() {
		return fmt.Errorf("memory store: %w", store.ErrClosed)
	}
	old := s.cur.Load()
	next := &state{rows: old.rows, ledger: append(old.ledger[:len(old.ledger):len(old.ledger)], entries...)}
	next.chunks = append(old.chunks[:len(old.chunks):len(old.chunks)], chunks...)
	for _, c := range chunks {
		next.rows += int64(c.n)
	}
	next.strs, next.addrs, next.strBytes = s.dicts.view()
	for _, e := range entries {
		s.keys[e.Source.Key()] = e.Source.Name
		if e.Hash != "" && e.DuplicateOf == "" {
			s.hashes[hashKey(e.Source.Size, e.Hash)] = e.Source.Name
		}
	}
	s.cur.Store(next)
	s.m.publications.Add(1)
	return nil
}
