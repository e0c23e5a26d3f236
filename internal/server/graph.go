package server

import (
	"bytes"
	"strings"

	"github.com/flowlens/flowlens/internal/analysis/graph"
	"github.com/flowlens/flowlens/internal/flowlog"
)

// graphParams are the parameters of /api/v1/graph: the flags of flowlens
// graph (limit aside, which the graph does not take).
var graphParams = []string{"since", "from", "to", "where", "pattern", "format",
	"group", "external", "weight", "min_flows", "top_k", "max_nodes", "action", "output"}

// graphConfig builds the graph configuration from the parameters.
func (c *call) graphConfig() (graph.Configuration, error) {
	cfg := graph.DefaultConfiguration()
	cfg.Aliases, cfg.Subnets = c.s.deps.Aliases, c.s.deps.Subnets
	var err error
	if cfg.Group, err = graph.ParseGroup(orDefault(c.q.Get("group"), "ip")); err != nil {
		return cfg, badParam("group", "%s", err)
	}
	if cfg.External, err = graph.ParseExternal(orDefault(c.q.Get("external"), "auto")); err != nil {
		return cfg, badParam("external", "%s", err)
	}
	if cfg.Weight, err = c.metric("weight"); err != nil {
		return cfg, err
	}
	switch a := c.q.Get("action"); strings.ToUpper(a) {
	case "":
	case "ACCEPT":
		cfg.Action = flowlog.ActionAccept
	case "REJECT":
		cfg.Action = flowlog.ActionReject
	default:
		return cfg, badParam("action", "%q is not ACCEPT or REJECT", a)
	}
	minFlows, err := c.intParam("min_flows", 0)
	if err != nil {
		return cfg, err
	}
	cfg.MinFlows = uint64(minFlows)
	if cfg.TopK, err = c.intParam("top_k", 0); err != nil {
		return cfg, err
	}
	if cfg.TopK == 0 || cfg.TopK > c.s.cfg.MaxRows {
		if cfg.TopK > c.s.cfg.MaxRows {
			c.warnf("top_k %d is above the server's maximum of %d edges: keeping at most %d", cfg.TopK, c.s.cfg.MaxRows, c.s.cfg.MaxRows)
		}
		cfg.TopK = c.s.cfg.MaxRows
	}
	maxNodes, err := c.intParam("max_nodes", 0)
	switch {
	case err != nil:
		return cfg, err
	case maxNodes == 0:
		maxNodes = c.s.cfg.MaxNodes
	case maxNodes < 3:
		return cfg, badParam("max_nodes", "%d is too small: give at least 3 (the largest nodes plus the 'other' nodes)", maxNodes)
	case maxNodes > c.s.cfg.MaxNodes:
		c.warnf("max_nodes %d is above the server's maximum of %d nodes: using %d", maxNodes, c.s.cfg.MaxNodes, c.s.cfg.MaxNodes)
		maxNodes = c.s.cfg.MaxNodes
	}
	cfg.MaxNodes = maxNodes
	if cfg.Range, err = c.timeRange(); err != nil {
		return cfg, err
	}
	if cfg.Filter, err = c.filter(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// graphMedia are the download formats of the graph.
var graphMedia = map[graph.Format]struct{ mime, ext string }{
	graph.FormatDOT:     {"text/vnd.graphviz; charset=utf-8", "dot"},
	graph.FormatGraphML: {"application/graphml+xml; charset=utf-8", "graphml"},
	graph.FormatJSON:    {"application/json; charset=utf-8", "json"},
}

// GET /api/v1/graph: graph.Build. The data is the graph in the shape of
// `flowlens graph -o json`; its notes (aggregated nodes, dropped edges)
// are also warnings. output=dot|graphml|json downloads the file instead.
func (c *call) graph() (any, error) {
	var format graph.Format
	if o := c.q.Get("output"); o != "" {
		f, err := graph.ParseFormat(o)
		if _, ok := graphMedia[f]; err != nil || !ok {
			return nil, badParam("output", "%q is not a graph download format: use json, dot or graphml (or leave it out for the JSON envelope)", o)
		}
		format = f
	}
	cfg, err := c.graphConfig()
	if err != nil {
		return nil, err
	}
	g, err := graph.Build(c.ctx, c.store, cfg)
	if err != nil {
		return nil, err
	}
	c.warnings = append(c.warnings, g.Notes...)
	if format == "" {
		return g, nil
	}
	var buf bytes.Buffer
	if err := graph.Write(&buf, g, format); err != nil {
		return nil, err
	}
	m := graphMedia[format]
	c.download(m.mime, "graph."+m.ext, buf.Bytes())
	return nil, nil
}
