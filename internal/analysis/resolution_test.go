package analysis

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/store"
)

// TestRawEqualsAuto runs every analysis twice, from raw records and with
// the store's choice (rollups with raw or per-minute edges), and requires
// identical answers; it also requires that the automatic plans did use
// rollups.
func TestRawEqualsAuto(t *testing.T) {
	f := getFixture(t)
	ctx := context.Background()
	usedHour, usedMixed := false, false
	noteplan := func(p string) {
		usedHour = usedHour || strings.Contains(p, "1h")
		usedMixed = usedMixed || (strings.Contains(p, "1h") && strings.Contains(p, "1m") && strings.Contains(p, "raw["))
	}
	scopes := testRanges()
	for _, f := range testFilters()[:2] {
		f.name, f.rng = "partial-hours/"+f.name, scopes[1].rng
		scopes = append(scopes, f)
	}
	if testing.Short() {
		scopes = scopes[1:2]
	}
	for _, s := range scopes {
		t.Run(s.name, func(t *testing.T) {
			auto, raw := s.options(), s.options()
			raw.Resolution = store.ResolutionRaw
			same := func(what string, a, b any) {
				t.Helper()
				if !reflect.DeepEqual(a, b) {
					t.Errorf("%s: auto and raw differ:\nauto %+v\nraw  %+v", what, a, b)
				}
			}
			for _, by := range Dimensions() {
				a, err := Top(ctx, f.store, TopOptions{Options: auto, By: by})
				if err != nil {
					t.Fatal(err)
				}
				r, err := Top(ctx, f.store, TopOptions{Options: raw, By: by})
				if err != nil {
					t.Fatal(err)
				}
				noteplan(a.Plan)
				if !strings.Contains(r.Plan, "raw") || strings.Contains(r.Plan, "1h") {
					t.Errorf("forced raw plan %q", r.Plan)
				}
				same("top "+by.String(), a.Rows, r.Rows)
				same("top total "+by.String(), a.Total, r.Total)
			}
			ab, err1 := ActionBreakdown(ctx, f.store, auto)
			rb, err2 := ActionBreakdown(ctx, f.store, raw)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			noteplan(ab.Plan)
			same("breakdown", ab.Tables(), rb.Tables())

			as, err1 := TimeSeries(ctx, f.store, SeriesOptions{Options: auto})
			rs, err2 := TimeSeries(ctx, f.store, SeriesOptions{Options: raw})
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			noteplan(as.Plan)
			same("time series", as.Points, rs.Points)

			ah, err1 := HeatMapOf(ctx, f.store, HeatMapOptions{Options: auto})
			rh, err2 := HeatMapOf(ctx, f.store, HeatMapOptions{Options: raw})
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			same("heat map", ah.Cells, rh.Cells)

			ar, err1 := Rejected(ctx, f.store, RejectedOptions{Options: auto})
			rr, err2 := Rejected(ctx, f.store, RejectedOptions{Options: raw})
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			same("rejected", ar.Tables(), rr.Tables())

			asum, err1 := Summarize(ctx, f.store, auto)
			rsum, err2 := Summarize(ctx, f.store, raw)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			same("summary", asum.Tables(), rsum.Tables())

			for _, info := range Reports() {
				params := map[string]string{}
				for _, p := range info.Params {
					if p.Required {
						params[p.Name] = "10.0.0.0/8"
					}
				}
				a, err1 := RunReport(ctx, f.store, info.Name, params, auto)
				r, err2 := RunReport(ctx, f.store, info.Name, params, raw)
				if err1 != nil || err2 != nil {
					t.Fatal(info.Name, err1, err2)
				}
				same("report "+info.Name, a, r)
			}
		})
	}
	if !usedHour || !usedMixed {
		t.Errorf("the automatic plans never used the hour rollup (%v) or never combined it with the minute rollup and raw edges (%v): the test does not compare rollups", usedHour, usedMixed)
	}
}
