package store

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
)

func TestDefaultDir(t *testing.T) {
	f := func(env map[string]string, home string, homeErr error, want string) {
		t.Helper()
		got := defaultDir(func(k string) string { return env[k] }, func() (string, error) { return home, homeErr })
		if got != want {
			t.Errorf("defaultDir(%v, %q) = %q, want %q", env, home, got, want)
		}
	}
	f(map[string]string{"FLOWLENS_DATA": "/data/fl", "XDG_DATA_HOME": "/x"}, "/home/u", nil, "/data/fl")
	f(map[string]string{"XDG_DATA_HOME": "/x"}, "/home/u", nil, "/x/flowlens")
	f(map[string]string{"XDG_DATA_HOME": "relative"}, "/home/u", nil, "/home/u/.local/share/flowlens")
	f(nil, "/home/u", nil, "/home/u/.local/share/flowlens")
	f(nil, "", errors.New("no home"), ".flowlens")
}

// rows is a fake estimator: rows per hour per table.
type rows map[string]int64

func (r rows) Has(res Resolution, cube string) bool { return true }

func (r rows) EstimateRows(res Resolution, cube string, tr TimeRange) int64 {
	hours := int64(24)
	if !tr.Start.IsZero() && !tr.End.IsZero() {
		hours = int64(tr.End.Sub(tr.Start) / time.Hour)
	}
	key := res.String()
	if res != ResolutionRaw && cube != "" {
		key += "/" + cube
	}
	return r[key] * max(hours, 1)
}

var t0 = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

func TestMakePlan(t *testing.T) {
	est := rows{"raw": 1000, "1m": 900, "1h": 600, "1m/src": 100, "1h/src": 10, "1m/dst": 100, "1h/dst": 10,
		"1m/port": 200, "1h/port": 150, "1m/eni": 50, "1h/eni": 5, "1h/pair": 300, "1h/graph": 400, "1h/graph_eni": 700}
	cfg := PlanConfig{MaxScanRows: 3000}
	f := func(q Query, want string) {
		t.Helper()
		p, err := MakePlan(&q, cfg, est)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.String(); got != want {
			t.Errorf("plan %s, want %s", got, want)
		}
	}
	at := func(h, m, s int) time.Time {
		return t0.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute + time.Duration(s)*time.Second)
	}
	bySrc := []Dim{FieldDim(flowlog.FieldSrcAddr)}
	// Two hours of raw records are within the budget.
	f(Query{Range: TimeRange{at(1, 0, 0), at(3, 0, 0)}, GroupBy: bySrc}, "raw")
	// Ten hours are not; the per-minute source cube is.
	f(Query{Range: TimeRange{at(1, 0, 0), at(11, 0, 0)}, GroupBy: bySrc}, "1m/src")
	// Pairs: the hourly pair cube, edges from the full cube per minute.
	f(Query{Range: TimeRange{at(0, 30, 0), at(20, 0, 30)}, GroupBy: []Dim{FieldDim(flowlog.FieldSrcAddr), FieldDim(flowlog.FieldDstAddr)}},
		"1h/pair[2024-05-01T01:00Z,2024-05-01T20:00Z)+1m[2024-05-01T00:30Z,2024-05-01T01:00Z)+raw[2024-05-01T20:00Z,2024-05-01T20:00:30Z)")
	// A port with a pair: the full cube.
	f(Query{Range: TimeRange{at(1, 0, 0), at(20, 0, 0)}, GroupBy: []Dim{FieldDim(flowlog.FieldSrcAddr), FieldDim(flowlog.FieldDstPort)}}, "1h")
	// Service ports: the graph cube, for its ephemeral start only.
	svc := []Dim{FieldDim(flowlog.FieldSrcAddr), FieldDim(flowlog.FieldDstAddr), ServiceDim(flowlog.FieldSrcPort, DefaultEphemeralFrom), ServiceDim(flowlog.FieldDstPort, DefaultEphemeralFrom)}
	f(Query{Range: TimeRange{at(1, 0, 0), at(20, 0, 0)}, GroupBy: svc}, "1h/graph")
	f(Query{GroupBy: svc, Filter: Filter{Conds: []Cond{Eq(flowlog.FieldAction, "REJECT")}}}, "1h/graph")
	f(Query{GroupBy: append(svc, FieldDim(flowlog.FieldInterfaceID))}, "1h/graph_eni")
	f(Query{GroupBy: svc, Filter: Filter{Conds: []Cond{Eq(flowlog.FieldDstPort, 443)}}}, "raw")
	f(Query{Range: TimeRange{at(1, 0, 0), at(20, 0, 0)}, GroupBy: []Dim{ServiceDim(flowlog.FieldSrcPort, 1024)}}, "raw")
	// A field no rollup has: raw, whatever the cost.
	f(Query{Range: TimeRange{at(0, 0, 0), at(23, 0, 0)}, GroupBy: []Dim{FieldDim(flowlog.FieldSrcPort)}}, "raw")
	// Time series and heat maps use the smallest cube.
	f(Query{Range: TimeRange{at(0, 0, 0), at(23, 0, 0)}, Bucket: time.Hour}, "1m/eni")
	f(Query{Range: TimeRange{at(0, 0, 0), at(23, 0, 0)}, GroupBy: []Dim{HourOfDay(), Weekday()}, Filter: Filter{Conds: []Cond{Eq(flowlog.FieldAction, "REJECT")}}}, "1m/eni")
	// A bucket that is not a multiple of the minute stays raw.
	f(Query{Range: TimeRange{at(0, 0, 0), at(23, 0, 0)}, Bucket: 90 * time.Second}, "raw")
	// A range within one hour never uses the hourly rollup.
	q := Query{Range: TimeRange{at(5, 10, 0), at(5, 50, 0)}, GroupBy: bySrc, Resolution: ResolutionHour}
	f(q, "1m/src")
	// SQL filters use rollups only when their fields are known.
	f(Query{Range: TimeRange{at(0, 0, 0), at(23, 0, 0)}, Filter: Filter{SQL: "dstport = ?", Args: []any{22}}}, "raw")
	f(Query{Range: TimeRange{at(0, 0, 0), at(23, 0, 0)}, Filter: Filter{SQL: "dstport = ?", Args: []any{22}, SQLFields: []flowlog.FieldID{flowlog.FieldDstPort}}}, "1h/port")
	// Forcing a resolution that cannot answer is an error.
	bad := Query{GroupBy: []Dim{FieldDim(flowlog.FieldSrcPort)}, Resolution: ResolutionMinute}
	if _, err := MakePlan(&bad, cfg, est); err == nil || !strings.Contains(err.Error(), "cannot answer") {
		t.Errorf("forced minute for srcport: %v", err)
	}
}

// TestPlanPartsCover checks that the parts of any plan are disjoint and
// cover the range exactly, for many unaligned ranges.
func TestPlanPartsCover(t *testing.T) {
	est := rows{"raw": 1 << 30, "1m/src": 1 << 20, "1h/src": 1}
	cfg := DefaultPlanConfig()
	for i := 0; i < 500; i++ {
		a := t0.Add(time.Duration(i*7919%86400) * time.Second)
		b := a.Add(time.Duration(1+i*104729%(3*86400)) * time.Second)
		q := Query{Range: TimeRange{a, b}, GroupBy: []Dim{FieldDim(flowlog.FieldSrcAddr)}}
		p, err := MakePlan(&q, cfg, est)
		if err != nil {
			t.Fatal(err)
		}
		// Sorted by start, the parts must tile [a, b).
		parts := append(Plan(nil), p...)
		slices.SortFunc(parts, func(x, y Part) int { return x.Range.Start.Compare(y.Range.Start) })
		next := a
		for _, part := range parts {
			if part.Range.Start.IsZero() || part.Range.End.IsZero() {
				t.Fatalf("range [%v,%v): open part in %s", a, b, p)
			}
			if step := part.Resolution.Step(); step > 0 && (part.Range.Start.Truncate(step) != part.Range.Start || part.Range.End.Truncate(step) != part.Range.End) {
				t.Fatalf("range [%v,%v): part %v not aligned on %s in %s", a, b, part.Range, step, p)
			}
			if !part.Range.Start.Equal(next) || !part.Range.Start.Before(part.Range.End) {
				t.Fatalf("range [%v,%v): plan %s has a gap or overlap at %v", a, b, p, next)
			}
			next = part.Range.End
		}
		if !next.Equal(b) {
			t.Fatalf("range [%v,%v): plan %s ends at %v", a, b, p, next)
		}
	}
}

// fakeDialect is a minimal dialect for SQL shape tests.
type fakeDialect struct{}

func (fakeDialect) Name() string          { return "fake" }
func (fakeDialect) Quote(s string) string { return `"` + s + `"` }
func (fakeDialect) Table(r Resolution, c string) string {
	if c != "" {
		return "t_" + r.String() + "_" + c
	}
	return "t_" + r.String()
}
func (d fakeDialect) Source(r Resolution, c string, _ TimeRange) string { return d.Table(r, c) }
func (fakeDialect) TimeBucket(c string, d time.Duration) string         { return "bucket(" + c + ")" }
func (fakeDialect) HourOfDay(c string) string                           { return "hour(" + c + ")" }
func (fakeDialect) Weekday(c string) string                             { return "dow(" + c + ")" }
func (fakeDialect) PrefixKey(f flowlog.FieldID, b4, b6 int) [3]string {
	return [3]string{"v4", "hi", "lo"}
}
func (fakeDialect) InPrefix(f flowlog.FieldID, p netip.Prefix) (string, []any) {
	return "inprefix(" + f.Column() + ")", []any{p.String()}
}
func (fakeDialect) ApproxDistinct(e string) string { return "approx(" + e + ")" }
func (fakeDialect) Uint(e string) string           { return "uint(" + e + ")" }
func (fakeDialect) Limit(n int) string             { return "LIMIT " + string(rune('0'+n)) }

func TestBuild(t *testing.T) {
	q := Query{
		Range:    TimeRange{t0, t0.Add(2 * time.Hour)},
		GroupBy:  []Dim{FieldDim(flowlog.FieldSrcAddr)},
		Measures: []Measure{Bytes, Distinct(flowlog.FieldDstPort)},
		Filter:   Filter{Conds: []Cond{Eq(flowlog.FieldAction, flowlog.ActionReject), InPrefix(flowlog.FieldDstAddr, "10.0.0.0/8")}},
		OrderBy:  []Order{{Column: "bytes", Desc: true}},
		Limit:    5,
	}
	plan := Plan{{Resolution: ResolutionHour, Range: TimeRange{t0.Add(time.Hour), t0.Add(2 * time.Hour)}},
		{Resolution: ResolutionRaw, Range: TimeRange{t0, t0.Add(time.Hour)}}}
	b, err := Build(fakeDialect{}, &q, plan)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"FROM t_1h WHERE \"start\" >= ? AND \"start\" < ? AND \"action\" = ? AND (inprefix(dstaddr))",
		"UNION ALL SELECT \"srcaddr\" AS k0, \"dstport\" AS d0, sum(\"bytes\") AS m0 FROM t_raw",
		"count(DISTINCT d0) AS m1",
		"ORDER BY m0 DESC NULLS LAST, k0 ASC NULLS LAST LIMIT 5",
	} {
		if !strings.Contains(b.SQL, want) {
			t.Errorf("SQL lacks %q:\n%s", want, b.SQL)
		}
	}
	// Arguments follow the placeholders of each part in order.
	want := []any{t0.Add(time.Hour).Unix(), t0.Add(2 * time.Hour).Unix(), "REJECT", "10.0.0.0/8", t0.Unix(), t0.Add(time.Hour).Unix(), "REJECT", "10.0.0.0/8"}
	if len(b.Args) != len(want) {
		t.Fatalf("args %v, want %v", b.Args, want)
	}
	for i := range want {
		if b.Args[i] != want[i] {
			t.Fatalf("arg %d = %v (%T), want %v", i, b.Args[i], b.Args[i], want[i])
		}
	}
}

func TestDecodePrefix(t *testing.T) {
	f := func(d Dim, vs []any, want any) {
		t.Helper()
		got, err := decodePrefix(d, vs)
		if err != nil || got != want {
			t.Errorf("decodePrefix(%v) = %v, %v; want %v", vs, got, err, want)
		}
	}
	d := PrefixDim(flowlog.FieldSrcAddr, 24, 48)
	f(d, []any{uint64(0x0a000100), nil, nil}, "10.0.1.0/24")
	f(d, []any{nil, uint64(0x20010db800010000), uint64(0)}, "2001:db8:1::/48")
	f(d, []any{nil, nil, nil}, nil)
}
