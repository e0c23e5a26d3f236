package memory_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/memory"
	"github.com/flowlens/flowlens/internal/store/storetest"
)

func flows(t *testing.T, s store.Reader) uint64 {
	t.Helper()
	res, err := s.Query(context.Background(), store.Query{Measures: []store.Measure{store.Flows}})
	if err != nil {
		t.Error(err)
		return 0
	}
	return res.Rows[0][0].(uint64)
}

// TestConcurrent appends objects from several goroutines each while a
// reader queries: every answer counts whole objects (commits are atomic)
// and never decreases.
func TestConcurrent(t *testing.T) {
	const objects, perObject, workers = 8, 3000, 3
	cfg := memory.DefaultConfiguration()
	cfg.ChunkRows, cfg.CommitRows = 256, 1000
	s := memory.New(cfg)
	defer s.Close()
	recs := storetest.Generate(storetest.GenConfig{Seed: 9, N: perObject, Start: day0, Span: 5 * time.Hour, V3: true, NoStart: true})
	ctx := context.Background()
	done := make(chan struct{})
	var readers sync.WaitGroup
	readers.Add(1)
	go func() {
		defer readers.Done()
		last := uint64(0)
		for {
			n := flows(t, s)
			if n%perObject != 0 || n < last {
				t.Errorf("a reader saw %d records after %d: not whole objects", n, last)
				return
			}
			last = n
			select {
			case <-done:
				return
			default:
			}
		}
	}()
	w, err := s.Writer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for o := 0; o < objects; o++ {
		a, _, err := w.Begin(ctx, store.SourceID{Name: fmt.Sprint("obj", o), Size: 1})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		for k := 0; k < workers; k++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for lo := k * 100; lo < perObject; lo += workers * 100 {
					if err := a.Append(recs[lo : lo+100]); err != nil {
						t.Error(err)
					}
				}
			}()
		}
		wg.Wait()
		if err := a.Commit(); err != nil {
			t.Fatal(err)
		}
		if o%3 == 0 {
			if err := w.Flush(ctx); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	close(done)
	readers.Wait()
	if n := flows(t, s); n != objects*perObject {
		t.Fatalf("%d records, want %d", n, objects*perObject)
	}
	// The same totals as one object appended by one goroutine.
	one := memory.New(memory.DefaultConfiguration())
	fill(t, one, [][]flowlog.Record{recs})
	q := store.Query{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcAddr)}, Measures: []store.Measure{store.Flows, store.Bytes}}
	a, _ := s.Query(ctx, q)
	b, _ := one.Query(ctx, q)
	for i := range b.Rows {
		b.Rows[i][1], b.Rows[i][2] = b.Rows[i][1].(uint64)*objects, b.Rows[i][2].(uint64)*objects
	}
	if fmt.Sprint(a.Rows) != fmt.Sprint(b.Rows) {
		t.Fatalf("concurrent appends give\n%v\nwant\n%v", head(a.Rows), head(b.Rows))
	}
	m := s.Metrics()
	if m.RecordsAppended != objects*perObject || m.ObjectsCommitted != objects || m.Rows != objects*perObject || m.Queries == 0 {
		t.Fatalf("metrics %+v", m)
	}
}

func TestWriterLock(t *testing.T) {
	ctx := context.Background()
	s := memory.New(memory.DefaultConfiguration())
	w, err := s.Writer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Writer(ctx); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second writer: %v, want ErrLocked", err)
	}
	cfg := memory.DefaultConfiguration()
	cfg.LockTimeout = time.Minute
	s2 := memory.New(cfg)
	w2, err := s2.Writer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		time.Sleep(20 * time.Millisecond)
		w2.Close()
	}()
	w3, err := s2.Writer(ctx)
	if err != nil {
		t.Fatalf("writer waiting for the first to close: %v", err)
	}
	w3.Close()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, _, err := w.Begin(ctx, store.SourceID{Name: "x"}); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("begin on a closed writer: %v", err)
	}
	w, err = s.Writer(ctx)
	if err != nil {
		t.Fatalf("writer after close: %v", err)
	}
	w.Close()
	s.Close()
	if _, err := s.Writer(ctx); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("writer of a closed store: %v", err)
	}
	if _, err := s.Query(ctx, store.Query{}); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("query of a closed store: %v", err)
	}
}

func TestErrors(t *testing.T) {
	ctx := context.Background()
	s := memory.New(memory.DefaultConfiguration())
	defer s.Close()
	if _, err := s.SQL(ctx, "SELECT 1"); !errors.Is(err, memory.ErrSQL) {
		t.Errorf("SQL: %v, want ErrSQL", err)
	}
	_, err := s.Query(ctx, store.Query{Filter: store.Filter{SQL: `"dstport" = ?`, Args: []any{22}}})
	if !errors.Is(err, memory.ErrSQL) {
		t.Errorf("SQL filter: %v, want ErrSQL", err)
	}
	if _, err := s.Query(ctx, store.Query{Filter: store.Filter{SQL: "  "}}); err != nil {
		t.Errorf("blank SQL filter: %v", err)
	}
	if _, err := s.Query(ctx, store.Query{Measures: []store.Measure{{Kind: store.MeasureMax}}}); err == nil {
		t.Error("measure without a field succeeded")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	fill(t, s, [][]flowlog.Record{storetest.Generate(storetest.GenConfig{Seed: 1, N: 10, Start: day0})})
	if _, err := s.Query(cctx, store.Query{}); !errors.Is(err, context.Canceled) {
		t.Errorf("query with a canceled context: %v", err)
	}
	if d := s.Dialect(); d.Name() != "memory" {
		t.Errorf("dialect %q", d.Name())
	}
}

// TestFootprint checks the memory held per record of the default format.
func TestFootprint(t *testing.T) {
	cfg := generate.DefaultConfiguration()
	cfg.Records = 200_000
	g, err := generate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]flowlog.Record, cfg.Records)
	for i := range recs {
		g.Next(&recs[i])
	}
	s := memory.New(memory.DefaultConfiguration())
	fill(t, s, [][]flowlog.Record{recs[:70_000], recs[70_000:]})
	m := s.Metrics()
	perRow := float64(m.ColumnBytes+m.DictBytes) / float64(m.Rows)
	t.Logf("%d rows, %d chunks: %.1f bytes/row (%.1f in columns)", m.Rows, m.Chunks, perRow, float64(m.ColumnBytes)/float64(m.Rows))
	if m.Rows != cfg.Records || perRow > 64 {
		t.Fatalf("%d rows, %.1f bytes/row, want %d rows in at most 64 bytes each", m.Rows, perRow, cfg.Records)
	}
}

// TestRetention prunes, when the writer closes, the days older than the
// retention, inside chunks that also hold kept records.
func TestRetention(t *testing.T) {
	ctx := context.Background()
	cfg := memory.DefaultConfiguration()
	cfg.Retention = 48 * time.Hour
	s := memory.New(cfg)
	defer s.Close()
	now := time.Now().UTC()
	old := storetest.Generate(storetest.GenConfig{Seed: 3, N: 500, Start: now.Add(-10 * 24 * time.Hour), Span: time.Hour})
	recent := storetest.Generate(storetest.GenConfig{Seed: 4, N: 300, Start: now.Add(-time.Hour), Span: time.Hour, NoStart: true})
	fill(t, s, [][]flowlog.Record{append(old, recent...)})
	if n := flows(t, s); n != 300 {
		t.Fatalf("%d records after retention, want the 300 recent ones", n)
	}
	src, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(src) != 1 || src[0].PrunedAt.IsZero() || src[0].Records != 800 {
		t.Fatalf("ledger after retention: %+v", src)
	}
	lo, _, err := s.TimeRange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if lo.Before(now.Add(-2 * time.Hour)) {
		t.Fatalf("time range starts at %v after retention", lo)
	}
}
