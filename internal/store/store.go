// Package store defines the storage layer of flowlens: a write side that
// appends flow records one source object at a time and commits them together
// with a ledger entry (so an object is either fully ingested or not at all),
// and a read side that answers structured analysis queries and sandboxed user
// SQL over a time range.
//
// Backends live in subpackages (embedded is DuckDB over Parquet files); every
// backend passes the storetest conformance suite. SQL is generated in one
// place per backend through a Dialect.
package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// SourceID identifies one source object: a local file or an S3 object.
//
// Two objects are the same object when their Keys are equal (name, size and
// modification time for local files; name and ETag for S3 objects). When the
// content hash is known at commit time, an object whose size and hash equal
// those of an object already ingested under another key (a copied, renamed or
// re-downloaded file) is recorded as a duplicate and adds no records.
type SourceID struct {
	// Name is the path, "s3://bucket/key" or another stable name.
	Name string `json:"name"`
	// Size is the size in bytes of the object as stored (compressed).
	Size int64 `json:"size"`
	// ModTime is the modification time (local files).
	ModTime time.Time `json:"mtime,omitzero"`
	// ETag is the S3 entity tag; when set it replaces ModTime in the key.
	ETag string `json:"etag,omitempty"`
	// ExtraNames names the unknown fields of the object's format, in the
	// order of Record.Extra. Unnamed values are stored as "extra1", ...
	ExtraNames []string `json:"extra_names,omitempty"`
}

// Key returns the identity used for the idempotency check at Begin.
func (s SourceID) Key() string {
	if s.ETag != "" {
		return s.Name + "\x00etag:" + s.ETag
	}
	return s.Name + "\x00" + strconv.FormatInt(s.Size, 10) + "\x00" + strconv.FormatInt(s.ModTime.UnixNano(), 10)
}

// ObjectMeta is what the reader of an object learns while reading it.
type ObjectMeta struct {
	// Hash is the content hash of the object's stored bytes, prefixed by the
	// algorithm ("xxh3:0123abcd...", "sha256:..."); empty when unknown.
	Hash string
	// Malformed is the number of malformed lines (not stored as records).
	Malformed int64
	// Lines is the number of lines read (informational).
	Lines int64
}

// Appender receives the records of one source object.
//
// Append may be called any number of times, also concurrently (for example
// from the workers of parse.ParseStream); the batch is copied, so the caller
// may reuse it after Append returns. Nothing appended is visible to readers
// before Commit. SetMeta, Commit and Rollback must not run concurrently
// with Append.
//
// Commit makes the object's records and its ledger entry durable and visible
// atomically: a reader sees all of the object's records together with its
// ledger entry, or neither, whatever happens to the process (including
// SIGKILL) at any point. A backend may group several committed objects into
// one publication: a committed object is visible at the latest when Flush or
// Close returns without error, and an error of a publication is returned by
// a later Commit, Flush or Close. A crash before the publication loses the
// whole object and its ledger entry, so re-running the ingest adds it
// exactly once.
//
// Rollback discards everything appended. After Commit or Rollback the
// Appender must not be used again, except that Rollback after Commit is a
// no-op (so `defer app.Rollback()` is safe). An error from Append leaves the
// appender usable only for Rollback.
type Appender interface {
	Append(batch []flowlog.Record) error
	// SetMeta records what was learned while reading the object; call it
	// before Commit. Optional.
	SetMeta(m ObjectMeta)
	Commit() error
	Rollback() error
}

// Writer is the write side of a store. A Writer holds the store's write lock
// from creation to Close: concurrent writers (two ingests on the same data)
// are serialized or refused by the backend, never interleaved. Readers are
// never blocked by a Writer.
type Writer interface {
	// Begin starts the ingestion of obj. When obj was already ingested (its
	// Key is in the ledger) it returns (nil, true, nil): the caller skips
	// the object. Several appenders may be open at once (one per object).
	Begin(ctx context.Context, obj SourceID) (Appender, bool, error)
	// Flush publishes every committed object not yet visible.
	Flush(ctx context.Context) error
	// Prune removes the stored records (raw and rollups) of whole time
	// partitions that end at or before before. Ledger entries are kept
	// (marked pruned) so that pruned objects are not ingested again.
	Prune(ctx context.Context, before time.Time) (PruneResult, error)
	// Close flushes, rolls back appenders that were neither committed nor
	// rolled back, and releases the write lock.
	Close() error
}

// PruneResult says what Prune removed.
type PruneResult struct {
	Partitions []string // removed partitions (e.g. "2024-05-01")
	Files      int      // removed files (raw and rollups)
	Records    int64    // removed raw records
	Bytes      int64    // removed bytes on disk
}

// SourceInfo is one ledger entry.
type SourceInfo struct {
	Source     SourceID  `json:"source"`
	Hash       string    `json:"hash,omitempty"`
	Records    int64     `json:"records"`
	Malformed  int64     `json:"malformed"`
	IngestedAt time.Time `json:"ingested_at"`
	// Partitions lists the time partitions holding the object's records.
	Partitions []string `json:"partitions,omitempty"`
	// Files lists the stored files (relative to the data directory) holding
	// the object's records; they may also hold other objects' records.
	Files []string `json:"files,omitempty"`
	// DuplicateOf names the object with the same content that was ingested
	// first; a duplicate adds no records.
	DuplicateOf string `json:"duplicate_of,omitempty"`
	// PrunedAt is set once retention removed (some of) the object's records.
	PrunedAt time.Time `json:"pruned_at,omitzero"`
}

// Reader is the read side of a store. It is safe for concurrent use.
type Reader interface {
	// Query runs a structured analysis query.
	Query(ctx context.Context, q Query) (*Result, error)
	// Scan runs q as Query does, but hands the rows to fn one at a time
	// instead of keeping them: for callers that aggregate a large result
	// further (the conversation graph reads hundreds of thousands of
	// rows). row holds one value per column, typed as in Result; it is
	// reused, so it is only valid during the call. An error from fn stops
	// the scan and is returned. The Result has Columns, Plan and Elapsed,
	// and no Rows.
	Scan(ctx context.Context, q Query, fn func(row []any) error) (*Result, error)
	// SQL runs one read-only SQL statement (SELECT, WITH, FROM, EXPLAIN,
	// DESCRIBE, SUMMARIZE) over the flows view and the rollup views. The
	// statement cannot read or write files, reach the network, change
	// settings or modify the catalog: such statements fail with an error
	// wrapping ErrForbidden.
	SQL(ctx context.Context, sql string, args ...any) (*Result, error)
	// Sources lists the ledger, oldest first.
	Sources(ctx context.Context) ([]SourceInfo, error)
	// TimeRange returns the smallest start and the largest end of the stored
	// records (zero times when the store is empty).
	TimeRange(ctx context.Context) (min, max time.Time, err error)
	Close() error
}

// Store is a backend: a Reader that can also create Writers.
type Store interface {
	Reader
	// Writer acquires the store's write lock (see Writer).
	Writer(ctx context.Context) (Writer, error)
	// Dialect returns the SQL dialect of the backend.
	Dialect() Dialect
}

var (
	// ErrForbidden is wrapped by errors for SQL the sandbox refuses.
	ErrForbidden = errors.New("statement not allowed")
	// ErrLocked is wrapped by the error returned when another process holds
	// the write lock.
	ErrLocked = errors.New("data directory is locked by another writer")
	// ErrClosed is returned by operations on a closed store, writer or appender.
	ErrClosed = errors.New("closed")
	// ErrInProgress is returned by Begin for an object that has an open
	// appender in this writer.
	ErrInProgress = errors.New("object is already being ingested")
)
