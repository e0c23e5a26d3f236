package store

import (
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// A below dimension is the same CASE expression in every part of a
// two-phase query, grouped by position and aliased like any key; Unordered
// drops the ORDER BY.
func TestBuildBelowUnordered(t *testing.T) {
	q := Query{
		Range:     TimeRange{t0, t0.Add(2 * time.Hour)},
		GroupBy:   []Dim{FieldDim(flowlog.FieldDstAddr), BelowDim(flowlog.FieldDstPort, 32768)},
		Measures:  []Measure{Flows},
		Unordered: true,
	}
	plan := Plan{{Resolution: ResolutionHour, Range: TimeRange{t0.Add(time.Hour), t0.Add(2 * time.Hour)}},
		{Resolution: ResolutionRaw, Range: TimeRange{t0, t0.Add(time.Hour)}}}
	b, err := Build(fakeDialect{}, &q, plan)
	if err != nil {
		t.Fatal(err)
	}
	below := `CASE WHEN "dstport" < 32768 THEN "dstport" END AS k1`
	if n := strings.Count(b.SQL, below); n != 2 {
		t.Errorf("SQL has %d times %q, want one per part:\n%s", n, below, b.SQL)
	}
	if !strings.HasSuffix(b.SQL, ") AS parts GROUP BY 1, 2") {
		t.Errorf("unordered SQL does not end with the outer GROUP BY:\n%s", b.SQL)
	}
	if b.Out[1].Name != "dstport" || b.Out[1].Kind != OutField || outType(b.Out[1]) != TypeUint {
		t.Errorf("below column %+v, want dstport, a field value of type uint", b.Out[1])
	}
	q.Unordered = false
	if b, err = Build(fakeDialect{}, &q, plan[1:]); err != nil {
		t.Fatal(err)
	}
	if !strings.HasSuffix(b.SQL, "GROUP BY 1, 2 ORDER BY k0 ASC NULLS LAST, k1 ASC NULLS LAST") {
		t.Errorf("ordered SQL:\n%s", b.SQL)
	}
}

// A rollup answers a below dimension exactly when it has the field.
func TestCubeCoversBelow(t *testing.T) {
	f := func(cube string, d Dim, want bool) {
		t.Helper()
		c, ok := CubeByName(cube)
		if !ok {
			t.Fatalf("no cube %q", cube)
		}
		q := Query{GroupBy: []Dim{d}}
		if got := CubeCovers(ResolutionHour, c, &q); got != want {
			t.Errorf("cube %q covers %+v: %v, want %v", cube, d, got, want)
		}
	}
	f("", BelowDim(flowlog.FieldDstPort, 1024), true)
	f("port", BelowDim(flowlog.FieldDstPort, 1024), true)
	f("port", BelowDim(flowlog.FieldProtocol, 17), true)
	f("src", BelowDim(flowlog.FieldDstPort, 1024), false)
	f("", BelowDim(flowlog.FieldSrcPort, 1024), false)
}

func TestValidateBelow(t *testing.T) {
	f := func(d Dim, want string) {
		t.Helper()
		err := validate(&Query{GroupBy: []Dim{d}})
		switch {
		case want == "" && err != nil:
			t.Errorf("%+v: %v", d, err)
		case want != "" && (err == nil || !strings.Contains(err.Error(), want)):
			t.Errorf("%+v: error %v, want one containing %q", d, err, want)
		}
	}
	f(BelowDim(flowlog.FieldSrcPort, 32768), "")
	f(BelowDim(flowlog.FieldProtocol, 1), "")
	f(Dim{Kind: DimBelow, Field: flowlog.FieldBytes, Limit: 1 << 40, As: "small_bytes"}, "")
	f(BelowDim(flowlog.FieldSrcPort, 0), "positive limit")
	f(BelowDim(flowlog.FieldSrcAddr, 10), "not an unsigned number")
	f(BelowDim(flowlog.FieldStart, 10), "not an unsigned number")
	f(BelowDim(flowlog.FieldFlowDirection, 10), "not an unsigned number")
	f(BelowDim(flowlog.FieldInterfaceID, 10), "not an unsigned number")
	f(ServiceDim(flowlog.FieldSrcPort, 32768), "")
	f(ServiceDim(flowlog.FieldDstPort, 1024), "")
	f(ServiceDim(flowlog.FieldDstPort, 0), "not in 1-65535")
	f(ServiceDim(flowlog.FieldProtocol, 1024), "applies to srcport or dstport")
	f(Dim{Kind: DimService + 1, Field: flowlog.FieldSrcPort}, "unknown dimension kind")
}
