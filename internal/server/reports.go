package server

import (
	"net/http"

	"github.com/flowlens/flowlens/internal/analysis"
)

// ReportInfo describes a built-in report (GET /api/v1/reports).
type ReportInfo struct {
	// Name is the {name} of /api/v1/reports/{name}.
	Name        string `json:"name"`
	Title       string `json:"title"`
	Description string `json:"description"`
	// Origin is "Athena" or "CloudWatch Logs Insights"; AWSName the AWS
	// query's name and AWSQuery its text (CloudWatch only).
	Origin   string `json:"origin"`
	AWSName  string `json:"aws_name"`
	AWSQuery string `json:"aws_query,omitempty"`
	// Limit is the default number of rows of the report's ranking.
	Limit  int           `json:"limit,omitempty"`
	Params []ReportParam `json:"params"`
}

// ReportParam is a parameter of a report, given as a query parameter.
type ReportParam struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Required    bool   `json:"required"`
	Default     string `json:"default,omitempty"`
}

func reportInfo(r analysis.ReportInfo) *ReportInfo {
	out := &ReportInfo{Name: r.Name, Title: r.Title, Description: r.Description, Origin: r.Origin,
		AWSName: r.AWSName, AWSQuery: r.AWSQuery, Limit: r.Limit, Params: []ReportParam{}}
	for _, p := range r.Params {
		out.Params = append(out.Params, ReportParam{Name: p.Name, Description: p.Description, Required: p.Required, Default: p.Default})
	}
	return out
}

// ReportList is the data of GET /api/v1/reports.
type ReportList struct {
	Reports []*ReportInfo `json:"reports"`
}

// GET /api/v1/reports: the built-in reports.
func (c *call) reportList() (any, error) {
	out := &ReportList{Reports: []*ReportInfo{}}
	for _, r := range analysis.Reports() {
		out.Reports = append(out.Reports, reportInfo(r))
	}
	return out, nil
}

// GET /api/v1/reports/{name}?PARAM=VALUE: analysis.RunReport. The common
// parameters filter as everywhere; the others are the report's.
func (c *call) report() (any, error) {
	info, err := analysis.LookupReport(c.name)
	if err != nil {
		return nil, errorf(http.StatusNotFound, "%s", err)
	}
	params := map[string]string{}
	for k := range c.q {
		if k == "token" || contains(commonParams, k) {
			continue
		}
		params[k] = c.q.Get(k)
	}
	opts, err := c.options(0)
	if err != nil {
		return nil, err
	}
	tabs, err := analysis.RunReport(c.ctx, c.store, info.Name, params, opts)
	if err != nil {
		return nil, err
	}
	out, err := c.tables(tabs, opts.Range, "")
	if err != nil {
		return nil, err
	}
	out.Report = reportInfo(info)
	return out, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
