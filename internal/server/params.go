package server

import (
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/filterpattern"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/timerange"
	"github.com/flowlens/flowlens/internal/where"
)

// commonParams are the parameters of every analysis endpoint: the flags of
// the CLI's query-like commands.
var commonParams = []string{"since", "from", "to", "where", "pattern", "format", "limit"}

// options parses the common parameters into analysis options. Limit is the
// limit parameter (defLimit when absent or 0; 0 is the analysis' default),
// capped at MaxRows.
func (c *call) options(defLimit int) (analysis.Options, error) {
	var opts analysis.Options
	var err error
	if opts.Range, err = c.timeRange(); err != nil {
		return opts, err
	}
	if opts.Filter, err = c.filter(); err != nil {
		return opts, err
	}
	if opts.Limit, err = c.limit(defLimit); err != nil {
		return opts, err
	}
	return opts, nil
}

// timeRange parses since, from and to (the --since, --from and --to of the
// CLI).
func (c *call) timeRange() (store.TimeRange, error) {
	var tr store.TimeRange
	since, from, to := c.q.Get("since"), c.q.Get("from"), c.q.Get("to")
	if since != "" && from != "" {
		return tr, badParam("since", "since and from are exclusive: give one")
	}
	if since != "" {
		d, err := timerange.ParseDuration(since)
		if err != nil {
			return tr, badParam("since", "%s", err)
		}
		tr.Start = c.s.deps.Now().Add(-d).UTC()
	}
	var err error
	if from != "" {
		if tr.Start, err = timerange.ParseTime(from); err != nil {
			return tr, badParam("from", "%s", err)
		}
	}
	if to != "" {
		if tr.End, err = timerange.ParseTime(to); err != nil {
			return tr, badParam("to", "%s", err)
		}
	}
	if !tr.Start.IsZero() && !tr.End.IsZero() && !tr.Start.Before(tr.End) {
		return tr, badParam("to", "%s is not after the start %s: the range is empty",
			tr.End.Format(time.RFC3339), tr.Start.Format(time.RFC3339))
	}
	return tr, nil
}

// filter parses where and pattern (compiled against the layout of format).
func (c *call) filter() (store.Filter, error) {
	f, err := where.Parse(c.q.Get("where"))
	if err != nil {
		return f, badParam("where", "%s", strings.TrimPrefix(err.Error(), "--where "))
	}
	if d := c.s.deps.StoreDialect; d != nil && len(f.Conds) > 0 {
		if _, _, err := store.CompileFilter(d, &f); err != nil {
			return f, badParam("where", "%s", strings.TrimPrefix(err.Error(), "filter: "))
		}
	}
	pattern := c.q.Get("pattern")
	if strings.TrimSpace(pattern) == "" {
		if _, err := c.layout(); err != nil { // a bad format is an error even unused
			return f, err
		}
		return f, nil
	}
	p, err := filterpattern.Parse(pattern)
	if err != nil {
		return f, badParam("pattern", "%s", err)
	}
	layout, err := c.layout()
	if err != nil {
		return f, err
	}
	b, err := p.Bind(layout.Fields)
	if err != nil {
		return f, badParam("pattern", "%s", err)
	}
	sql, args, err := b.SQL(c.s.deps.Dialect)
	if err != nil {
		return f, badParam("pattern", "%q cannot run against the store: %s", pattern, err)
	}
	f.SQL, f.Args = sql, args
	c.warnings = append(c.warnings, b.Warnings()...)
	return f, nil
}

// layout returns the field layout of the format parameter (the default
// format when absent): what pattern labels and flow columns refer to.
func (c *call) layout() (*parse.Format, error) {
	s := c.q.Get("format")
	if strings.TrimSpace(s) == "" {
		return parse.DefaultFormat(), nil
	}
	f, err := parse.ParseFormat(s)
	if err != nil {
		return nil, badParam("format", "%s", err)
	}
	return f, nil
}

// limit parses the limit parameter: def when absent or 0, at most MaxRows
// (a larger limit is lowered, with a warning).
func (c *call) limit(def int) (int, error) {
	n, err := c.intParam("limit", def)
	if err != nil {
		return 0, err
	}
	if n == 0 {
		n = def
	}
	if n > c.s.cfg.MaxRows {
		c.warnf("limit %d is above the server's maximum of %d rows: returning at most %d", n, c.s.cfg.MaxRows, c.s.cfg.MaxRows)
		n = c.s.cfg.MaxRows
	}
	return n, nil
}

// intParam parses a non-negative integer parameter (def when absent).
func (c *call) intParam(name string, def int) (int, error) {
	s := strings.TrimSpace(c.q.Get(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	switch {
	case err != nil && strings.HasPrefix(s, "-") || err == nil && n < 0:
		return 0, badParam(name, "%q is negative: give a number of 0 or more", s)
	case err != nil:
		return 0, badParam(name, "%q is not a whole number", s)
	case n > 1<<31-1:
		return 0, badParam(name, "%s is too large", s)
	}
	return int(n), nil
}

// metric parses a metric parameter (bytes when absent).
func (c *call) metric(name string) (analysis.Metric, error) {
	m, err := analysis.ParseMetric(c.q.Get(name))
	if err != nil {
		return 0, badParam(name, "%s", err)
	}
	return m, nil
}

// bucket parses a bucket width: 5m, 1h, 1d, or auto (0) when absent.
func (c *call) bucket() (time.Duration, error) {
	s := strings.TrimSpace(c.q.Get("bucket"))
	if s == "" || strings.EqualFold(s, "auto") {
		return 0, nil
	}
	d, err := timerange.ParseDuration(s)
	if err != nil {
		return 0, badParam("bucket", "%s", err)
	}
	if d%time.Second != 0 {
		return 0, badParam("bucket", "%s is not a whole number of seconds", s)
	}
	return d, nil
}
