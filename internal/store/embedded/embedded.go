// Package embedded is the embedded store backend: Parquet files in a data
// directory, written by flowlens itself and queried through an in-memory
// DuckDB instance per reader process. Readers never lock writers; writers
// serialize on a lock file; ingestion is idempotent and crash safe thanks to
// atomically renamed commit records holding the ledger. See docs/STORE.md.
package embedded

import (
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowlens/flowlens/internal/store"
)

// Configuration configures the embedded store.
type Configuration struct {
	// Dir is the data directory (see store.DefaultDir).
	Dir string
	// Retention, when positive, makes every writer prune partitions older
	// than now - Retention when it closes.
	Retention time.Duration
	// CommitRows is the number of staged records of committed objects above
	// which a writer publishes them (objects become visible at the latest
	// when the writer is flushed or closed).
	CommitRows int
	// PartRows is the number of records above which an appender writes its
	// records to a part file instead of keeping them in memory.
	PartRows int
	// RowGroupRows is the Parquet row group size of the files written.
	RowGroupRows int
	// Compression is the Parquet compression: "zstd", "snappy" or "none".
	Compression string
	// Threads bounds the parallelism of encoding and of DuckDB.
	Threads int
	// Fsync syncs files and directories before publishing (crash safety
	// against power loss, not only process crashes).
	Fsync bool
	// LockTimeout is how long a new writer waits for another one to finish
	// (0: fail at once with store.ErrLocked).
	LockTimeout time.Duration
	// CompactFiles: when a partition of a level has at least this many files
	// of fewer than CompactRows rows, a closing writer merges them.
	CompactFiles int
	CompactRows  int64
	// Plan tunes the choice of resolution of structured queries.
	Plan store.PlanConfig
	// MemoryLimit is DuckDB's memory_limit for queries ("" for DuckDB's default).
	MemoryLimit string
	// MaxSQLRows caps the rows returned by SQL (Result.Truncated is then set).
	MaxSQLRows int
}

// DefaultConfiguration returns the default configuration for dir.
func DefaultConfiguration() Configuration {
	return Configuration{
		Dir:          store.DefaultDir(),
		CommitRows:   500_000,
		PartRows:     500_000,
		RowGroupRows: 122_880,
		Compression:  "zstd",
		Threads:      runtime.NumCPU(),
		Fsync:        true,
		CompactFiles: 16,
		CompactRows:  100_000,
		Plan:         store.DefaultPlanConfig(),
		MaxSQLRows:   1_000_000,
	}
}

// Metrics counts what a Store did. Read it with Store.Metrics.
type Metrics struct {
	RecordsAppended   int64
	ObjectsCommitted  int64
	ObjectsSkipped    int64 // already in the ledger at Begin
	ObjectsDuplicate  int64 // same content as an ingested object
	ObjectsRolledBack int64
	Publications      int64
	FilesWritten      int64
	BytesWritten      int64
	Compactions       int64
	Queries           int64
	QueryErrors       int64
	QueryTime         time.Duration
}

type metrics struct {
	recordsAppended, objectsCommitted, objectsSkipped, objectsDuplicate, objectsRolledBack atomic.Int64
	publications, filesWritten, bytesWritten, compactions                                  atomic.Int64
	queries, queryErrors, queryNanos                                                       atomic.Int64
}

// Store is the embedded store. It implements store.Store.
type Store struct {
	cfg     Configuration
	dialect Dialect
	m       metrics

	mu      sync.Mutex // guards the fields below
	db      *sql.DB    // sandboxed, in-memory DuckDB holding the views
	duckTmp string
	cache   map[string]*commitRecord
	snap    *snapshot
	viewKey string
	closed  bool
}

var _ store.Store = (*Store)(nil)

// Open opens (creating it if needed) the store in cfg.Dir.
func Open(cfg Configuration) (*Store, error) {
	if cfg.Dir == "" {
		return nil, errors.New("embedded store: no data directory: set --data or FLOWLENS_DATA")
	}
	def := DefaultConfiguration()
	if cfg.CommitRows <= 0 {
		cfg.CommitRows = def.CommitRows
	}
	if cfg.PartRows <= 0 {
		cfg.PartRows = def.PartRows
	}
	if cfg.RowGroupRows <= 0 {
		cfg.RowGroupRows = def.RowGroupRows
	}
	if cfg.Threads <= 0 {
		cfg.Threads = def.Threads
	}
	if cfg.Compression == "" {
		cfg.Compression = def.Compression
	}
	if cfg.MaxSQLRows <= 0 {
		cfg.MaxSQLRows = def.MaxSQLRows
	}
	if cfg.Plan == (store.PlanConfig{}) {
		cfg.Plan = def.Plan
	}
	abs, err := filepath.Abs(cfg.Dir)
	if err != nil {
		return nil, err
	}
	cfg.Dir = abs
	for _, d := range []string{"", commitsDir, dataDir, tmpDir} {
		if err := os.MkdirAll(filepath.Join(cfg.Dir, d), 0o755); err != nil {
			return nil, fmt.Errorf("embedded store: cannot create the data directory: %w", err)
		}
	}
	s := &Store{cfg: cfg, cache: map[string]*commitRecord{}}
	if err := s.openEngine(); err != nil {
		return nil, err
	}
	return s, nil
}

// Dir returns the absolute data directory.
func (s *Store) Dir() string { return s.cfg.Dir }

// Dialect returns the DuckDB dialect.
func (s *Store) Dialect() store.Dialect { return s.dialect }

// Metrics returns a snapshot of the counters.
func (s *Store) Metrics() Metrics {
	return Metrics{
		RecordsAppended:   s.m.recordsAppended.Load(),
		ObjectsCommitted:  s.m.objectsCommitted.Load(),
		ObjectsSkipped:    s.m.objectsSkipped.Load(),
		ObjectsDuplicate:  s.m.objectsDuplicate.Load(),
		ObjectsRolledBack: s.m.objectsRolledBack.Load(),
		Publications:      s.m.publications.Load(),
		FilesWritten:      s.m.filesWritten.Load(),
		BytesWritten:      s.m.bytesWritten.Load(),
		Compactions:       s.m.compactions.Load(),
		Queries:           s.m.queries.Load(),
		QueryErrors:       s.m.queryErrors.Load(),
		QueryTime:         time.Duration(s.m.queryNanos.Load()),
	}
}

// Close closes the query engine. Writers must be closed first.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	err := s.db.Close()
	if s.duckTmp != "" {
		os.RemoveAll(s.duckTmp)
	}
	return err
}
