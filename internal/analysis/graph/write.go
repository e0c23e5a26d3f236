package graph

import (
	"bufio"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// Format is an export format.
type Format string

// Export formats.
const (
	// FormatJSON is {"nodes": [...], "edges": [...], ...}: the original
	// graph script's shape (edges with src, dst and count) extended.
	FormatJSON Format = "json"
	// FormatDOT is Graphviz: rejected edges red (partly rejected orange),
	// edge width by bytes.
	FormatDOT Format = "dot"
	// FormatGraphML is GraphML for Gephi and yEd, every attribute declared.
	FormatGraphML Format = "graphml"
	// FormatHTML is an interactive page; the web UI provides its Encoder
	// (see WriteWith).
	FormatHTML Format = "html"
)

// Formats returns the export formats.
func Formats() []Format { return []Format{FormatJSON, FormatDOT, FormatGraphML, FormatHTML} }

// ParseFormat parses json, dot (or gv), graphml or html.
func ParseFormat(s string) (Format, error) {
	switch k := strings.ToLower(strings.TrimSpace(s)); k {
	case "json", "dot", "graphml", "html":
		return Format(k), nil
	case "gv", "graphviz":
		return FormatDOT, nil
	}
	return "", fmt.Errorf("unknown graph format %q: use json, dot, graphml or html", s)
}

// Encoder writes a graph in some format.
type Encoder func(w io.Writer, g *Graph) error

// ErrNoEncoder is returned for a format without an encoder (html, until
// the web UI passes one to WriteWith).
var ErrNoEncoder = errors.New("no encoder for this format")

// Write writes g in format f (json, dot or graphml).
func Write(w io.Writer, g *Graph, f Format) error { return WriteWith(w, g, f, nil) }

// WriteWith is Write with extra encoders, which take precedence over the
// built-in ones (the hook through which the web UI adds html).
func WriteWith(w io.Writer, g *Graph, f Format, extra map[Format]Encoder) error {
	if enc, ok := extra[f]; ok && enc != nil {
		return enc(w, g)
	}
	switch f {
	case FormatJSON:
		return writeJSON(w, g)
	case FormatDOT:
		return writeDOT(w, g)
	case FormatGraphML:
		return writeGraphML(w, g)
	}
	return fmt.Errorf("graph: format %q: %w (use json, dot or graphml)", f, ErrNoEncoder)
}

func writeJSON(w io.Writer, g *Graph) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(g)
}

// dotString quotes s as a DOT string: backslashes and quotes escaped,
// line breaks as \n, other control characters as spaces.
func dotString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < 0x20 || r == 0x7f:
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

var dotNodeStyle = map[string]string{
	KindInternal: `shape=ellipse, style=filled, fillcolor="#dbe9f6"`,
	KindExternal: `shape=ellipse, style=filled, fillcolor="#fde0c5"`,
	KindService:  `shape=box, style="rounded,filled", fillcolor="#dff0d8"`,
	KindGroup:    `shape=box, style=filled, fillcolor="#e8e8e8"`,
	KindOther:    `shape=note, style="dashed,filled", fillcolor="#f7f7f7"`,
}

// humanBytes formats a byte count with binary units.
func humanBytes(n uint64) string {
	const units = "KMGTPE"
	if n < 1024 {
		return strconv.FormatUint(n, 10) + " B"
	}
	v, i := float64(n)/1024, 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return strconv.FormatFloat(v, 'f', 1, 64) + " " + units[i:i+1] + "iB"
}

// flows returns "1 flow" or "n flows".
func flows(n uint64) string {
	if n == 1 {
		return "1 flow"
	}
	return strconv.FormatUint(n, 10) + " flows"
}

func portLabel(p PortCount) string {
	return strconv.Itoa(int(p.Port)) + "/" + strings.ToLower(flowlog.ProtocolName(p.Protocol))
}

func writeDOT(w io.Writer, g *Graph) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "// flowlens conversation graph: group %s, %d nodes, %d edges", g.Group, len(g.Nodes), len(g.Edges))
	if g.Pseudonymized {
		bw.WriteString(", pseudonymized")
	}
	bw.WriteString("\n")
	for _, n := range g.Notes {
		bw.WriteString("// " + strings.ReplaceAll(n, "\n", " ") + "\n")
	}
	bw.WriteString("digraph flowlens {\n")
	bw.WriteString("  graph [rankdir=LR, overlap=false, splines=true, fontname=\"Helvetica\"];\n")
	bw.WriteString("  node [fontname=\"Helvetica\", fontsize=10];\n")
	bw.WriteString("  edge [fontname=\"Helvetica\", fontsize=8, arrowsize=0.6];\n")
	for _, n := range g.Nodes {
		style := dotNodeStyle[n.Kind]
		if style == "" {
			style = dotNodeStyle[KindGroup]
		}
		if n.External && n.Kind != KindExternal {
			style += `, color="#e6550d"`
		}
		tip := fmt.Sprintf("%s\n%s\n%s, %s", n.ID, n.Kind, flows(n.Totals.Flows), humanBytes(n.Totals.Bytes))
		fmt.Fprintf(bw, "  %s [label=%s, %s, tooltip=%s];\n", dotString(n.ID), dotString(n.Label), style, dotString(tip))
	}
	var maxBytes uint64
	for _, e := range g.Edges {
		maxBytes = max(maxBytes, e.Bytes)
	}
	for _, e := range g.Edges {
		width := 1.0
		if maxBytes > 0 {
			width += 5 * math.Log1p(float64(e.Bytes)) / math.Log1p(float64(maxBytes))
		}
		color := "#555555"
		switch {
		case e.Rejected.Flows > 0 && e.Accepted.Flows == 0:
			color = "#d62728"
		case e.Rejected.Flows > 0:
			color = "#ff7f0e"
		}
		label := flows(e.Flows) + ", " + humanBytes(e.Bytes)
		var ports []string
		for _, p := range e.Ports {
			ports = append(ports, portLabel(p))
		}
		if len(ports) > 0 {
			label += "\n" + strings.Join(ports, " ")
			if e.MorePorts > 0 {
				label += fmt.Sprintf(" +%d", e.MorePorts)
			}
		}
		tip := fmt.Sprintf("%s → %s\naccepted %s, rejected %s", e.Src, e.Dst, flows(e.Accepted.Flows), flows(e.Rejected.Flows))
		fmt.Fprintf(bw, "  %s -> %s [label=%s, penwidth=%.2f, color=%s, tooltip=%s];\n",
			dotString(e.Src), dotString(e.Dst), dotString(label), width, dotString(color), dotString(tip))
	}
	bw.WriteString("}\n")
	return bw.Flush()
}

type gmlKey struct {
	id, on, name, typ string
}

var gmlKeys = []gmlKey{
	{"n_label", "node", "label", "string"}, {"n_kind", "node", "kind", "string"},
	{"n_external", "node", "external", "boolean"}, {"n_group", "node", "group", "string"},
	{"n_port", "node", "port", "int"}, {"n_service", "node", "service", "string"},
	{"n_alias_kind", "node", "alias_kind", "string"}, {"n_members", "node", "members", "int"},
	{"n_flows", "node", "flows", "long"}, {"n_packets", "node", "packets", "long"}, {"n_bytes", "node", "bytes", "long"},
	{"n_flows_out", "node", "flows_out", "long"}, {"n_bytes_out", "node", "bytes_out", "long"},
	{"n_flows_in", "node", "flows_in", "long"}, {"n_bytes_in", "node", "bytes_in", "long"},
	{"e_count", "edge", "count", "long"}, {"e_packets", "edge", "packets", "long"}, {"e_bytes", "edge", "bytes", "long"},
	{"e_accepted_flows", "edge", "accepted_flows", "long"}, {"e_accepted_bytes", "edge", "accepted_bytes", "long"},
	{"e_rejected_flows", "edge", "rejected_flows", "long"}, {"e_rejected_bytes", "edge", "rejected_bytes", "long"},
	{"e_ports", "edge", "ports", "string"}, {"e_weight", "edge", "weight", "double"},
}

func xmlText(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

func writeGraphML(w io.Writer, g *Graph) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	bw.WriteString(`<graphml xmlns="http://graphml.graphdrawing.org/xmlns" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">` + "\n")
	fmt.Fprintf(bw, "  <desc>%s</desc>\n", xmlText(fmt.Sprintf("flowlens conversation graph: group %s, weight %s%s", g.Group, g.Weight,
		map[bool]string{true: ", pseudonymized"}[g.Pseudonymized])))
	for _, k := range gmlKeys {
		fmt.Fprintf(bw, "  <key id=%q for=%q attr.name=%q attr.type=%q/>\n", k.id, k.on, k.name, k.typ)
	}
	bw.WriteString("  <graph id=\"flowlens\" edgedefault=\"directed\">\n")
	data := func(key string, v any) {
		var s string
		switch x := v.(type) {
		case string:
			if x == "" {
				return
			}
			s = xmlText(x)
		case bool:
			s = strconv.FormatBool(x)
		case uint64:
			s = strconv.FormatUint(x, 10)
		case int:
			if x == 0 {
				return
			}
			s = strconv.Itoa(x)
		case float64:
			s = strconv.FormatFloat(x, 'g', -1, 64)
		}
		fmt.Fprintf(bw, "      <data key=%q>%s</data>\n", key, s)
	}
	for _, n := range g.Nodes {
		fmt.Fprintf(bw, "    <node id=\"%s\">\n", xmlText(n.ID))
		data("n_label", n.Label)
		data("n_kind", n.Kind)
		data("n_external", n.External)
		data("n_group", n.Group)
		data("n_port", int(n.Port))
		data("n_service", n.Service)
		data("n_alias_kind", n.AliasKind)
		data("n_members", n.Members)
		data("n_flows", n.Totals.Flows)
		data("n_packets", n.Totals.Packets)
		data("n_bytes", n.Totals.Bytes)
		data("n_flows_out", n.Out.Flows)
		data("n_bytes_out", n.Out.Bytes)
		data("n_flows_in", n.In.Flows)
		data("n_bytes_in", n.In.Bytes)
		bw.WriteString("    </node>\n")
	}
	for i, e := range g.Edges {
		fmt.Fprintf(bw, "    <edge id=\"e%d\" source=\"%s\" target=\"%s\">\n", i, xmlText(e.Src), xmlText(e.Dst))
		data("e_count", e.Flows)
		data("e_packets", e.Packets)
		data("e_bytes", e.Bytes)
		data("e_accepted_flows", e.Accepted.Flows)
		data("e_accepted_bytes", e.Accepted.Bytes)
		data("e_rejected_flows", e.Rejected.Flows)
		data("e_rejected_bytes", e.Rejected.Bytes)
		var ports []string
		for _, p := range e.Ports {
			ports = append(ports, portLabel(p)+"="+strconv.FormatUint(p.Flows, 10))
		}
		data("e_ports", strings.Join(ports, " "))
		data("e_weight", math.Log1p(float64(e.Bytes)))
		bw.WriteString("    </edge>\n")
	}
	bw.WriteString("  </graph>\n</graphml>\n")
	return bw.Flush()
}
