package embedded

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/storetest"
)

func ingestOne(t *testing.T, w *Writer, name string, recs []flowlog.Record) {
	t.Helper()
	a, skip, err := w.Begin(context.Background(), store.SourceID{Name: name, Size: 1, ModTime: day0Test})
	if err != nil || skip {
		t.Fatalf("begin %s: %v %v", name, err, skip)
	}
	if err := a.Append(recs); err != nil {
		t.Fatal(err)
	}
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
}

func TestWriterLock(t *testing.T) {
	cfg := testConfig(t.TempDir())
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	w1, err := s.OpenWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// A second writer (another ingest process opens its own Store) fails at
	// once with a clear message.
	s2, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	_, err = s2.OpenWriter(ctx)
	if !errors.Is(err, store.ErrLocked) || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("second writer: %v, want ErrLocked naming the holder", err)
	}
	// Readers are not blocked by the writer.
	if _, err := s2.SQL(ctx, "SELECT count(*) FROM flows"); err != nil {
		t.Fatal(err)
	}
	// With a timeout, the second writer waits for the first.
	cfg.LockTimeout = 10 * time.Second
	s3, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s3.Close()
	go func() {
		time.Sleep(200 * time.Millisecond)
		w1.Close()
	}()
	began := time.Now()
	w3, err := s3.OpenWriter(ctx)
	if err != nil {
		t.Fatalf("waiting writer: %v", err)
	}
	if time.Since(began) < 150*time.Millisecond {
		t.Fatal("the waiting writer did not wait")
	}
	if err := w3.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestConcurrentReaders checks that readers in other stores (as in other
// processes) see whole objects only while a writer publishes, compacts and
// prunes.
func TestConcurrentReaders(t *testing.T) {
	const objects, per = 24, 700
	cfg := testConfig(t.TempDir())
	cfg.CommitRows = 1 // publish every object
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	reader, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	ctx := context.Background()
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for r := 0; r < 2; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-done:
					return
				default:
				}
				res, err := reader.Query(ctx, store.Query{Measures: []store.Measure{store.Flows}, Resolution: store.ResolutionRaw})
				if err != nil {
					errs <- err
					return
				}
				// Whole objects only, never twice (compaction swaps files).
				if n := res.Rows[0][0].(uint64); n%per != 0 || n > objects*per {
					errs <- fmt.Errorf("reader saw %d records: not whole objects", n)
					return
				}
			}
		}()
	}
	w, err := s.OpenWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < objects; i++ {
		recs := storetest.Generate(storetest.GenConfig{Seed: uint64(i), N: per, Start: day0Test.Add(time.Duration(i) * 2 * time.Hour), Span: time.Hour})
		ingestOne(t, w, fmt.Sprintf("o%d", i), recs)
		if i == objects/2 {
			// Compaction and pruning replace files under the readers.
			if err := w.compactNow(); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := w.Prune(ctx, day0Test.Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	close(done)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	got, err := reader.Query(ctx, store.Query{Measures: []store.Measure{store.Flows}, Resolution: store.ResolutionRaw})
	if err != nil {
		t.Fatal(err)
	}
	// The first 12 objects (2 hours apart) start on 2024-05-01 and were pruned.
	if n := got.Rows[0][0].(uint64); n != (objects-12)*per {
		t.Fatalf("%d records at the end, want %d", n, (objects-12)*per)
	}
}

// compactNow compacts the published files (tests).
func (w *Writer) compactNow() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.drain(); err != nil {
		return err
	}
	return w.compactLocked()
}

func TestCompaction(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.CommitRows = 1
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	w, err := s.OpenWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var all []flowlog.Record
	for i := 0; i < 5; i++ {
		recs := storetest.Generate(storetest.GenConfig{Seed: uint64(i), N: 400, Start: day0Test, Span: 30 * time.Hour, NoStart: true})
		all = append(all, recs...)
		ingestOne(t, w, fmt.Sprintf("o%d", i), recs)
	}
	if err := w.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	before, _ := loadSnapshot(cfg.Dir, nil)
	if len(before.live) != 5 {
		t.Fatalf("%d commits before compaction, want 5", len(before.live))
	}
	q := store.Query{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcAddr)}, Resolution: store.ResolutionHour,
		Range: store.TimeRange{Start: day0Test.Add(90 * time.Minute), End: day0Test.Add(29 * time.Hour)}}
	want, err := storetest.Oracle(all, q)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil { // compacts
		t.Fatal(err)
	}
	after, _ := loadSnapshot(cfg.Dir, nil)
	if len(after.live) != 1 || len(after.dead) != 0 {
		t.Fatalf("%d live and %d dead commits after compaction, want 1 and 0", len(after.live), len(after.dead))
	}
	perGroup := map[string]int{}
	for _, f := range after.live[0].Files {
		perGroup[f.Level+"/"+f.Day]++
	}
	for g, n := range perGroup {
		if n != 1 {
			t.Errorf("%s has %d files after compaction", g, n)
		}
	}
	if s.Metrics().Compactions != 1 {
		t.Errorf("metrics: %+v", s.Metrics())
	}
	got, err := s.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Rows) != len(want.Rows) || fmt.Sprint(got.Rows) != fmt.Sprint(want.Rows) {
		t.Fatalf("after compaction:\ngot  %v\nwant %v", got.Rows, want.Rows)
	}
	src, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(src) != 5 || len(src[0].Files) == 0 {
		t.Fatalf("sources after compaction: %+v", src)
	}
	if n := unreferenced(t, cfg.Dir); n != 0 {
		t.Fatalf("%d unreferenced files after compaction", n)
	}
}

func TestRetention(t *testing.T) {
	cfg := testConfig(t.TempDir())
	cfg.Retention = 48 * time.Hour
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w, err := s.OpenWriter(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	ingestOne(t, w, "old", storetest.Generate(storetest.GenConfig{Seed: 1, N: 100, Start: now.Add(-10 * 24 * time.Hour), Span: time.Hour}))
	ingestOne(t, w, "new", storetest.Generate(storetest.GenConfig{Seed: 2, N: 50, Start: now.Add(-time.Hour), Span: 30 * time.Minute}))
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	res, err := s.Query(context.Background(), store.Query{Measures: []store.Measure{store.Flows}})
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Rows[0][0].(uint64); n != 50 {
		t.Fatalf("%d records after retention, want 50", n)
	}
}

// TestMissingCube checks that a cube some data lacks (data stored by a
// version of flowlens that did not have it) is not used.
func TestMissingCube(t *testing.T) {
	cfg := testConfig(t.TempDir())
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	w, err := s.OpenWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	recs := storetest.Generate(storetest.GenConfig{Seed: 3, N: 3000, Start: day0Test, Span: 10 * time.Hour})
	ingestOne(t, w, "a", recs)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	q := store.Query{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcAddr)}, Resolution: store.ResolutionHour,
		Range: store.TimeRange{Start: day0Test.Add(time.Hour), End: day0Test.Add(9 * time.Hour)}}
	got, err := s.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(got.Plan, "/src") {
		t.Fatalf("plan %s does not use the source cube", got.Plan)
	}
	// Rewrite the commit record as an older version without the cube.
	snap, _ := loadSnapshot(cfg.Dir, nil)
	rec := snap.live[0]
	rec.Levels = slices.DeleteFunc(rec.Levels, func(l string) bool { return strings.HasSuffix(l, "-src") })
	var kept []fileInfo
	for _, f := range rec.Files {
		if !strings.HasSuffix(f.Level, "-src") {
			kept = append(kept, f)
		}
	}
	rec.Files = kept
	b, _ := json.Marshal(rec)
	if err := os.WriteFile(filepath.Join(cfg.Dir, commitsDir, commitName(rec.ID)), b, 0o644); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err = s2.Query(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := storetest.Oracle(recs, q)
	if strings.Contains(got.Plan, "/src") || fmt.Sprint(got.Rows) != fmt.Sprint(want.Rows) {
		t.Fatalf("without the source cube: plan %s, rows equal to the oracle's: %v", got.Plan, fmt.Sprint(got.Rows) == fmt.Sprint(want.Rows))
	}
}
