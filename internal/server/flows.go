package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
)

// DefaultFlowsLimit is the page size of /api/v1/flows without a limit.
const DefaultFlowsLimit = 1000

// flowOutputs are the download formats of /api/v1/flows.
var flowOutputs = map[string]struct {
	format render.Format
	mime   string
}{
	"json":  {render.FormatJSON, "application/json; charset=utf-8"},
	"jsonl": {render.FormatJSONL, "application/x-ndjson; charset=utf-8"},
	"csv":   {render.FormatCSV, "text/csv; charset=utf-8"},
}

// output returns the download format of /flows ("" for the envelope): the
// output parameter, or format when it names an output format rather than
// a field layout (format=csv).
func (c *call) output() (string, error) {
	out := strings.ToLower(strings.TrimSpace(c.q.Get("output")))
	if f := strings.ToLower(strings.TrimSpace(c.q.Get("format"))); f != "" {
		if f == "ndjson" {
			f = "jsonl"
		}
		if _, ok := flowOutputs[f]; ok {
			if out != "" && out != f {
				return "", badParam("format", "%q names a download format and output is %q: give one", f, out)
			}
			out = f
			c.q.Del("format")
		}
	}
	if out == "ndjson" {
		out = "jsonl"
	}
	if _, ok := flowOutputs[out]; out != "" && !ok {
		return "", badParam("output", "%q is not a download format: use csv, json or jsonl", out)
	}
	return out, nil
}

// GET /api/v1/flows: a page of raw flows (the columns of the format
// layout), in a stable order, or a download (output=csv|json|jsonl).
func (c *call) flows() (any, error) {
	out, err := c.output()
	if err != nil {
		return nil, err
	}
	offset, err := c.intParam("offset", 0)
	if err != nil {
		return nil, err
	}
	desc := false
	switch o := strings.ToLower(c.q.Get("order")); o {
	case "", "asc":
	case "desc":
		desc = true
	default:
		return nil, badParam("order", "%q is not asc or desc", o)
	}
	opts, err := c.options(DefaultFlowsLimit)
	if err != nil {
		return nil, err
	}
	layout, err := c.layout()
	if err != nil {
		return nil, err
	}
	d := c.s.deps.StoreDialect
	if d == nil {
		return nil, errorf(http.StatusServiceUnavailable, "this store does not take SQL: raw flows are not available")
	}
	res, err := rawFlows(c.ctx, c.store, d, layout, opts, offset, desc)
	if err != nil {
		return nil, err
	}
	more := len(res.Rows) > opts.Limit
	if more {
		res.Rows = res.Rows[:opts.Limit]
	}
	if res.Truncated {
		more = true
		c.warnf("the store cut the page at %d rows", len(res.Rows))
	}
	page := newPage(offset, opts.Limit, len(res.Rows), more)
	t := analysis.ResultTable("flows", "Flows", res)
	if out != "" {
		if page.NextOffset != nil {
			c.w.Header().Set("Flowlens-Next-Offset", strconv.Itoa(*page.NextOffset))
		}
		var buf bytes.Buffer
		if err := render.Render(&buf, t, flowOutputs[out].format); err != nil {
			return nil, err
		}
		c.download(flowOutputs[out].mime, "flows."+out, buf.Bytes())
		return nil, nil
	}
	data, err := c.tables([]*render.Table{t}, opts.Range, "")
	if err != nil {
		return nil, err
	}
	data.Page = page
	return data, nil
}

// rawFlows selects a page of the stored flows of opts (time range, where
// conditions and the compiled pattern) with the columns of layout, ordered
// by start then by every column so that pages are stable: rows that tie
// are identical. It reads limit+1 rows, so that the caller knows whether
// more follow.
func rawFlows(ctx context.Context, r store.Reader, d store.Dialect, layout *parse.Format, opts analysis.Options, offset int, desc bool) (*store.Result, error) {
	var cols []string
	for _, id := range layout.Fields {
		if id != flowlog.FieldInvalid {
			cols = append(cols, d.Quote(id.Column()))
		}
	}
	if len(cols) == 0 {
		return nil, badParam("format", "%q names no known field", layout.String())
	}
	where, args, err := store.CompileFilter(d, &opts.Filter)
	if err != nil {
		return nil, badParam("where", "%s", err)
	}
	var conds []string
	var all []any
	if !opts.Range.Start.IsZero() {
		conds = append(conds, d.Quote("start")+" >= ?")
		all = append(all, ceilUnix(opts.Range.Start))
	}
	if !opts.Range.End.IsZero() {
		conds = append(conds, d.Quote("start")+" < ?")
		all = append(all, ceilUnix(opts.Range.End))
	}
	args = append(all, args...)
	if where != "" {
		conds = append(conds, "("+where+")")
	}
	dir := ""
	if desc {
		dir = " DESC"
	}
	order := []string{d.Quote("start") + dir}
	for _, col := range cols {
		if col != d.Quote("start") {
			order = append(order, col+dir)
		}
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM " + d.Table(store.ResolutionRaw, "")
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	q += " ORDER BY " + strings.Join(order, ", ") + " " + d.Limit(opts.Limit+1)
	if offset > 0 {
		q += fmt.Sprintf(" OFFSET %d", offset)
	}
	return r.SQL(ctx, q, args...)
}

// ceilUnix is the first whole second at or after t: the bound the store
// uses for a TimeRange (start is in whole seconds).
func ceilUnix(t time.Time) int64 {
	s := t.Unix()
	if t.Nanosecond() > 0 {
		s++
	}
	return s
}

// download writes a file response (no envelope): warnings go to
// Flowlens-Warning headers.
func (c *call) download(mime, filename string, body []byte) {
	h := c.w.Header()
	h.Set("Content-Type", mime)
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	for _, w := range c.warnings {
		h.Add("Flowlens-Warning", strings.Map(func(r rune) rune {
			if r < ' ' || r > '~' {
				return ' '
			}
			return r
		}, w))
	}
	c.w.WriteHeader(http.StatusOK)
	if c.r.Method != http.MethodHead {
		c.w.Write(body)
	}
	c.wrote = true
}
