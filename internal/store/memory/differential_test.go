package memory_test

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/embedded"
	"github.com/flowlens/flowlens/internal/store/memory"
	"github.com/flowlens/flowlens/internal/store/storetest"
)

// The differential test stores the same records in a memory.Store and in
// an embedded.Store (DuckDB over Parquet, answering from rollups where it
// can) and checks that a table of queries gives identical results: same
// columns, same Go types, same rows in the same order (approximate
// distinct counts excepted: DuckDB's are HyperLogLog estimates, within 30%), and the
// same errors for invalid queries.

var day0 = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

// diffRecords returns varied records: storetest's (IPv4 and IPv6, NODATA,
// records without start), realistic VPC flow logs with every field of
// versions 2 to 11, Transit Gateway flow logs, and IPv4-mapped addresses.
func diffRecords(t testing.TB) [][]flowlog.Record {
	objs := [][]flowlog.Record{
		storetest.Generate(storetest.GenConfig{Seed: 21, N: 6000, Start: day0.Add(20 * time.Hour), Span: 30 * time.Hour, V3: true, NoStart: true}),
		storetest.Generate(storetest.GenConfig{Seed: 22, N: 6000, Start: day0.Add(23 * time.Hour), Span: 9 * 24 * time.Hour}),
	}
	var vpc []flowlog.FieldID
	for _, f := range flowlog.Fields() {
		if f.Version != 6 {
			vpc = append(vpc, f.ID)
		}
	}
	for i, f := range []*parse.Format{parse.FormatOf(vpc...), generate.TransitGatewayFormat()} {
		cfg := generate.DefaultConfiguration()
		cfg.Seed, cfg.Records, cfg.Duration, cfg.Start, cfg.Format = int64(7+i), 12000, 40*time.Hour, day0.Add(18*time.Hour), f
		g, err := generate.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		recs := make([]flowlog.Record, 0, cfg.Records)
		var r flowlog.Record
		for g.Next(&r) {
			recs = append(recs, r)
		}
		objs = append(objs, recs)
	}
	mapped := storetest.Generate(storetest.GenConfig{Seed: 23, N: 300, Start: day0.Add(26 * time.Hour), Span: time.Hour})
	for i := range mapped {
		if r := &mapped[i]; r.Has(flowlog.FieldSrcAddr) && r.SrcAddr.Is4() && i%2 == 0 {
			r.SrcAddr = netip.AddrFrom16(r.SrcAddr.As16())
		}
	}
	return append(objs, mapped)
}

func fill(t testing.TB, s store.Store, objs [][]flowlog.Record) {
	t.Helper()
	ctx := context.Background()
	w, err := s.Writer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for i, recs := range objs {
		a, _, err := w.Begin(ctx, store.SourceID{Name: fmt.Sprintf("obj%d", i), Size: int64(len(recs)), ModTime: day0})
		if err != nil {
			t.Fatal(err)
		}
		for lo := 0; lo < len(recs); lo += 1000 {
			if err := a.Append(recs[lo:min(lo+1000, len(recs))]); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestDifferential(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 36,000 records in DuckDB")
	}
	objs := diffRecords(t)
	mcfg := memory.DefaultConfiguration()
	mcfg.ChunkRows = 4096
	mem := memory.New(mcfg)
	defer mem.Close()
	ecfg := embedded.DefaultConfiguration()
	ecfg.Dir, ecfg.Fsync, ecfg.Threads, ecfg.CommitRows = t.TempDir(), false, 2, 10000
	ecfg.Plan = store.PlanConfig{MaxScanRows: 3000}
	emb, err := embedded.Open(ecfg)
	if err != nil {
		t.Fatal(err)
	}
	defer emb.Close()
	fill(t, mem, objs)
	fill(t, emb, objs)

	ranges := []store.TimeRange{
		{},
		{Start: day0.Add(21*time.Hour + 17*time.Minute + 5*time.Second), End: day0.Add(46*time.Hour + 3*time.Minute)},
		{Start: day0.Add(24 * time.Hour), End: day0.Add(72 * time.Hour)},
		{Start: day0.Add(30*time.Hour + 30*time.Minute + 500*time.Millisecond)},
		{End: day0.Add(25*time.Hour + 59*time.Minute + 59*time.Second + 500*time.Millisecond)},
		{Start: day0.Add(26*time.Hour + 10*time.Minute), End: day0.Add(26*time.Hour + 50*time.Minute)},
		{Start: day0.Add(40 * time.Hour), End: day0.Add(30 * time.Hour)},
	}
	ctx := context.Background()
	n, empty := 0, 0
	for qi, q := range diffQueries() {
		for ri, tr := range ranges {
			if ri > 1 && qi%3 != ri%3 {
				continue // every query on two ranges, a third of them on each other range
			}
			q.Range = tr
			for _, r := range []store.Resolution{store.ResolutionAuto, store.ResolutionRaw, store.ResolutionHour} {
				if r == store.ResolutionHour && !store.Covers(r, &q) {
					continue
				}
				q.Resolution = r
				want, werr := emb.Query(ctx, q)
				got, gerr := mem.Query(ctx, q)
				n++
				where := fmt.Sprintf("query %d %s range %d at %s", qi, spec(q), ri, r)
				if werr != nil && gerr != nil && werr.Error() == gerr.Error() {
					continue // both refuse the query
				}
				if werr != nil || gerr != nil {
					t.Fatalf("%s: embedded error %v, memory error %v", where, werr, gerr)
				}
				if msg := compare(got, want); msg != "" {
					t.Fatalf("%s (embedded plan %s): %s", where, want.Plan, msg)
				}
				if ri == 0 && r == store.ResolutionRaw && !informative(got) {
					t.Logf("%s: no record selected", where)
					empty++
				}
			}
		}
	}
	t.Logf("%d queries agree", n)
	if empty > 3 { // packets < 0, start > MaxInt64, an address with a zone
		t.Errorf("%d queries select no record over the whole data: the test compares too little", empty)
	}
	for _, q := range invalidQueries() {
		_, werr := emb.Query(ctx, q)
		_, gerr := mem.Query(ctx, q)
		if werr == nil || gerr == nil || werr.Error() != gerr.Error() {
			t.Errorf("%s: embedded error %v, memory error %v", spec(q), werr, gerr)
		}
	}
	mlo, mhi, err := mem.TimeRange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	elo, ehi, err := emb.TimeRange(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !mlo.Equal(elo) || !mhi.Equal(ehi) {
		t.Errorf("time range [%v, %v], embedded [%v, %v]", mlo, mhi, elo, ehi)
	}
}

func spec(q store.Query) string {
	var b strings.Builder
	if q.Bucket > 0 {
		fmt.Fprintf(&b, "bucket=%s ", q.Bucket)
	}
	for _, d := range q.GroupBy {
		fmt.Fprintf(&b, "by=%s ", d.Name())
	}
	for _, m := range q.Measures {
		fmt.Fprintf(&b, "m=%s ", m.Name())
	}
	for _, c := range q.Filter.Conds {
		fmt.Fprintf(&b, "where=%s/%d/%v ", c.Field, c.Op, c.Values)
	}
	for _, o := range q.OrderBy {
		fmt.Fprintf(&b, "order=%s/%v ", o.Column, o.Desc)
	}
	if q.Limit > 0 {
		fmt.Fprintf(&b, "limit=%d", q.Limit)
	}
	return b.String()
}

// compare compares a memory result with the embedded store's.
func compare(got, want *store.Result) string {
	if fmt.Sprint(got.Columns) != fmt.Sprint(want.Columns) {
		return fmt.Sprintf("columns %v, want %v", got.Columns, want.Columns)
	}
	if got.Plan != memory.Plan {
		return fmt.Sprintf("plan %q", got.Plan)
	}
	if len(got.Rows) != len(want.Rows) {
		return fmt.Sprintf("%d rows, want %d\ngot  %v\nwant %v", len(got.Rows), len(want.Rows), head(got.Rows), head(want.Rows))
	}
	for i := range got.Rows {
		for j, c := range got.Columns {
			g, w := got.Rows[i][j], want.Rows[i][j]
			if strings.HasPrefix(c.Name, "approx_") {
				gv, _ := g.(uint64)
				wv, _ := w.(uint64)
				if math.Abs(float64(gv)-float64(wv)) > 0.3*float64(gv)+2 {
					return fmt.Sprintf("row %d %s: %v, want about %v", i, c.Name, g, w)
				}
				continue
			}
			if fmt.Sprintf("%T %v", g, g) != fmt.Sprintf("%T %v", w, w) {
				return fmt.Sprintf("row %d column %s: %T %v, want %T %v\ngot  %v\nwant %v", i, c.Name, g, g, w, w, got.Rows[i], want.Rows[i])
			}
		}
	}
	return ""
}

// informative reports whether a result counts some records.
func informative(res *store.Result) bool {
	for _, row := range res.Rows {
		for j, c := range res.Columns {
			if v, ok := row[j].(uint64); ok && v > 0 && (c.Name == "flows" || c.Name == "packets" || c.Name == "bytes") {
				return true
			}
		}
		if res.Col("flows") < 0 && res.Col("packets") < 0 && res.Col("bytes") < 0 {
			return true
		}
	}
	return false
}

func head(rows [][]any) [][]any {
	if len(rows) > 5 {
		return rows[:5]
	}
	return rows
}
