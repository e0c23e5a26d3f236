package storetest

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// oracleQueries returns the query shapes compared with the oracle.
func oracleQueries() []store.Query {
	top := func(by ...store.Dim) store.Query {
		return store.Query{GroupBy: by, OrderBy: []store.Order{{Column: "bytes", Desc: true}}, Limit: 7}
	}
	f := flowlog.FieldSrcAddr
	return []store.Query{
		{},
		top(store.FieldDim(flowlog.FieldSrcAddr)),
		top(store.FieldDim(flowlog.FieldDstAddr)),
		top(store.FieldDim(flowlog.FieldSrcAddr), store.FieldDim(flowlog.FieldDstAddr)),
		{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldDstPort), store.FieldDim(flowlog.FieldProtocol)},
			Filter:  store.Filter{Conds: []store.Cond{store.Eq(flowlog.FieldAction, flowlog.ActionAccept)}},
			OrderBy: []store.Order{{Column: "flows", Desc: true}}, Limit: 5},
		{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldAction)}, Bucket: time.Hour},
		{Bucket: 5 * time.Minute, Measures: []store.Measure{store.Flows, store.Bytes}},
		{Bucket: 24 * time.Hour, GroupBy: []store.Dim{store.FieldDim(flowlog.FieldLogStatus)}},
		{Bucket: 7 * 24 * time.Hour},
		{GroupBy: []store.Dim{store.HourOfDay(), store.Weekday()}, Measures: []store.Measure{store.Flows, store.Bytes}},
		{GroupBy: []store.Dim{store.PrefixDim(f, 24, 64)}, OrderBy: []store.Order{{Column: "packets", Desc: true}}},
		{GroupBy: []store.Dim{store.PrefixDim(flowlog.FieldDstAddr, 8, 32), store.FieldDim(flowlog.FieldAction)}},
		{Filter: store.Filter{Conds: []store.Cond{store.InPrefix(flowlog.FieldDstAddr, "10.0.0.0/8", "2600:1f18:aaaa::/48")}},
			GroupBy: []store.Dim{store.FieldDim(flowlog.FieldDstAddr)}},
		{Filter: store.Filter{Conds: []store.Cond{{Field: f, Op: store.OpNotInPrefix, Values: []any{"10.0.0.0/9"}}}},
			GroupBy: []store.Dim{store.FieldDim(flowlog.FieldInterfaceID)}},
		{Filter: store.Filter{Conds: []store.Cond{store.Eq(flowlog.FieldAccountID, flowlog.UnknownAccount)}},
			GroupBy: []store.Dim{store.FieldDim(flowlog.FieldInterfaceID), store.FieldDim(flowlog.FieldAccountID)}},
		{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcAddr)},
			Measures: []store.Measure{store.Distinct(flowlog.FieldDstPort), store.Distinct(flowlog.FieldDstAddr), store.Flows},
			OrderBy:  []store.Order{{Column: "distinct_dstport", Desc: true}}, Limit: 10},
		{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldInterfaceID)},
			Measures: []store.Measure{{Kind: store.MeasureMin, Field: flowlog.FieldStart}, {Kind: store.MeasureMax, Field: flowlog.FieldEnd}, {Kind: store.MeasureMax, Field: flowlog.FieldDstAddr}}},
		{Measures: []store.Measure{{Kind: store.MeasureSum, Field: flowlog.FieldTCPFlags}, {Kind: store.MeasureSum, Field: flowlog.FieldBytes}}},
		{Filter: store.Filter{Conds: []store.Cond{store.Eq(flowlog.FieldLogStatus, "NODATA")}}, GroupBy: []store.Dim{store.FieldDim(flowlog.FieldInterfaceID)}},
		{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcPort)}, OrderBy: []store.Order{{Column: "flows", Desc: true}}, Limit: 3},
		{Measures: []store.Measure{{Kind: store.MeasureApproxDistinct, Field: flowlog.FieldSrcAddr}, store.Flows}},
		{Filter: store.Filter{Conds: []store.Cond{store.Eq(flowlog.FieldFlowDirection, flowlog.DirectionEgress)}},
			GroupBy: []store.Dim{store.FieldDim(flowlog.FieldVPCID), store.FieldDim(flowlog.FieldType)}},
		{Filter: store.Filter{Conds: []store.Cond{
			store.In(flowlog.FieldDstPort, 443, 22, uint16(53)),
			{Field: flowlog.FieldProtocol, Op: store.OpNe, Values: []any{17}},
			{Field: flowlog.FieldPackets, Op: store.OpGe, Values: []any{50}},
		}}, GroupBy: []store.Dim{store.FieldDim(flowlog.FieldDstPort)}},
		{Filter: store.Filter{Conds: []store.Cond{{Field: flowlog.FieldVPCID, Op: store.OpAbsent}, {Field: flowlog.FieldDstPort, Op: store.OpPresent}}},
			GroupBy: []store.Dim{store.FieldDim(flowlog.FieldVersion)}},
		{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldTCPFlags)}, Bucket: time.Hour},
		// Below dimensions: the service port of each side (ephemeral and
		// absent ports group together), on raw records...
		{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcAddr), store.FieldDim(flowlog.FieldAction), store.FieldDim(flowlog.FieldProtocol),
			store.BelowDim(flowlog.FieldSrcPort, 32768), store.BelowDim(flowlog.FieldDstPort, 32768)}, Unordered: true},
		// ... and from rollups having the field, with a narrow field, a wide
		// one, a filter on the same field, and ordered by the dimension.
		{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldDstAddr), store.BelowDim(flowlog.FieldDstPort, 1024)},
			OrderBy: []store.Order{{Column: "dstport", Desc: true}, {Column: "flows", Desc: true}}, Limit: 12},
		{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcAddr), store.BelowDim(flowlog.FieldDstPort, 1024)}, Unordered: true},
		{GroupBy: []store.Dim{store.BelowDim(flowlog.FieldProtocol, 17), {Kind: store.DimBelow, Field: flowlog.FieldPackets, Limit: 10, As: "few_packets"}},
			Filter: store.Filter{Conds: []store.Cond{{Field: flowlog.FieldDstPort, Op: store.OpLt, Values: []any{1000}}}}},
		// Service dimensions: the graph's query, from the graph cube...
		{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcAddr), store.FieldDim(flowlog.FieldDstAddr), store.FieldDim(flowlog.FieldAction),
			store.FieldDim(flowlog.FieldProtocol), store.ServiceDim(flowlog.FieldSrcPort, store.DefaultEphemeralFrom),
			store.ServiceDim(flowlog.FieldDstPort, store.DefaultEphemeralFrom), store.FieldDim(flowlog.FieldInterfaceID),
			store.FieldDim(flowlog.FieldFlowDirection)}, Unordered: true},
		// ... and with ephemeral ports from 60000, where most client ports
		// compete with the service ports (raw records).
		{GroupBy: []store.Dim{store.ServiceDim(flowlog.FieldSrcPort, 60000), store.ServiceDim(flowlog.FieldDstPort, 60000), store.FieldDim(flowlog.FieldProtocol)},
			Filter:  store.Filter{Conds: []store.Cond{{Field: flowlog.FieldAction, Op: store.OpEq, Values: []any{"ACCEPT"}}}},
			OrderBy: []store.Order{{Column: "flows", Desc: true}}, Limit: 40},
		{GroupBy: []store.Dim{{Kind: store.DimBelow, Field: flowlog.FieldBytes, Limit: 2000, As: "small_bytes"}, store.FieldDim(flowlog.FieldBytes)},
			Filter:   store.Filter{Conds: []store.Cond{store.Eq(flowlog.FieldSrcAddr, "10.1.3.20")}},
			Measures: []store.Measure{store.Flows, store.Packets}, Limit: 25},
	}
}

func testQueryOracle(t *testing.T, open Opener, caps Capabilities) {
	s := openStore(t, open)
	w := openWriter(t, s)
	recs := Generate(GenConfig{Seed: 11, N: 20000, Start: day0.Add(20 * time.Hour), Span: 30 * time.Hour, V3: true, NoStart: true})
	for i := 0; i < 4; i++ {
		ingest(t, w, obj(fmt.Sprintf("part%d", i)), recs[i*5000:(i+1)*5000], store.ObjectMeta{})
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ranges := []store.TimeRange{
		{},
		{Start: day0.Add(21*time.Hour + 17*time.Minute + 5*time.Second), End: day0.Add(46*time.Hour + 3*time.Minute)},
		{Start: day0.Add(23 * time.Hour), End: day0.Add(47 * time.Hour)},
		{Start: day0.Add(30*time.Hour + 30*time.Minute)},
		{End: day0.Add(25*time.Hour + 59*time.Minute + 59*time.Second + 500*time.Millisecond)},
		{Start: day0.Add(26*time.Hour + 10*time.Minute), End: day0.Add(26*time.Hour + 50*time.Minute)},
	}
	for qi, q := range oracleQueries() {
		for ri, tr := range ranges {
			q.Range = tr
			want, err := Oracle(recs, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range []store.Resolution{store.ResolutionAuto, store.ResolutionRaw, store.ResolutionMinute, store.ResolutionHour} {
				if r != store.ResolutionAuto && r != store.ResolutionRaw && !store.Covers(r, &q) {
					continue
				}
				q.Resolution = r
				got, err := s.Query(context.Background(), q)
				if err != nil {
					t.Fatalf("query %d range %d at %s: %v", qi, ri, r, err)
				}
				if q.Unordered {
					SortRows(got, q)
				}
				if msg := diffResults(got, want); msg != "" {
					t.Fatalf("query %d range %d at %s (plan %s): %s", qi, ri, r, got.Plan, msg)
				}
				if r == store.ResolutionAuto {
					checkScan(t, s, q, got, fmt.Sprintf("query %d range %d", qi, ri))
				}
				if !caps.RawOnly && r == store.ResolutionHour && !tr.Start.IsZero() && !tr.End.IsZero() && tr.End.Sub(tr.Start) > 2*time.Hour &&
					tr.Start.Minute() != 0 && !strings.Contains(got.Plan, "+") {
					t.Errorf("query %d range %d: unaligned range answered by plan %q, want rollup + edges", qi, ri, got.Plan)
				}
			}
		}
	}
}

// checkScan checks that Scan hands over the rows of Query (got), with its
// columns and plan, and stops at the first error of its callback.
func checkScan(t *testing.T, s store.Store, q store.Query, got *store.Result, where string) {
	t.Helper()
	ctx := context.Background()
	var rows [][]any
	res, err := s.Scan(ctx, q, func(row []any) error {
		if len(row) != len(got.Columns) {
			return fmt.Errorf("row of %d values, want %d", len(row), len(got.Columns))
		}
		rows = append(rows, append([]any(nil), row...))
		return nil
	})
	if err != nil {
		t.Fatalf("%s: scan: %v", where, err)
	}
	if res.Rows != nil || res.Plan != got.Plan {
		t.Fatalf("%s: scan result has %d rows and plan %q, want none and %q", where, len(res.Rows), res.Plan, got.Plan)
	}
	res.Rows = rows
	if q.Unordered {
		SortRows(res, q)
	}
	if msg := diffResults(res, got); msg != "" {
		t.Fatalf("%s: scan differs from query: %s", where, msg)
	}
	if len(rows) > 1 {
		stop := errors.New("stop")
		n := 0
		if _, err := s.Scan(ctx, q, func([]any) error { n++; return stop }); !errors.Is(err, stop) || n != 1 {
			t.Fatalf("%s: a failing callback: %d calls, error %v", where, n, err)
		}
	}
}

// diffResults compares a backend result with the oracle's; approximate
// distinct counts (HyperLogLog) may differ by 30%.
func diffResults(got, want *store.Result) string {
	if len(got.Columns) != len(want.Columns) {
		return fmt.Sprintf("columns %v, want %v", got.Columns, want.Columns)
	}
	for i := range got.Columns {
		if got.Columns[i].Name != want.Columns[i].Name {
			return fmt.Sprintf("column %d is %q, want %q", i, got.Columns[i].Name, want.Columns[i].Name)
		}
	}
	if len(got.Rows) != len(want.Rows) {
		return fmt.Sprintf("%d rows, want %d\ngot  %v\nwant %v", len(got.Rows), len(want.Rows), head(got.Rows), head(want.Rows))
	}
	for i := range got.Rows {
		for j := range got.Rows[i] {
			g, w := got.Rows[i][j], want.Rows[i][j]
			if strings.HasPrefix(got.Columns[j].Name, "approx_") {
				gv, _ := g.(uint64)
				wv, _ := w.(uint64)
				if math.Abs(float64(gv)-float64(wv)) > 0.3*float64(wv)+2 {
					return fmt.Sprintf("row %d %s: %v, want about %v", i, got.Columns[j].Name, g, w)
				}
				continue
			}
			if fmt.Sprintf("%T %v", g, g) != fmt.Sprintf("%T %v", w, w) {
				return fmt.Sprintf("row %d column %s: %T %v, want %T %v\ngot  %v\nwant %v", i, got.Columns[j].Name, g, g, w, w, got.Rows[i], want.Rows[i])
			}
		}
	}
	return ""
}

func head(rows [][]any) [][]any {
	if len(rows) > 5 {
		return rows[:5]
	}
	return rows
}

func testQueryErrors(t *testing.T, open Opener, caps Capabilities) {
	s := openStore(t, open)
	ctx := context.Background()
	f := func(q store.Query, want string) {
		t.Helper()
		_, err := s.Query(ctx, q)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want one containing %q", err, want)
		}
	}
	f(store.Query{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcPort)}, Resolution: store.ResolutionHour}, "cannot answer")
	f(store.Query{Bucket: 90 * time.Second, Resolution: store.ResolutionMinute}, "cannot answer")
	f(store.Query{OrderBy: []store.Order{{Column: "nope"}}}, "not an output column")
	f(store.Query{GroupBy: []store.Dim{store.PrefixDim(flowlog.FieldDstPort, 8, 8)}}, "not an address")
	f(store.Query{GroupBy: []store.Dim{store.BelowDim(flowlog.FieldSrcAddr, 8)}}, "not an unsigned number")
	f(store.Query{GroupBy: []store.Dim{store.BelowDim(flowlog.FieldStart, 8)}}, "not an unsigned number")
	f(store.Query{GroupBy: []store.Dim{store.ServiceDim(flowlog.FieldBytes, 1024)}}, "applies to srcport or dstport")
	f(store.Query{GroupBy: []store.Dim{store.ServiceDim(flowlog.FieldSrcPort, 0)}}, "not in 1-65535")
	f(store.Query{GroupBy: []store.Dim{store.BelowDim(flowlog.FieldAction, 8)}}, "not an unsigned number")
	f(store.Query{GroupBy: []store.Dim{store.BelowDim(flowlog.FieldDstPort, 0)}}, "positive limit")
	f(store.Query{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldDstPort), store.BelowDim(flowlog.FieldDstPort, 1024)}}, "appears twice")
	f(store.Query{GroupBy: []store.Dim{store.BelowDim(flowlog.FieldSrcPort, 1024)}, Resolution: store.ResolutionMinute}, "cannot answer")
	f(store.Query{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcAddr)}, Unordered: true, Limit: 3}, "cannot be ordered or limited")
	f(store.Query{GroupBy: []store.Dim{store.FieldDim(flowlog.FieldSrcAddr)}, Unordered: true, OrderBy: []store.Order{{Column: "flows"}}}, "cannot be ordered or limited")
	f(store.Query{Filter: store.Filter{Conds: []store.Cond{store.Eq(flowlog.FieldAction, "MAYBE")}}}, "not a valid value")
	f(store.Query{Filter: store.Filter{Conds: []store.Cond{store.InPrefix(flowlog.FieldSrcAddr, "10.0.0.0/33")}}}, "prefix")
	f(store.Query{Filter: store.Filter{Conds: []store.Cond{store.Eq(flowlog.FieldDstPort, 70000)}}}, "out of range")
	f(store.Query{Filter: store.Filter{Conds: []store.Cond{{Field: flowlog.FieldAccountID, Op: store.OpLt, Values: []any{"1"}}}}}, "only numeric")
	f(store.Query{Filter: store.Filter{SQL: "1 = 1; DROP VIEW flows"}}, "")
	if caps.NoSQL {
		checkNoSQL(t, s)
		return
	}
	if _, err := s.SQL(ctx, "SELECT count(*) FROM flows"); err != nil {
		t.Fatalf("flows unusable after a rejected filter: %v", err)
	}
	// A filter written in SQL, e.g. by the filter pattern compiler.
	q := store.Query{Filter: store.Filter{SQL: `"dstport" = ? OR "action" = ?`, Args: []any{443, "REJECT"},
		SQLFields: []flowlog.FieldID{flowlog.FieldDstPort, flowlog.FieldAction}}, Resolution: store.ResolutionHour}
	if _, err := s.Query(ctx, q); err != nil {
		t.Fatalf("SQL filter over rollup dimensions at 1h: %v", err)
	}
}

func testSandbox(t *testing.T, open Opener) {
	s := openStore(t, open)
	w := openWriter(t, s)
	recs := Generate(GenConfig{Seed: 12, N: 100, Start: day0, Span: time.Hour})
	ingest(t, w, obj("x"), recs, store.ObjectMeta{})
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	dir := t.TempDir()
	out := filepath.Join(dir, "x.csv")
	forbiddenStmts := []string{
		fmt.Sprintf("COPY (SELECT 1) TO '%s'", out),
		fmt.Sprintf("COPY flows TO '%s'", out),
		fmt.Sprintf("EXPLAIN ANALYZE COPY (SELECT 1) TO '%s'", out),
		fmt.Sprintf("ATTACH '%s' AS x", filepath.Join(dir, "x.db")),
		"INSTALL httpfs",
		"LOAD httpfs",
		"SET enable_external_access = true",
		"SET threads = 1",
		"RESET lock_configuration",
		"PRAGMA threads = 1",
		"CREATE TABLE t AS SELECT 1",
		"CREATE OR REPLACE VIEW flows AS SELECT 1",
		"DROP VIEW flows",
		"EXPLAIN ANALYZE DROP VIEW flows",
		"SELECT 1; DROP VIEW flows",
		"SELECT 1; SELECT 2",
		"DETACH memory",
		"CALL pragma_version()",
		fmt.Sprintf("EXPORT DATABASE '%s'", dir),
	}
	for _, q := range forbiddenStmts {
		_, err := s.SQL(ctx, q)
		if !errors.Is(err, store.ErrForbidden) {
			t.Errorf("%s: error %v, want ErrForbidden", q, err)
		}
	}
	failing := []string{
		"SELECT * FROM read_csv('/etc/passwd')",
		"SELECT * FROM read_text('/etc/passwd')",
		"SELECT * FROM glob('/etc/*')",
		fmt.Sprintf("SELECT * FROM read_parquet('%s/*.parquet')", dir),
		"SELECT * FROM read_json('http://127.0.0.1:1/x.json')",
		"SELECT * FROM query('DROP VIEW flows')",
		"",
	}
	for _, q := range failing {
		if _, err := s.SQL(ctx, q); err == nil {
			t.Errorf("%q succeeded", q)
		}
	}
	if _, err := os.Stat(out); err == nil {
		t.Fatalf("a statement wrote %s", out)
	}
	allowed := []string{
		"SELECT count(*) FROM flows",
		"  -- comment\n  SELECT count(*) FROM flows_1m;",
		"WITH t AS (SELECT srcaddr, sum(bytes) AS b FROM flows GROUP BY 1) SELECT * FROM t ORDER BY b DESC LIMIT 3",
		"FROM flows_1h SELECT sum(flows)",
		"DESCRIBE flows",
		"SUMMARIZE SELECT bytes FROM flows",
		"EXPLAIN SELECT * FROM flows WHERE dstport = 443",
		"EXPLAIN ANALYZE SELECT count(*) FROM flows",
		"SELECT count(*) FROM flows WHERE dstport = ? AND action = ?",
	}
	for _, q := range allowed {
		var args []any
		if strings.Contains(q, "?") {
			args = []any{443, "ACCEPT"}
		}
		if _, err := s.SQL(ctx, q, args...); err != nil {
			t.Errorf("%q: %v", q, err)
		}
	}
	res, err := s.SQL(ctx, "SELECT count(*) AS n FROM flows")
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := res.Rows[0][0].(int64); n != 100 {
		t.Fatalf("flows holds %v records after the attacks, want 100", res.Rows[0][0])
	}
}
