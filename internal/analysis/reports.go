package analysis

import (
	"context"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
)

// Origins of the built-in reports.
const (
	// OriginAthena marks the predefined queries of the Amazon VPC console's
	// Athena integration (the named queries of its CloudFormation template).
	OriginAthena = "Athena"
	// OriginCloudWatch marks the CloudWatch Logs Insights sample queries for
	// VPC flow logs.
	OriginCloudWatch = "CloudWatch Logs Insights"
)

// Param describes a report parameter.
type Param struct {
	Name        string
	Description string
	Required    bool
	// Default is the value used when the parameter is not given ("" for
	// none).
	Default string
}

// ReportInfo describes a built-in report.
type ReportInfo struct {
	// Name is what `flowlens report NAME` takes (kebab case). The AWS name
	// is accepted too.
	Name  string
	Title string
	// Description says what the report shows and how it maps the AWS
	// query to flowlens.
	Description string
	Params      []Param
	// Origin is OriginAthena or OriginCloudWatch.
	Origin string
	// AWSName is the name of the Athena named query, or the title of the
	// CloudWatch Logs Insights sample query.
	AWSName string
	// AWSQuery is the CloudWatch Logs Insights query text ("" for Athena).
	AWSQuery string
	// Limit is the default number of rows of the report's ranking (0 for
	// reports without one); Options.Limit overrides it.
	Limit int
}

type reportDef struct {
	ReportInfo
	run func(ctx context.Context, x *reportRun) ([]*render.Table, error)
}

// reportRun is one execution of a report.
type reportRun struct {
	r      store.Reader
	def    *reportDef
	params map[string]string
	opts   Options // Limit resolved
}

// Reports returns the built-in reports: the Athena ones, then the
// CloudWatch Logs Insights ones, each in alphabetical order.
func Reports() []ReportInfo {
	defs := reportDefs()
	out := make([]ReportInfo, len(defs))
	for i := range defs {
		out[i] = defs[i].ReportInfo
		out[i].Params = append([]Param(nil), defs[i].Params...)
	}
	return out
}

// LookupReport returns the report named name (its flowlens name or its AWS
// name, in any case).
func LookupReport(name string) (ReportInfo, error) {
	d, err := findReport(name)
	if err != nil {
		return ReportInfo{}, err
	}
	info := d.ReportInfo
	info.Params = append([]Param(nil), d.Params...)
	return info, nil
}

func findReport(name string) (*reportDef, error) {
	defs := reportDefs()
	k := strings.ToLower(strings.TrimSpace(name))
	var names []string
	for i := range defs {
		d := &defs[i]
		if k == d.Name || (d.Origin == OriginAthena && k == strings.ToLower(d.AWSName)) {
			return d, nil
		}
		names = append(names, d.Name)
	}
	if k == "" {
		return nil, fmt.Errorf("no report name given: use one of %s", strings.Join(names, ", "))
	}
	return nil, fmt.Errorf("unknown report %q: did you mean %q? The reports are %s",
		name, closest(k, names), strings.Join(names, ", "))
}

// RunReport runs the report called name with its parameters and returns
// its tables. opts.Limit overrides the report's number of rows.
func RunReport(ctx context.Context, r store.Reader, name string, params map[string]string, opts Options) ([]*render.Table, error) {
	d, err := findReport(name)
	if err != nil {
		return nil, err
	}
	p, err := d.checkParams(params)
	if err != nil {
		return nil, err
	}
	if opts.Limit < 0 {
		return nil, fmt.Errorf("report %s: limit %d is negative", d.Name, opts.Limit)
	}
	if opts.Limit == 0 {
		opts.Limit = d.Limit
	}
	tabs, err := d.run(ctx, &reportRun{r: r, def: d, params: p, opts: opts})
	if err != nil {
		return nil, fmt.Errorf("report %s: %w", d.Name, err)
	}
	return tabs, nil
}

// checkParams validates the given parameters and fills in defaults.
func (d *reportDef) checkParams(given map[string]string) (map[string]string, error) {
	known := map[string]bool{}
	var names []string
	for _, p := range d.Params {
		known[p.Name] = true
		names = append(names, p.Name)
	}
	var unknown []string
	for k := range given {
		if !known[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		if len(names) == 0 {
			return nil, fmt.Errorf("report %s takes no parameters (got %s)", d.Name, strings.Join(unknown, ", "))
		}
		return nil, fmt.Errorf("report %s: unknown parameter %s: it takes %s", d.Name, strings.Join(unknown, ", "), strings.Join(names, ", "))
	}
	out := make(map[string]string, len(d.Params))
	for _, p := range d.Params {
		v, ok := given[p.Name]
		v = strings.TrimSpace(v)
		switch {
		case ok && v != "":
			out[p.Name] = v
		case p.Required:
			return nil, fmt.Errorf("report %s needs parameter %s: %s (e.g. %s=%s)", d.Name, p.Name, p.Description, p.Name, exampleOf(p.Name))
		case p.Default != "":
			out[p.Name] = p.Default
		}
	}
	return out, nil
}

func exampleOf(param string) string {
	switch param {
	case "ports":
		return "22,3389"
	case "cidr":
		return "10.0.1.0/24"
	}
	return "10.0.1.5"
}

// prefix parses parameter name as an address or a CIDR prefix.
func (x *reportRun) prefix(name string) (netip.Prefix, bool, error) {
	v, ok := x.params[name]
	if !ok {
		return netip.Prefix{}, false, nil
	}
	if p, err := netip.ParsePrefix(v); err == nil {
		return p.Masked(), true, nil
	}
	a, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Prefix{}, false, fmt.Errorf("parameter %s: %q is not an IP address or a CIDR prefix (e.g. 10.0.1.5 or 10.0.0.0/16)", name, v)
	}
	return netip.PrefixFrom(a, a.BitLen()), true, nil
}

// ports parses parameter name as a comma-separated list of ports.
func (x *reportRun) ports(name string) ([]any, error) {
	var out []any
	for _, f := range strings.Split(x.params[name], ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.ParseUint(f, 10, 16)
		if err != nil {
			return nil, fmt.Errorf("parameter %s: %q is not a port number (0-65535)", name, f)
		}
		out = append(out, uint16(n))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("parameter %s: no ports given (e.g. %s=22,3389)", name, name)
	}
	return out, nil
}

// tableName returns the name of a table of the report.
func (x *reportRun) tableName(suffix string) string {
	n := strings.ReplaceAll(x.def.Name, "-", "_")
	if suffix != "" {
		n += "_" + suffix
	}
	return n
}

// closest returns the candidate with the smallest edit distance to s
// (ties: the earlier one).
func closest(s string, candidates []string) string {
	best, bestD := "", -1
	s = alnum(s)
	for _, name := range candidates {
		c := alnum(name)
		d := editDistance(s, c)
		if strings.Contains(c, s) || strings.Contains(s, c) {
			d = min(d, abs(len(c)-len(s)))
		}
		if bestD < 0 || d < bestD {
			best, bestD = name, d
		}
	}
	return best
}

// alnum keeps the lower-case letters and digits of s.
func alnum(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, strings.ToLower(s))
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// editDistance is the Levenshtein distance between a and b (bytes).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
