package analysis

import (
	"context"
	"fmt"

	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
)

// Weekdays names the rows of a heat map, Monday first (as the store numbers
// weekdays).
var weekdays = [7]string{"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"}

// WeekdayName returns the name of weekday d (0 = Monday).
func WeekdayName(d int) string {
	if d < 0 || d >= len(weekdays) {
		return fmt.Sprintf("weekday %d", d)
	}
	return weekdays[d]
}

// HeatMapOptions configures HeatMap.
type HeatMapOptions struct {
	Options
	// Metric is the measure the table shows (default bytes); the result
	// holds all three.
	Metric Metric
}

// HeatMap is the traffic per UTC weekday and hour of day.
type HeatMap struct {
	Metric Metric
	// Cells[d][h] is the traffic of flows starting on weekday d (0 =
	// Monday) at hour h (0-23, UTC).
	Cells [7][24]Counts
	Plan  string
}

// HeatMapOf returns the weekday × hour-of-day matrix of traffic (by flow
// start, UTC). Records without a start time are in no cell.
func HeatMapOf(ctx context.Context, r store.Reader, opts HeatMapOptions) (*HeatMap, error) {
	if err := opts.Metric.valid(); err != nil {
		return nil, err
	}
	res, err := run(ctx, r, "heat map", opts.query([]store.Dim{store.Weekday(), store.HourOfDay()}))
	if err != nil {
		return nil, err
	}
	c, err := newCounter(res)
	if err != nil {
		return nil, err
	}
	h := &HeatMap{Metric: opts.Metric, Plan: res.Plan}
	wi, hi := res.Col(store.Weekday().Name()), res.Col(store.HourOfDay().Name())
	for _, row := range res.Rows {
		d, ok1 := asInt(row[wi])
		hr, ok2 := asInt(row[hi])
		if !ok1 || !ok2 {
			continue // no start time
		}
		if d < 0 || d > 6 || hr < 0 || hr > 23 {
			return nil, fmt.Errorf("analysis: heat map: the store returned weekday %d hour %d", d, hr)
		}
		h.Cells[d][hr].Add(c.counts(row))
	}
	return h, nil
}

// Table returns seven rows (Monday to Sunday) of 24 hourly values of the
// metric, plus the row's total.
func (h *HeatMap) Table() *render.Table {
	kind := render.KindInt
	if h.Metric == MetricBytes {
		kind = render.KindBytes
	}
	t := &render.Table{Name: "heat_map", Title: fmt.Sprintf("%s per weekday and hour (UTC)", h.Metric)}
	t.Columns = append(t.Columns, render.Column{Name: "weekday", Title: "weekday"})
	for hr := 0; hr < 24; hr++ {
		name := fmt.Sprintf("h%02d", hr)
		t.Columns = append(t.Columns, render.Column{Name: name, Title: fmt.Sprintf("%02d", hr), Kind: kind})
	}
	t.Columns = append(t.Columns, render.Column{Name: "total", Title: "total", Kind: kind})
	for d := range h.Cells {
		row := []any{weekdays[d]}
		var sum uint64
		for hr := range h.Cells[d] {
			v := h.Cells[d][hr].Get(h.Metric)
			sum += v
			row = append(row, v)
		}
		t.Rows = append(t.Rows, append(row, sum))
	}
	return t
}
