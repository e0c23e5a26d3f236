package webui

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"

	"github.com/flowlens/flowlens/internal/analysis/graph"
)

// GraphHTML writes g as one self-contained HTML page with the interactive
// graph viewer: the viewer's script and styles and the graph's JSON are
// inlined, and the page's content security policy forbids every network
// access, so the file opens offline and can be shared as is. It is the
// graph.Encoder of graph.FormatHTML.
func GraphHTML(w io.Writer, g *graph.Graph) error {
	js, css, err := Standalone()
	if err != nil {
		return fmt.Errorf("graph -o html: %w", err)
	}
	return writeGraphHTML(w, g, js, css)
}

// csp allows the inlined script and styles, data: images, and nothing else.
const csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:"

func writeGraphHTML(w io.Writer, g *graph.Graph, js, css []byte) error {
	title := fmt.Sprintf("flowlens graph: %s, %d nodes, %d edges", g.Group, len(g.Nodes), len(g.Edges))
	// The JSON encoder escapes <, > and &, so the data cannot end its
	// script element.
	data, err := json.Marshal(struct {
		*graph.Graph
		Title string `json:"title"`
	}{g, title})
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="%s">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="flowlens">
<title>%s</title>
<style>
`, csp, html.EscapeString(title))
	bw.Write(inlineSafe(css, "</style"))
	bw.WriteString("\n</style>\n</head>\n<body>\n<div id=\"flowlens-graph\"></div>\n")
	bw.WriteString(`<script type="application/json" id="flowlens-graph-data">`)
	bw.Write(data)
	bw.WriteString("</script>\n<script>\n")
	bw.Write(inlineSafe(js, "</script"))
	bw.WriteString("\n</script>\n</body>\n</html>\n")
	return bw.Flush()
}

// inlineSafe keeps inlined text from closing its element: "</script" (in
// any case) becomes "<\/script", which means the same in JavaScript
// strings, regular expressions and CSS.
func inlineSafe(b []byte, end string) []byte {
	var out []byte
	name := end[2:]
	for {
		i := bytes.Index(b, []byte("</"))
		if i < 0 {
			return append(out, b...)
		}
		out = append(out, b[:i+1]...)
		b = b[i+1:] // starts with "/"
		if len(b) >= 1+len(name) && bytes.EqualFold(b[1:1+len(name)], []byte(name)) {
			out = append(out, '\\')
		}
	}
}
