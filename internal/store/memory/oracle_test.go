package memory_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/memory"
	"github.com/flowlens/flowlens/internal/store/storetest"
)

// oddRecords returns storetest's records with values no parser produces
// but the Record type allows: starts before 1970 and far in the future,
// enum codes outside their names, IPv4-mapped addresses, the largest
// counters.
func oddRecords(rng *rand.Rand, n int) []flowlog.Record {
	recs := storetest.Generate(storetest.GenConfig{Seed: rng.Uint64(), N: n, Start: day0, Span: 50 * time.Hour, V3: true, NoStart: true})
	for i := range recs {
		r := &recs[i]
		switch rng.IntN(40) {
		case 0:
			r.SetUint(flowlog.FieldStart, uint64(-rng.Int64N(1e9)))
		case 1:
			r.SetUint(flowlog.FieldStart, uint64(rng.Int64N(1<<40)))
		case 2:
			r.SetUint(flowlog.FieldAction, uint64(rng.IntN(256)))
		case 3:
			r.SetUint(flowlog.FieldType, 0)
		case 4:
			if r.Has(flowlog.FieldDstAddr) {
				r.DstAddr = netip.AddrFrom16(r.DstAddr.As16())
			}
		case 5:
			r.SetUint(flowlog.FieldBytes, 1<<63+uint64(rng.IntN(5)))
		}
	}
	return recs
}

// randomQuery returns a query made of random parts. Prefix columns are not
// ordered descending: there the oracle orders IPv6 networks first, while
// the backends (SQL: DESC NULLS LAST on each helper column) order IPv4
// networks first.
func randomQuery(rng *rand.Rand) store.Query {
	pick := func(n int) int { return rng.IntN(n) }
	dims := []store.Dim{store.FieldDim(flowlog.FieldSrcAddr), store.FieldDim(flowlog.FieldDstAddr), store.FieldDim(flowlog.FieldDstPort),
		store.FieldDim(flowlog.FieldAction), store.FieldDim(flowlog.FieldType), store.FieldDim(flowlog.FieldStart),
		store.FieldDim(flowlog.FieldInterfaceID), store.FieldDim(flowlog.FieldTCPFlags), store.PrefixDim(flowlog.FieldDstAddr, pick(33), pick(129)),
		store.HourOfDay(), store.Weekday()}
	measures := []store.Measure{store.Flows, store.Packets, store.Bytes, {Kind: store.MeasureSum, Field: flowlog.FieldSrcPort},
		store.Distinct(flowlog.FieldDstAddr), store.Distinct(flowlog.FieldStart), {Kind: store.MeasureMin, Field: flowlog.FieldDstAddr},
		{Kind: store.MeasureMax, Field: flowlog.FieldStart}, {Kind: store.MeasureMin, Field: flowlog.FieldAction},
		{Kind: store.MeasureMax, Field: flowlog.FieldBytes}}
	conds := []store.Cond{store.Eq(flowlog.FieldAction, "REJECT"), store.InPrefix(flowlog.FieldDstAddr, "10.0.0.0/8", "::ffff:52.0.0.0/102"),
		{Field: flowlog.FieldStart, Op: store.OpLt, Values: []any{0}}, {Field: flowlog.FieldBytes, Op: store.OpGe, Values: []any{1000}},
		{Field: flowlog.FieldType, Op: store.OpAbsent}, {Field: flowlog.FieldDstPort, Op: store.OpNotIn, Values: []any{443, 22}}}
	var q store.Query
	seen := map[int]bool{}
	for n := pick(3); n > 0; n-- {
		if i := pick(len(dims)); !seen[i] {
			seen[i] = true
			q.GroupBy = append(q.GroupBy, dims[i])
		}
	}
	seenM := map[int]bool{}
	for n := pick(4); n > 0; n-- {
		if i := pick(len(measures)); !seenM[i] {
			seenM[i] = true
			q.Measures = append(q.Measures, measures[i])
		}
	}
	for n := pick(3); n > 0; n-- {
		q.Filter.Conds = append(q.Filter.Conds, conds[pick(len(conds))])
	}
	if pick(3) == 0 {
		q.Bucket = []time.Duration{time.Minute, 7 * time.Minute, time.Hour, 7 * 24 * time.Hour}[pick(4)]
	}
	if pick(2) == 0 {
		q.Range.Start = day0.Add(time.Duration(rng.Int64N(int64(30 * time.Hour))))
	}
	if pick(2) == 0 {
		q.Range.End = day0.Add(time.Duration(rng.Int64N(int64(60 * time.Hour))))
	}
	cols := []string{}
	for _, d := range q.GroupBy {
		if d.Kind != store.DimPrefix {
			cols = append(cols, d.Name())
		}
	}
	ms := q.Measures
	if len(ms) == 0 {
		ms = []store.Measure{store.Flows, store.Packets, store.Bytes}
	}
	for _, m := range ms {
		cols = append(cols, m.Name())
	}
	for n := pick(3); n > 0; n-- {
		q.OrderBy = append(q.OrderBy, store.Order{Column: cols[pick(len(cols))], Desc: pick(2) == 0})
	}
	if pick(2) == 0 {
		q.Limit = 1 + pick(20)
	}
	return q
}

// TestOracle compares random queries over odd records with storetest's
// oracle.
func TestOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for round := 0; round < 5; round++ {
		recs := oddRecords(rng, 4000)
		cfg := memory.DefaultConfiguration()
		cfg.ChunkRows = 64 * (1 + rng.IntN(30))
		s := memory.New(cfg)
		fill(t, s, [][]flowlog.Record{recs[:1500], recs[1500:]})
		for i := 0; i < 200; i++ {
			q := randomQuery(rng)
			want, err := storetest.Oracle(recs, q)
			if err != nil {
				t.Fatal(err)
			}
			got, err := s.Query(context.Background(), q)
			if err != nil {
				t.Fatalf("%s: %v", spec(q), err)
			}
			for _, r := range want.Rows {
				for j, v := range r { // the oracle leaves bucket starts as times
					if tm, ok := v.(time.Time); ok {
						r[j] = tm.UTC()
					}
				}
			}
			if !sameColumnsNames(got, want) {
				t.Fatalf("round %d %s: columns %v, want %v", round, spec(q), got.Columns, want.Columns)
			}
			if msg := compareRows(got, want); msg != "" {
				t.Fatalf("round %d %s range %v: %s", round, spec(q), q.Range, msg)
			}
		}
		s.Close()
	}
}

func sameColumnsNames(a, b *store.Result) bool {
	if len(a.Columns) != len(b.Columns) {
		return false
	}
	for i := range a.Columns {
		if a.Columns[i].Name != b.Columns[i].Name {
			return false
		}
	}
	return true
}

// compareRows compares rows only (the oracle does not type its columns).
func compareRows(got, want *store.Result) string {
	if len(got.Rows) != len(want.Rows) {
		return fmt.Sprintf("%d rows, want %d\ngot  %v\nwant %v", len(got.Rows), len(want.Rows), head(got.Rows), head(want.Rows))
	}
	for i := range got.Rows {
		if g, w := fmt.Sprintf("%#v", got.Rows[i]), fmt.Sprintf("%#v", want.Rows[i]); g != w {
			return fmt.Sprintf("row %d:\ngot  %s\nwant %s", i, g, w)
		}
	}
	return ""
}
