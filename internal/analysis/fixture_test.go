package analysis

import (
	"context"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/embedded"
)

// t0 is the start of the generated traffic: a Monday, 09:00 UTC.
var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

// richFormat has the v3-v5 fields (subnet-id, instance-id, pkt-*, ...).
const richFormat = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} " +
	"${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} " +
	"${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${flow-direction}"

// fixture is a store holding generated records, and the same records for
// the oracle.
type fixture struct {
	store *embedded.Store
	recs  []flowlog.Record
}

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  error
	fixtureDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureVal != nil {
		fixtureVal.store.Close()
	}
	if benchStore != nil {
		benchStore.Close()
	}
	for _, d := range append(fixtureDirs, fixtureDir) {
		if d != "" {
			os.RemoveAll(d)
		}
	}
	os.Exit(code)
}

// testStoreConfig makes the planner use rollups as soon as a query would
// read more than 3,000 rows, so that the few hours of test data exercise
// raw records, both rollups and their combinations.
func testStoreConfig(dir string) embedded.Configuration {
	cfg := embedded.DefaultConfiguration()
	cfg.Dir = dir
	cfg.Fsync = false
	cfg.Threads = 2
	cfg.CommitRows = 30_000
	cfg.Plan = store.PlanConfig{MaxScanRows: 3000}
	return cfg
}

// getFixture generates 90,000 records over four hours (70,000 in a v5
// format with subnet and instance IDs, 20,000 in the default v2 format) and
// ingests them as several objects. It is built once per test binary.
func getFixture(t testing.TB) *fixture {
	t.Helper()
	fixtureOnce.Do(func() {
		fixtureDir, fixtureErr = os.MkdirTemp("", "flowlens-analysis-")
		if fixtureErr != nil {
			return
		}
		fixtureVal, fixtureErr = buildFixture(fixtureDir, []genSpec{
			{seed: 7, records: 70_000, format: richFormat, objects: 5},
			{seed: 8, records: 20_000, objects: 2},
		}, 4*time.Hour)
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureVal
}

type genSpec struct {
	seed    int64
	records int64
	format  string // "" for the default format
	objects int
}

func generateRecords(spec genSpec, span time.Duration) ([]flowlog.Record, error) {
	cfg := generate.DefaultConfiguration()
	cfg.Seed, cfg.Records, cfg.Start, cfg.Duration = spec.seed, spec.records, t0, span
	if spec.format != "" {
		f, err := parse.ParseFormat(spec.format)
		if err != nil {
			return nil, err
		}
		cfg.Format = f
	}
	g, err := generate.New(cfg)
	if err != nil {
		return nil, err
	}
	out := make([]flowlog.Record, 0, spec.records)
	var r flowlog.Record
	for g.Next(&r) {
		out = append(out, r) // strings are immutable and shared: a copy is enough
		r = flowlog.Record{}
	}
	return out, nil
}

func buildFixture(dir string, specs []genSpec, span time.Duration) (*fixture, error) {
	s, err := embedded.Open(testStoreConfig(dir))
	if err != nil {
		return nil, err
	}
	f := &fixture{store: s}
	ctx := context.Background()
	w, err := s.Writer(ctx)
	if err != nil {
		return nil, err
	}
	for _, spec := range specs {
		recs, err := generateRecords(spec, span)
		if err != nil {
			return nil, err
		}
		per := (len(recs) + spec.objects - 1) / spec.objects
		for o := 0; o < spec.objects; o++ {
			lo, hi := o*per, min((o+1)*per, len(recs))
			obj := store.SourceID{Name: fmt.Sprintf("gen-%d-%d", spec.seed, o), Size: int64(hi - lo), ModTime: t0}
			a, _, err := w.Begin(ctx, obj)
			if err != nil {
				return nil, err
			}
			for b := lo; b < hi; b += 4096 {
				if err := a.Append(recs[b:min(b+4096, hi)]); err != nil {
					return nil, err
				}
			}
			if err := a.Commit(); err != nil {
				return nil, err
			}
		}
		f.recs = append(f.recs, recs...)
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return f, nil
}

// scope is a time range and a filter, with the filter's Go predicate.
type scope struct {
	name   string
	rng    store.TimeRange
	filter store.Filter
	pred   func(r *flowlog.Record) bool
}

func (s scope) options() Options { return Options{Range: s.rng, Filter: s.filter} }

// rangeAt returns [t0+a, t0+b).
func rangeAt(a, b time.Duration) store.TimeRange {
	return store.TimeRange{Start: t0.Add(a), End: t0.Add(b)}
}

// testRanges cut hours and minutes in the middle, so that plans combine
// the hour rollup, the minute rollup and raw records.
func testRanges() []scope {
	return []scope{
		{name: "all"},
		{name: "partial-hours", rng: rangeAt(17*time.Minute+23*time.Second, 3*time.Hour+41*time.Minute+7*time.Second)},
		{name: "whole-hours", rng: rangeAt(time.Hour, 3*time.Hour)},
		{name: "minutes", rng: rangeAt(2*time.Hour+5*time.Minute, 3*time.Hour+35*time.Minute)},
		{name: "raw-short", rng: rangeAt(50*time.Minute, 58*time.Minute+30*time.Second)},
		{name: "before-data", rng: rangeAt(-time.Hour, 30*time.Minute)},
		{name: "open-start", rng: store.TimeRange{End: t0.Add(2*time.Hour + 30*time.Minute + 30*time.Second)}},
	}
}

// testFilters pairs filters with their Go predicates.
func testFilters() []scope {
	ten := []any{"10.0.0.0/8"}
	return []scope{
		{name: "accept", filter: store.Filter{Conds: []store.Cond{store.Eq(flowlog.FieldAction, flowlog.ActionAccept)}},
			pred: func(r *flowlog.Record) bool { return r.Has(flowlog.FieldAction) && r.Action == flowlog.ActionAccept }},
		{name: "web-tcp", filter: store.Filter{Conds: []store.Cond{store.In(flowlog.FieldDstPort, 443, 80), store.Eq(flowlog.FieldProtocol, 6)}},
			pred: func(r *flowlog.Record) bool {
				return r.Has(flowlog.FieldDstPort) && (r.DstPort == 443 || r.DstPort == 80) && r.Has(flowlog.FieldProtocol) && r.Protocol == 6
			}},
		{name: "src-10/8", filter: store.Filter{Conds: []store.Cond{{Field: flowlog.FieldSrcAddr, Op: store.OpInPrefix, Values: ten}}},
			pred: func(r *flowlog.Record) bool {
				return r.Has(flowlog.FieldSrcAddr) && r.SrcAddr.Unmap().Is4() && r.SrcAddr.As4()[0] == 10
			}},
		{name: "packets>=10 (raw only)", filter: store.Filter{Conds: []store.Cond{{Field: flowlog.FieldPackets, Op: store.OpGe, Values: []any{10}}}},
			pred: func(r *flowlog.Record) bool { return r.Has(flowlog.FieldPackets) && r.Packets >= 10 }},
	}
}

// testScopes returns every range without a filter, and every filter over
// the partial-hours range and over all data.
func testScopes() []scope {
	var out []scope
	ranges := testRanges()
	out = append(out, ranges...)
	for _, f := range testFilters() {
		for _, r := range []scope{ranges[0], ranges[1]} {
			s := f
			s.name = r.name + "/" + f.name
			s.rng = r.rng
			out = append(out, s)
		}
	}
	return out
}

// ceilSec is the first whole second at or after t.
func ceilSec(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// selectRecs returns the records of a scope: start in the range (records
// without start only when the range is open on both sides) and matching
// the predicate.
func (f *fixture) selectRecs(s scope) []*flowlog.Record {
	var out []*flowlog.Record
	for i := range f.recs {
		r := &f.recs[i]
		if !s.rng.Start.IsZero() || !s.rng.End.IsZero() {
			if !r.Has(flowlog.FieldStart) {
				continue
			}
			if !s.rng.Start.IsZero() && r.Start < ceilSec(s.rng.Start) {
				continue
			}
			if !s.rng.End.IsZero() && r.Start >= ceilSec(s.rng.End) {
				continue
			}
		}
		if s.pred != nil && !s.pred(r) {
			continue
		}
		out = append(out, r)
	}
	return out
}

// countsOf returns the counts of one record (absent packets and bytes are
// zero).
func countsOf(r *flowlog.Record) Counts {
	c := Counts{Flows: 1}
	if r.Has(flowlog.FieldPackets) {
		c.Packets = r.Packets
	}
	if r.Has(flowlog.FieldBytes) {
		c.Bytes = r.Bytes
	}
	return c
}

func sumCounts(recs []*flowlog.Record) Counts {
	var c Counts
	for _, r := range recs {
		c.Add(countsOf(r))
	}
	return c
}
