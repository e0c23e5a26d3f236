package embedded

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/store"
)

// TestBigQueries times the dashboard queries over a large store. It runs
// only when FLOWLENS_BIG names a directory: the first run fills it with
// FLOWLENS_BIG_RECORDS (default 100,000,000) generated records over a week
// (this takes a while), later runs reuse it.
func TestBigQueries(t *testing.T) {
	dir := os.Getenv("FLOWLENS_BIG")
	if dir == "" {
		t.Skip("set FLOWLENS_BIG to a directory to run")
	}
	n := int64(100_000_000)
	if v, err := strconv.ParseInt(os.Getenv("FLOWLENS_BIG_RECORDS"), 10, 64); err == nil {
		n = v
	}
	cfg := DefaultConfiguration()
	cfg.Dir = dir
	s, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	gcfg := generate.DefaultConfiguration()
	gcfg.Records = n
	gcfg.Duration = 7 * 24 * time.Hour
	if src, err := s.Sources(ctx); err != nil {
		t.Fatal(err)
	} else if len(src) == 0 {
		began, cpu := time.Now(), cpuTime()
		fillBig(t, s, gcfg)
		t.Logf("ingested %d records in %s (%s CPU, generation included), metrics %+v", n, time.Since(began), cpuTime()-cpu, s.Metrics())
	}
	t.Logf("data: %d bytes on disk", dirSize(t, dir))
	end := gcfg.Start.Add(gcfg.Duration)
	last := func(d time.Duration) store.TimeRange {
		return store.TimeRange{Start: end.Add(-d).Add(-17 * time.Minute), End: end.Add(-17 * time.Minute)}
	}
	src := store.FieldDim(flowlog.FieldSrcAddr)
	top := func(tr store.TimeRange, by ...store.Dim) store.Query {
		return store.Query{Range: tr, GroupBy: by, OrderBy: []store.Order{{Column: "bytes", Desc: true}}, Limit: 10}
	}
	queries := []struct {
		name string
		q    store.Query
	}{
		{"summary, all time", store.Query{Measures: []store.Measure{store.Flows, store.Packets, store.Bytes}}},
		{"summary, last 24h", store.Query{Range: last(24 * time.Hour), Measures: []store.Measure{store.Flows, store.Bytes, store.Distinct(flowlog.FieldSrcAddr)}}},
		{"top sources, all time", top(store.TimeRange{}, src)},
		{"top sources, last 24h", top(last(24*time.Hour), src)},
		{"top sources, last 1h", top(last(time.Hour), src)},
		{"top destinations, last 7d", top(last(7*24*time.Hour), store.FieldDim(flowlog.FieldDstAddr))},
		{"top ports, last 24h", top(last(24*time.Hour), store.FieldDim(flowlog.FieldDstPort), store.FieldDim(flowlog.FieldProtocol))},
		{"top interfaces, all time", top(store.TimeRange{}, store.FieldDim(flowlog.FieldInterfaceID))},
		{"accept/reject, all time", store.Query{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldAction)}}},
		{"time series 1h, all time", store.Query{Bucket: time.Hour, Measures: []store.Measure{store.Flows, store.Bytes}}},
		{"time series 5m, last 24h", store.Query{Range: last(24 * time.Hour), Bucket: 5 * time.Minute, GroupBy: []store.Dim{store.FieldDim(flowlog.FieldAction)}}},
		{"heat map, all time", store.Query{GroupBy: []store.Dim{store.HourOfDay(), store.Weekday()}}},
		{"rejected sources, last 24h", store.Query{Range: last(24 * time.Hour), GroupBy: []store.Dim{src},
			Filter:   store.Filter{Conds: []store.Cond{store.Eq(flowlog.FieldAction, flowlog.ActionReject)}},
			Measures: []store.Measure{store.Flows, store.Distinct(flowlog.FieldDstPort)}, OrderBy: []store.Order{{Column: "flows", Desc: true}}, Limit: 10}},
		{"top pairs, last 24h", top(last(24*time.Hour), src, store.FieldDim(flowlog.FieldDstAddr))},
	}
	for _, q := range queries {
		for run := 0; run < 2; run++ { // the second run has warm metadata caches
			res, err := s.Query(ctx, q.q)
			if err != nil {
				t.Fatalf("%s: %v", q.name, err)
			}
			if run == 1 {
				t.Logf("%-30s %8.3fs  %4d rows  plan %s", q.name, res.Elapsed.Seconds(), len(res.Rows), res.Plan)
			}
		}
	}
}

func fillBig(t *testing.T, s *Store, gcfg generate.Configuration) {
	ctx := context.Background()
	gen, err := generate.New(gcfg)
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.OpenWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	batch := make([]flowlog.Record, 4096)
	for obj := 0; ; obj++ {
		a, _, err := w.Begin(ctx, store.SourceID{Name: fmt.Sprintf("big-%05d", obj), Size: int64(obj)})
		if err != nil {
			t.Fatal(err)
		}
		done := false
		for i := 0; i < 500_000/len(batch) && !done; i++ {
			k := 0
			for k < len(batch) && gen.Next(&batch[k]) {
				k++
			}
			done = k < len(batch)
			if err := a.Append(batch[:k]); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Commit(); err != nil {
			t.Fatal(err)
		}
		if done {
			break
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}
