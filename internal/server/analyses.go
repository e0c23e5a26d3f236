package server

import (
	"time"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
)

// tables builds the data of an analysis endpoint.
func (c *call) tables(ts []*render.Table, tr store.TimeRange, plan string) (*Tables, error) {
	js, err := tablesJSON(ts)
	if err != nil {
		return nil, err
	}
	return &Tables{Tables: js, Range: rangeJSON(tr), Plan: plan}, nil
}

// GET /api/v1/summary: analysis.Summarize (flowlens summary).
func (c *call) summary() (any, error) {
	opts, err := c.options(0)
	if err != nil {
		return nil, err
	}
	if opts.Limit == 0 {
		opts.Limit = analysis.SummaryTop
	}
	sum, err := analysis.Summarize(c.ctx, c.store, opts)
	if err != nil {
		return nil, err
	}
	return c.tables(sum.Tables(), opts.Range, sum.Plan)
}

// GET /api/v1/top?by=&metric=: analysis.Top (flowlens top).
func (c *call) top() (any, error) {
	by := c.q.Get("by")
	if by == "" {
		by = analysis.BySource.String()
	}
	dim, err := analysis.ParseDimension(by)
	if err != nil {
		return nil, badParam("by", "%s", err)
	}
	metric, err := c.metric("metric")
	if err != nil {
		return nil, err
	}
	opts, err := c.options(0)
	if err != nil {
		return nil, err
	}
	res, err := analysis.Top(c.ctx, c.store, analysis.TopOptions{Options: opts, By: dim, Metric: metric})
	if err != nil {
		return nil, err
	}
	out, err := c.tables([]*render.Table{res.Table()}, opts.Range, res.Plan)
	if err != nil {
		return nil, err
	}
	out.Total = res.Total
	return out, nil
}

// GET /api/v1/breakdown: analysis.ActionBreakdown.
func (c *call) breakdown() (any, error) {
	opts, err := c.options(0)
	if err != nil {
		return nil, err
	}
	b, err := analysis.ActionBreakdown(c.ctx, c.store, opts)
	if err != nil {
		return nil, err
	}
	return c.tables(b.Tables(), opts.Range, b.Plan)
}

// checkPoints refuses a bucket that splits the range into more points than
// the server returns.
func (c *call) checkPoints(tr store.TimeRange, bucket time.Duration) error {
	maxPoints := min(c.s.cfg.MaxRows, analysis.MaxPoints)
	if bucket == 0 {
		return nil // AutoBucket gives at most analysis.MaxAutoPoints
	}
	if tr.Start.IsZero() || tr.End.IsZero() {
		lo, hi, err := c.store.TimeRange(c.ctx)
		if err != nil {
			return err
		}
		if lo.IsZero() && hi.IsZero() {
			return nil
		}
		if tr.Start.IsZero() {
			tr.Start = lo
		}
		if tr.End.IsZero() {
			tr.End = hi.Add(time.Second)
		}
	}
	if n := int64(tr.End.Sub(tr.Start)/bucket) + 2; tr.Start.Before(tr.End) && n > int64(maxPoints) {
		return badParam("bucket", "%s splits %s → %s into about %d points, more than the %d the server returns: choose a larger bucket or a shorter range",
			formatBucket(bucket), tr.Start.UTC().Format(time.RFC3339), tr.End.UTC().Format(time.RFC3339), n, maxPoints)
	}
	return nil
}

// GET /api/v1/timeseries?bucket=: analysis.TimeSeries of all traffic and
// of rejected traffic, with the same points.
func (c *call) timeSeries() (any, error) {
	bucket, err := c.bucket()
	if err != nil {
		return nil, err
	}
	opts, err := c.options(0)
	if err != nil {
		return nil, err
	}
	if err := c.checkPoints(opts.Range, bucket); err != nil {
		return nil, err
	}
	all, err := analysis.TimeSeries(c.ctx, c.store, analysis.SeriesOptions{Options: opts, Bucket: bucket})
	if err != nil {
		return nil, err
	}
	rej := opts
	rej.Filter.Conds = append(append([]store.Cond(nil), opts.Filter.Conds...), store.Eq(flowlog.FieldAction, flowlog.ActionReject))
	if all.Range.Start.Before(all.Range.End) {
		rej.Range = all.Range // the same points, even if data arrives meanwhile
	}
	rejected, err := analysis.TimeSeries(c.ctx, c.store, analysis.SeriesOptions{Options: rej, Bucket: all.Bucket})
	if err != nil {
		return nil, err
	}
	rt := rejected.Table()
	rt.Name, rt.Title = "rejected_time_series", "Rejected traffic per "+formatBucket(rejected.Bucket)
	out, err := c.tables([]*render.Table{all.Table(), rt}, opts.Range, all.Plan+"; "+rejected.Plan)
	if err != nil {
		return nil, err
	}
	out.Bucket, out.BucketSeconds = formatBucket(all.Bucket), int64(all.Bucket/time.Second)
	out.Covered = rangeJSON(all.Range)
	return out, nil
}

// GET /api/v1/heatmap?metric=: analysis.HeatMapOf.
func (c *call) heatMap() (any, error) {
	metric, err := c.metric("metric")
	if err != nil {
		return nil, err
	}
	opts, err := c.options(0)
	if err != nil {
		return nil, err
	}
	h, err := analysis.HeatMapOf(c.ctx, c.store, analysis.HeatMapOptions{Options: opts, Metric: metric})
	if err != nil {
		return nil, err
	}
	return c.tables([]*render.Table{h.Table()}, opts.Range, h.Plan)
}

// GET /api/v1/rejected?bucket=: analysis.Rejected.
func (c *call) rejected() (any, error) {
	bucket, err := c.bucket()
	if err != nil {
		return nil, err
	}
	opts, err := c.options(0)
	if err != nil {
		return nil, err
	}
	if err := c.checkPoints(opts.Range, bucket); err != nil {
		return nil, err
	}
	res, err := analysis.Rejected(c.ctx, c.store, analysis.RejectedOptions{Options: opts, Bucket: bucket})
	if err != nil {
		return nil, err
	}
	out, err := c.tables(res.Tables(), opts.Range, res.Plan)
	if err != nil {
		return nil, err
	}
	out.Bucket, out.BucketSeconds = formatBucket(res.Series.Bucket), int64(res.Series.Bucket/time.Second)
	out.Covered = rangeJSON(res.Series.Range)
	return out, nil
}
