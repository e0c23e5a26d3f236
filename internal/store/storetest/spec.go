package storetest

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// parseSpec parses a query spec (see RunFiles).
func parseSpec(spec string) (store.Query, error) {
	var q store.Query
	for _, word := range strings.Fields(spec) {
		k, v, ok := strings.Cut(word, "=")
		if !ok {
			return q, fmt.Errorf("spec: %q is not key=value", word)
		}
		var err error
		switch k {
		case "range":
			q.Range, err = parseRange(v)
		case "by":
			q.GroupBy, err = parseDims(v)
		case "bucket":
			q.Bucket, err = time.ParseDuration(v)
		case "measures":
			q.Measures, err = parseMeasures(v)
		case "where":
			q.Filter.Conds, err = parseConds(v)
		case "order":
			for _, o := range strings.Split(v, ",") {
				desc := strings.HasPrefix(o, "-")
				q.OrderBy = append(q.OrderBy, store.Order{Column: strings.TrimPrefix(o, "-"), Desc: desc})
			}
		case "limit":
			q.Limit, err = strconv.Atoi(v)
		case "unordered":
			q.Unordered, err = strconv.ParseBool(v)
		case "res":
			q.Resolution, err = parseResolution(v)
		case "plan":
		default:
			return q, fmt.Errorf("spec: unknown key %q", k)
		}
		if err != nil {
			return q, fmt.Errorf("spec: %s: %w", k, err)
		}
	}
	return q, nil
}

// specValue returns the value of key in a spec.
func specValue(spec, key string) string {
	for _, word := range strings.Fields(spec) {
		if k, v, ok := strings.Cut(word, "="); ok && k == key {
			return v
		}
	}
	return ""
}

func parseResolution(s string) (store.Resolution, error) {
	switch s {
	case "auto":
		return store.ResolutionAuto, nil
	case "raw":
		return store.ResolutionRaw, nil
	case "1m":
		return store.ResolutionMinute, nil
	case "1h":
		return store.ResolutionHour, nil
	}
	return 0, fmt.Errorf("unknown resolution %q", s)
}

func parseRange(s string) (store.TimeRange, error) {
	a, b, ok := strings.Cut(s, "..")
	if !ok {
		return store.TimeRange{}, fmt.Errorf("%q: want <start>..<end>", s)
	}
	var tr store.TimeRange
	var err error
	if a != "" {
		if tr.Start, err = time.Parse(time.RFC3339, a); err != nil {
			return tr, err
		}
	}
	if b != "" {
		if tr.End, err = time.Parse(time.RFC3339, b); err != nil {
			return tr, err
		}
	}
	return tr, nil
}

func field(name string) (flowlog.FieldID, error) {
	id, ok := flowlog.Lookup(name)
	if !ok {
		return 0, fmt.Errorf("unknown field %q", name)
	}
	return id, nil
}

func parseDims(s string) ([]store.Dim, error) {
	var out []store.Dim
	for _, d := range strings.Split(s, ",") {
		switch d {
		case "hour":
			out = append(out, store.HourOfDay())
			continue
		case "weekday":
			out = append(out, store.Weekday())
			continue
		}
		if name, eph, ok := strings.Cut(d, "@"); ok {
			f, err := field(name)
			if err != nil {
				return nil, err
			}
			n, err := strconv.ParseUint(eph, 10, 16)
			if err != nil {
				return nil, fmt.Errorf("%q: want <port field>@<first ephemeral port>", d)
			}
			out = append(out, store.ServiceDim(f, uint16(n)))
			continue
		}
		if name, lim, ok := strings.Cut(d, "<"); ok {
			f, err := field(name)
			if err != nil {
				return nil, err
			}
			n, err := strconv.ParseUint(lim, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%q: want <field><<limit>, the limit a number", d)
			}
			out = append(out, store.BelowDim(f, n))
			continue
		}
		parts := strings.Split(d, "/")
		f, err := field(parts[0])
		if err != nil {
			return nil, err
		}
		if len(parts) == 1 {
			out = append(out, store.FieldDim(f))
			continue
		}
		if len(parts) != 3 {
			return nil, fmt.Errorf("%q: want <field>/<bits4>/<bits6>", d)
		}
		b4, err4 := strconv.Atoi(parts[1])
		b6, err6 := strconv.Atoi(parts[2])
		if err4 != nil || err6 != nil {
			return nil, fmt.Errorf("%q: bad prefix lengths", d)
		}
		out = append(out, store.PrefixDim(f, b4, b6))
	}
	return out, nil
}

func parseMeasures(s string) ([]store.Measure, error) {
	var out []store.Measure
	for _, m := range strings.Split(s, ",") {
		switch m {
		case "flows":
			out = append(out, store.Flows)
			continue
		case "packets":
			out = append(out, store.Packets)
			continue
		case "bytes":
			out = append(out, store.Bytes)
			continue
		}
		fn, arg, ok := strings.Cut(strings.TrimSuffix(m, ")"), "(")
		if !ok {
			return nil, fmt.Errorf("unknown measure %q", m)
		}
		f, err := field(arg)
		if err != nil {
			return nil, err
		}
		kinds := map[string]store.MeasureKind{"sum": store.MeasureSum, "distinct": store.MeasureDistinct,
			"approx": store.MeasureApproxDistinct, "min": store.MeasureMin, "max": store.MeasureMax}
		k, ok := kinds[fn]
		if !ok {
			return nil, fmt.Errorf("unknown measure %q", fn)
		}
		out = append(out, store.Measure{Kind: k, Field: f})
	}
	return out, nil
}

func parseConds(s string) ([]store.Cond, error) {
	var out []store.Cond
	for _, c := range strings.Split(s, ",") {
		switch {
		case strings.HasPrefix(c, "!") && !strings.ContainsAny(c, "=~<>"):
			f, err := field(c[1:])
			if err != nil {
				return nil, err
			}
			out = append(out, store.Cond{Field: f, Op: store.OpAbsent})
			continue
		case strings.HasSuffix(c, "?"):
			f, err := field(strings.TrimSuffix(c, "?"))
			if err != nil {
				return nil, err
			}
			out = append(out, store.Cond{Field: f, Op: store.OpPresent})
			continue
		}
		var op store.Op
		var name, val string
		for _, o := range []struct {
			tok string
			op  store.Op
		}{{"!~", store.OpNotInPrefix}, {"!=", store.OpNe}, {"<=", store.OpLe}, {">=", store.OpGe},
			{"~", store.OpInPrefix}, {"=", store.OpEq}, {"<", store.OpLt}, {">", store.OpGt}} {
			if i := strings.Index(c, o.tok); i > 0 {
				name, val, op = c[:i], c[i+len(o.tok):], o.op
				break
			}
		}
		if op == 0 {
			return nil, fmt.Errorf("condition %q has no operator", c)
		}
		f, err := field(name)
		if err != nil {
			return nil, err
		}
		var vals []any
		for _, v := range strings.Split(val, "|") {
			vals = append(vals, v)
		}
		if len(vals) > 1 {
			switch op {
			case store.OpEq:
				op = store.OpIn
			case store.OpNe:
				op = store.OpNotIn
			}
		}
		out = append(out, store.Cond{Field: f, Op: op, Values: vals})
	}
	return out, nil
}
