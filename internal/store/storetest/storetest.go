// Package storetest is the conformance suite every store backend passes:
// write-side semantics (commit, rollback, idempotency, ledger, pruning),
// query correctness against a straightforward Go oracle at every resolution,
// the SQL sandbox, and data-driven query tests (testdata/*.test).
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// Opener returns a new, empty store; the suite closes it. Backends should
// configure ResolutionAuto to use rollups for ranges longer than a few hours
// even with little data, so that routing is exercised.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite (see RunWith for backends that implement only
// part of the contract).
func Run(t *testing.T, open Opener) { RunWith(t, open, Capabilities{}) }

var day0 = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

func openStore(t *testing.T, open Opener) store.Store {
	t.Helper()
	s := open(t)
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("close store: %v", err)
		}
	})
	return s
}

func openWriter(t *testing.T, s store.Store) store.Writer {
	t.Helper()
	w, err := s.Writer(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// ingest appends recs as object name (in batches of 1000) and commits.
func ingest(t *testing.T, w store.Writer, obj store.SourceID, recs []flowlog.Record, meta store.ObjectMeta) bool {
	t.Helper()
	a, skipped, err := w.Begin(context.Background(), obj)
	if err != nil {
		t.Fatalf("begin %s: %v", obj.Name, err)
	}
	if skipped {
		return false
	}
	for lo := 0; lo < len(recs); lo += 1000 {
		if err := a.Append(recs[lo:min(lo+1000, len(recs))]); err != nil {
			t.Fatalf("append %s: %v", obj.Name, err)
		}
	}
	a.SetMeta(meta)
	if err := a.Commit(); err != nil {
		t.Fatalf("commit %s: %v", obj.Name, err)
	}
	return true
}

func obj(name string) store.SourceID {
	return store.SourceID{Name: name, Size: int64(len(name)), ModTime: day0}
}

// total returns the number of stored records (from raw records).
func total(t *testing.T, s store.Reader) uint64 {
	t.Helper()
	res, err := s.Query(context.Background(), store.Query{Measures: []store.Measure{store.Flows}, Resolution: store.ResolutionRaw})
	if err != nil {
		t.Fatal(err)
	}
	return res.Rows[0][0].(uint64)
}

func testVisibility(t *testing.T, open Opener) {
	s := openStore(t, open)
	w := openWriter(t, s)
	recs := Generate(GenConfig{Seed: 1, N: 3000, Start: day0, Span: 3 * time.Hour})
	a, _, err := w.Begin(context.Background(), obj("a"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Append(recs); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s); n != 0 {
		t.Fatalf("%d records visible before commit", n)
	}
	// The batch is copied: clobbering it must not change what is stored.
	for i := range recs {
		recs[i].Bytes = 0
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := a.Rollback(); err != nil {
		t.Fatalf("rollback after commit: %v", err)
	}
	if err := a.Append(recs); err == nil {
		t.Fatal("append after commit succeeded")
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s); n != 3000 {
		t.Fatalf("%d records after flush, want 3000", n)
	}
	res, err := s.Query(context.Background(), store.Query{Measures: []store.Measure{store.Bytes}, Resolution: store.ResolutionRaw})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows[0][0].(uint64) == 0 {
		t.Fatal("stored bytes are zero: the appender kept a reference to the caller's batch")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s); n != 3000 {
		t.Fatalf("%d records after close, want 3000", n)
	}
}

func testRollback(t *testing.T, open Opener) {
	s := openStore(t, open)
	w := openWriter(t, s)
	recs := Generate(GenConfig{Seed: 2, N: 500, Start: day0, Span: time.Hour})
	ctx := context.Background()
	a, _, err := w.Begin(ctx, obj("rolled-back"))
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Append(recs); err != nil {
		t.Fatal(err)
	}
	if err := a.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(); err == nil {
		t.Fatal("commit after rollback succeeded")
	}
	// An object left open when the writer closes is rolled back too.
	b, _, err := w.Begin(ctx, obj("left-open"))
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Append(recs); err != nil {
		t.Fatal(err)
	}
	ingest(t, w, obj("kept"), recs[:100], store.ObjectMeta{})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s); n != 100 {
		t.Fatalf("%d records, want 100 (only the committed object)", n)
	}
	// Rolled-back objects are not in the ledger: they can be ingested again.
	w = openWriter(t, s)
	defer w.Close()
	if !ingest(t, w, obj("rolled-back"), recs, store.ObjectMeta{}) {
		t.Fatal("rolled-back object was skipped")
	}
	if !ingest(t, w, obj("left-open"), recs, store.ObjectMeta{}) {
		t.Fatal("object left open was skipped")
	}
}

func testIdempotent(t *testing.T, open Opener) {
	s := openStore(t, open)
	recs := Generate(GenConfig{Seed: 3, N: 2000, Start: day0, Span: 2 * time.Hour})
	for round := 0; round < 3; round++ {
		w := openWriter(t, s)
		for i := 0; i < 4; i++ {
			added := ingest(t, w, obj(fmt.Sprintf("o%d", i)), recs[i*500:(i+1)*500], store.ObjectMeta{})
			if added != (round == 0) {
				t.Fatalf("round %d object %d: added=%v", round, i, added)
			}
		}
		// Skipped in the same writer too.
		if ingest(t, w, obj("o0"), recs, store.ObjectMeta{}) {
			t.Fatal("object ingested twice by one writer")
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		if n := total(t, s); n != 2000 {
			t.Fatalf("round %d: %d records, want 2000", round, n)
		}
	}
	// Same name, new modification time: a new version of the object.
	w := openWriter(t, s)
	defer w.Close()
	o := obj("o0")
	o.ModTime = o.ModTime.Add(time.Hour)
	if !ingest(t, w, o, recs[:10], store.ObjectMeta{}) {
		t.Fatal("modified object skipped")
	}
	// Identical records in different objects are all kept.
	if !ingest(t, w, obj("copy-of-lines"), recs[:10], store.ObjectMeta{}) {
		t.Fatal("object with the same lines skipped")
	}
	if err := w.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s); n != 2020 {
		t.Fatalf("%d records, want 2020", n)
	}
	// A second Begin of an object open in the same writer is refused.
	a, _, err := w.Begin(context.Background(), obj("open-twice"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Rollback()
	if _, _, err := w.Begin(context.Background(), obj("open-twice")); !errors.Is(err, store.ErrInProgress) {
		t.Fatalf("second Begin: %v, want ErrInProgress", err)
	}
}

func testDuplicates(t *testing.T, open Opener) {
	s := openStore(t, open)
	w := openWriter(t, s)
	recs := Generate(GenConfig{Seed: 4, N: 300, Start: day0, Span: time.Hour})
	meta := store.ObjectMeta{Hash: "xxh3:00112233", Malformed: 2}
	ingest(t, w, store.SourceID{Name: "a/log.gz", Size: 99, ModTime: day0}, recs, meta)
	// The same bytes under another name (a copy) add nothing.
	ingest(t, w, store.SourceID{Name: "b/log.gz", Size: 99, ModTime: day0.Add(time.Minute)}, recs, meta)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if n := total(t, s); n != 300 {
		t.Fatalf("%d records, want 300", n)
	}
	src, err := s.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(src) != 2 {
		t.Fatalf("%d ledger entries, want 2", len(src))
	}
	var dup *store.SourceInfo
	for i := range src {
		if src[i].Source.Name == "b/log.gz" {
			dup = &src[i]
		}
	}
	if dup == nil || dup.DuplicateOf != "a/log.gz" || dup.Records != 0 {
		t.Fatalf("duplicate entry: %+v", dup)
	}
	// The copy is skipped next time without reading it.
	w = openWriter(t, s)
	defer w.Close()
	if ingest(t, w, store.SourceID{Name: "b/log.gz", Size: 99, ModTime: day0.Add(time.Minute)}, recs, meta) {
		t.Fatal("duplicate ingested again")
	}
}

func testLedger(t *testing.T, open Opener, caps Capabilities) {
	s := openStore(t, open)
	w := openWriter(t, s)
	recs := Generate(GenConfig{Seed: 5, N: 1000, Start: day0.Add(22 * time.Hour), Span: 4 * time.Hour, NoStart: true})
	before := time.Now().Add(-time.Second)
	ingest(t, w, store.SourceID{Name: "s3://bucket/key1", Size: 10, ETag: "abc"}, recs, store.ObjectMeta{Hash: "xxh3:1", Malformed: 7})
	ingest(t, w, obj("empty"), nil, store.ObjectMeta{Malformed: 3})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := s.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(src) != 2 {
		t.Fatalf("%d entries, want 2: %+v", len(src), src)
	}
	byName := map[string]store.SourceInfo{}
	for _, e := range src {
		byName[e.Source.Name] = e
		if e.IngestedAt.Before(before) || e.IngestedAt.After(time.Now()) {
			t.Errorf("%s: ingested at %v", e.Source.Name, e.IngestedAt)
		}
	}
	e := byName["s3://bucket/key1"]
	if e.Records != 1000 || e.Malformed != 7 || e.Hash != "xxh3:1" || e.Source.ETag != "abc" {
		t.Fatalf("entry: %+v", e)
	}
	if len(e.Partitions) < 2 || (len(e.Files) == 0 && !caps.NoFiles) {
		t.Fatalf("entry spans two days but lists partitions %v, files %v", e.Partitions, e.Files)
	}
	if em := byName["empty"]; em.Records != 0 || em.Malformed != 3 {
		t.Fatalf("empty object entry: %+v", em)
	}
}

func testPrune(t *testing.T, open Opener) {
	s := openStore(t, open)
	w := openWriter(t, s)
	old := Generate(GenConfig{Seed: 6, N: 800, Start: day0, Span: 20 * time.Hour})
	recent := Generate(GenConfig{Seed: 7, N: 600, Start: day0.Add(48 * time.Hour), Span: 10 * time.Hour})
	ingest(t, w, obj("old"), old, store.ObjectMeta{})
	ingest(t, w, obj("recent"), recent, store.ObjectMeta{})
	res, err := w.Prune(context.Background(), day0.Add(36*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if res.Records != 800 || len(res.Partitions) != 1 || res.Partitions[0] != "2024-05-01" {
		t.Fatalf("prune result %+v, want the 800 records of 2024-05-01", res)
	}
	if n := total(t, s); n != 600 {
		t.Fatalf("%d records after prune, want 600", n)
	}
	for _, r := range []store.Resolution{store.ResolutionMinute, store.ResolutionHour} {
		q := store.Query{Measures: []store.Measure{store.Flows}, Resolution: r}
		got, err := s.Query(context.Background(), q)
		if err != nil {
			t.Fatal(err)
		}
		if got.Rows[0][0].(uint64) != 600 {
			t.Fatalf("%s rollup holds %v flows after prune, want 600", r, got.Rows[0][0])
		}
	}
	min, _, err := s.TimeRange(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if min.Before(day0.Add(48 * time.Hour)) {
		t.Fatalf("time range starts at %v after prune", min)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := s.Sources(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range src {
		if pruned := !e.PrunedAt.IsZero(); pruned != (e.Source.Name == "old") {
			t.Fatalf("%s: PrunedAt %v", e.Source.Name, e.PrunedAt)
		}
	}
	w = openWriter(t, s)
	defer w.Close()
	if ingest(t, w, obj("old"), old, store.ObjectMeta{}) {
		t.Fatal("pruned object ingested again")
	}
}

func testSchema(t *testing.T, open Opener) {
	s := openStore(t, open)
	res, err := s.SQL(context.Background(), "SELECT * FROM flows LIMIT 0")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range flowlog.Fields() {
		if res.Col(f.Column) < 0 {
			t.Errorf("flows has no column %s", f.Column)
		}
	}
	d := s.Dialect()
	for _, c := range store.Cubes() {
		for _, r := range c.Resolutions() {
			tbl := d.Table(r, c.Name)
			res, err := s.SQL(context.Background(), "SELECT * FROM "+tbl+" LIMIT 0")
			if err != nil {
				t.Fatal(err)
			}
			cols := []string{"start", store.ColFlows, store.ColPackets, store.ColBytes}
			for _, f := range c.Dims {
				cols = append(cols, f.Column())
			}
			for _, col := range cols {
				if res.Col(col) < 0 {
					t.Errorf("%s has no column %s", tbl, col)
				}
			}
		}
	}
}
