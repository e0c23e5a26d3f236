package analysis

import (
	"context"
	"fmt"
	"time"

	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
)

// MaxPoints is the largest number of points TimeSeries returns; an explicit
// bucket giving more is refused.
const MaxPoints = 100_000

// MaxAutoPoints is the most points an automatic bucket gives.
const MaxAutoPoints = 300

const week = 7 * 24 * time.Hour

// autoSteps are the bucket widths AutoBucket chooses from. Each is at most
// six times the previous one, so ranges of 50 minutes or more get at least
// 50 points (except 300 to 350 days: 43 to 50 weekly points).
var autoSteps = [...]time.Duration{
	time.Minute, 5 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, week,
}

// AutoBucket returns the smallest of 1m, 5m, 15m, 30m, 1h, 3h, 6h, 12h, 1d
// and 7d (then whole weeks) that splits a range of length span into at most
// MaxAutoPoints buckets. Every choice is a multiple of 1m and the ones from
// 1h of 1h, so the store answers from rollups.
func AutoBucket(span time.Duration) time.Duration {
	for _, s := range autoSteps {
		if ceilDiv(span, s) <= MaxAutoPoints {
			return s
		}
	}
	weeks := ceilDiv(span, MaxAutoPoints*week)
	return time.Duration(weeks) * week
}

func ceilDiv(a, b time.Duration) int64 {
	if a <= 0 {
		return 0
	}
	return int64((a + b - 1) / b)
}

// bucketStart returns the start of the bucket of width b holding t, aligned
// as the store aligns buckets (multiples of b since the Unix epoch; weeks
// start on Monday).
func bucketStart(t time.Time, b time.Duration) time.Time {
	secs := int64(b / time.Second)
	var off int64
	if secs%(7*86400) == 0 {
		off = 4 * 86400 // 1970-01-05 is the first Monday
	}
	v := t.Unix() - off
	m := v % secs
	if m < 0 {
		m += secs
	}
	return time.Unix(v-m+off, 0).UTC()
}

// SeriesOptions configures TimeSeries.
type SeriesOptions struct {
	Options
	// Bucket is the width of a point, a whole number of seconds; 0 chooses
	// one with AutoBucket.
	Bucket time.Duration
}

// Point is the traffic of one bucket.
type Point struct {
	Time time.Time // bucket start, UTC
	Counts
}

// Series is traffic over time.
type Series struct {
	Bucket time.Duration
	// Range is the range covered: the options' range, with open sides
	// closed by the stored data.
	Range store.TimeRange
	// Points holds every bucket from the one holding Range.Start to the one
	// holding the last second before Range.End, zero-filled. Records without
	// a start time are in no point.
	Points []Point
	Plan   string
	// Title overrides the table title.
	Title string
}

// TimeSeries returns flows, packets and bytes per time bucket.
func TimeSeries(ctx context.Context, r store.Reader, opts SeriesOptions) (*Series, error) {
	if opts.Bucket < 0 || opts.Bucket%time.Second != 0 {
		return nil, fmt.Errorf("analysis: bucket %s must be a positive whole number of seconds (or 0 to choose one)", opts.Bucket)
	}
	tr, ok, err := dataRange(ctx, r, opts.Range)
	if err != nil {
		return nil, err
	}
	s := &Series{Bucket: opts.Bucket, Range: tr}
	if !ok || !tr.Start.Before(tr.End) {
		if s.Bucket == 0 {
			s.Bucket = time.Minute
		}
		return s, nil
	}
	if s.Bucket == 0 {
		s.Bucket = AutoBucket(tr.End.Sub(tr.Start))
	}
	first := bucketStart(tr.Start, s.Bucket)
	n := ceilDiv(tr.End.Sub(first), s.Bucket)
	if n > MaxPoints {
		return nil, fmt.Errorf("analysis: a bucket of %s splits %s → %s into %d points, more than %d: choose a larger bucket or a shorter range",
			s.Bucket, tr.Start.Format(time.RFC3339), tr.End.Format(time.RFC3339), n, MaxPoints)
	}
	q := opts.query(nil)
	q.Bucket = s.Bucket
	res, err := run(ctx, r, "time series", q)
	if err != nil {
		return nil, err
	}
	s.Plan = res.Plan
	c, err := newCounter(res)
	if err != nil {
		return nil, err
	}
	s.Points = make([]Point, n)
	for i := range s.Points {
		s.Points[i].Time = first.Add(time.Duration(i) * s.Bucket)
	}
	ti := res.Col("time")
	for _, row := range res.Rows {
		t, ok := row[ti].(time.Time)
		if !ok {
			continue // records without a start time
		}
		i := int64(t.Sub(first) / s.Bucket)
		if i < 0 || i >= n || !s.Points[i].Time.Equal(t) {
			return nil, fmt.Errorf("analysis: time series: the store returned bucket %s outside %s → %s", t.Format(time.RFC3339), first.Format(time.RFC3339), tr.End.Format(time.RFC3339))
		}
		s.Points[i].Add(c.counts(row))
	}
	return s, nil
}

// Total returns the sum of the points.
func (s *Series) Total() Counts {
	var t Counts
	for _, p := range s.Points {
		t.Add(p.Counts)
	}
	return t
}

// Table returns one row per point: time, flows, packets, bytes.
func (s *Series) Table() *render.Table {
	title := s.Title
	if title == "" {
		title = "Traffic per " + formatBucket(s.Bucket)
	}
	t := &render.Table{Name: "time_series", Title: title}
	t.Columns = append([]render.Column{{Name: "time", Title: "time", Kind: render.KindTime}}, countColumns()...)
	for _, p := range s.Points {
		t.Rows = append(t.Rows, []any{p.Time, p.Flows, p.Packets, p.Bytes})
	}
	return t
}

// formatBucket spells a bucket width compactly: 5m, 1h, 1d, 7d.
func formatBucket(b time.Duration) string {
	switch {
	case b <= 0:
		return "bucket"
	case b%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", b/(24*time.Hour))
	case b%time.Hour == 0:
		return fmt.Sprintf("%dh", b/time.Hour)
	case b%time.Minute == 0:
		return fmt.Sprintf("%dm", b/time.Minute)
	}
	return b.String()
}
