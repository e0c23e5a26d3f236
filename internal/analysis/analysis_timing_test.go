package analysis

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/embedded"
)

// The benchmarks query a store of FLOWLENS_BENCH_RECORDS generated records
// (default 1,000,000) over one day, in the v5 format. The store's scan
// budget (PlanConfig.MaxScanRows) is a twentieth of the default, so that
// the automatic choice of tables behaves as it does on a store twenty times
// larger (20 million records a day) with the default budget. Each benchmark
// runs with the store's choice of tables (auto) and from raw records (raw).

var (
	benchOnce  sync.Once
	benchStore *embedded.Store
	benchErr   error
)

func benchRecords() int64 {
	if v, err := strconv.ParseInt(os.Getenv("FLOWLENS_BENCH_RECORDS"), 10, 64); err == nil && v > 0 {
		return v
	}
	return 1_000_000
}

func getBenchStore(b *testing.B) *embedded.Store {
	b.Helper()
	benchOnce.Do(func() {
		dir, err := os.MkdirTemp("", "flowlens-analysis-bench-")
		if err != nil {
			benchErr = err
			return
		}
		fixtureDirs = append(fixtureDirs, dir)
		benchStore, benchErr = buildBenchStore(dir, benchRecords())
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore
}

// fixtureDirs are removed by TestMain.
var fixtureDirs []string

func buildBenchStore(dir string, n int64) (*embedded.Store, error) {
	began := time.Now()
	cfg := embedded.DefaultConfiguration()
	cfg.Dir, cfg.Fsync = dir, false
	cfg.Plan.MaxScanRows /= 20
	s, err := embedded.Open(cfg)
	if err != nil {
		return nil, err
	}
	gcfg := generate.DefaultConfiguration()
	gcfg.Seed, gcfg.Records, gcfg.Start, gcfg.Duration = 3, n, t0, 24*time.Hour
	if gcfg.Format, err = parse.ParseFormat(richFormat); err != nil {
		return nil, err
	}
	g, err := generate.New(gcfg)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	w, err := s.Writer(ctx)
	if err != nil {
		return nil, err
	}
	batch := make([]flowlog.Record, 4096)
	const perObject = 200_000
	for obj, done := 0, false; !done; obj++ {
		a, _, err := w.Begin(ctx, store.SourceID{Name: fmt.Sprintf("bench-%d", obj), Size: 1})
		if err != nil {
			return nil, err
		}
		for inObj := 0; inObj < perObject && !done; {
			k := 0
			for k < len(batch) && g.Next(&batch[k]) {
				k++
			}
			done = k < len(batch)
			if err := a.Append(batch[:k]); err != nil {
				return nil, err
			}
			inObj += k
		}
		if err := a.Commit(); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	fmt.Fprintf(os.Stderr, "analysis benchmarks: %d records ingested in %s\n", n, time.Since(began).Round(time.Millisecond))
	return s, nil
}

// benchQuery runs q under both resolutions and reports ms/query.
func benchQuery(b *testing.B, q func(ctx context.Context, s store.Reader, o Options) (string, error)) {
	s := getBenchStore(b)
	for _, res := range []store.Resolution{store.ResolutionAuto, store.ResolutionRaw} {
		b.Run(res.String(), func(b *testing.B) {
			ctx := context.Background()
			o := Options{Resolution: res}
			plan, err := q(ctx, s, o) // warm up: views, caches
			if err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if _, err := q(ctx, s, o); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/1e6/float64(b.N), "ms/query")
			b.Logf("plan: %.80s", plan)
		})
	}
}

func BenchmarkSummary(b *testing.B) {
	benchQuery(b, func(ctx context.Context, s store.Reader, o Options) (string, error) {
		r, err := Summarize(ctx, s, o)
		if err != nil {
			return "", err
		}
		return r.Plan, nil
	})
}

// BenchmarkSummaryRange summarizes a range cutting hours: the first and
// last times then come from raw records.
func BenchmarkSummaryRange(b *testing.B) {
	benchQuery(b, func(ctx context.Context, s store.Reader, o Options) (string, error) {
		o.Range = store.TimeRange{Start: t0.Add(3*time.Hour + 17*time.Minute), End: t0.Add(20*time.Hour + 41*time.Minute)}
		r, err := Summarize(ctx, s, o)
		if err != nil {
			return "", err
		}
		return r.Plan, nil
	})
}

func BenchmarkTopTalkers(b *testing.B) {
	benchQuery(b, func(ctx context.Context, s store.Reader, o Options) (string, error) {
		r, err := Top(ctx, s, TopOptions{Options: o, By: BySource, Metric: MetricBytes})
		if err != nil {
			return "", err
		}
		return r.Plan, nil
	})
}

func BenchmarkTopConversations(b *testing.B) {
	benchQuery(b, func(ctx context.Context, s store.Reader, o Options) (string, error) {
		r, err := Top(ctx, s, TopOptions{Options: o, By: ByConversation, Metric: MetricBytes})
		if err != nil {
			return "", err
		}
		return r.Plan, nil
	})
}

func BenchmarkTimeSeries(b *testing.B) {
	benchQuery(b, func(ctx context.Context, s store.Reader, o Options) (string, error) {
		r, err := TimeSeries(ctx, s, SeriesOptions{Options: o})
		if err != nil {
			return "", err
		}
		return r.Plan, nil
	})
}

func BenchmarkHeatMap(b *testing.B) {
	benchQuery(b, func(ctx context.Context, s store.Reader, o Options) (string, error) {
		r, err := HeatMapOf(ctx, s, HeatMapOptions{Options: o})
		if err != nil {
			return "", err
		}
		return r.Plan, nil
	})
}

func BenchmarkRejected(b *testing.B) {
	benchQuery(b, func(ctx context.Context, s store.Reader, o Options) (string, error) {
		r, err := Rejected(ctx, s, RejectedOptions{Options: o})
		if err != nil {
			return "", err
		}
		return r.Plan, nil
	})
}
