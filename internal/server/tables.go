package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
)

// Table is the JSON shape of every tabular result: the render.Table the CLI
// prints, with its rows as `flowlens ... -o json` writes them (one object
// per row keyed by column name; counts, bytes and percentages as numbers,
// times as RFC 3339 text, durations as seconds, absent values null).
type Table struct {
	Name    string          `json:"name"`
	Title   string          `json:"title,omitempty"`
	Columns []Column        `json:"columns"`
	Rows    json.RawMessage `json:"rows"`
}

// Column describes a column: Kind tells a UI how to format its values
// (string, id, int, float, bytes, bytes_per_second, percent, time,
// duration).
type Column struct {
	Name  string `json:"name"`
	Title string `json:"title,omitempty"`
	Kind  string `json:"kind"`
}

var kindNames = map[render.Kind]string{
	render.KindString: "string", render.KindID: "id", render.KindInt: "int", render.KindFloat: "float",
	render.KindBytes: "bytes", render.KindBytesPerSecond: "bytes_per_second", render.KindPercent: "percent",
	render.KindTime: "time", render.KindDuration: "duration",
}

// KindName returns the name of a column kind in the API.
func KindName(k render.Kind) string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return "string"
}

// tableJSON converts a render.Table.
func tableJSON(t *render.Table) (Table, error) {
	var buf bytes.Buffer
	if err := render.Render(&buf, t, render.FormatJSON); err != nil {
		return Table{}, fmt.Errorf("table %s: %w", t.Name, err)
	}
	out := Table{Name: t.Name, Title: t.Title, Columns: make([]Column, len(t.Columns)), Rows: bytes.TrimSpace(buf.Bytes())}
	for i, col := range t.Columns {
		out.Columns[i] = Column{Name: col.Name, Title: col.Title, Kind: KindName(col.Kind)}
	}
	return out, nil
}

func tablesJSON(ts []*render.Table) ([]Table, error) {
	out := make([]Table, 0, len(ts))
	for _, t := range ts {
		j, err := tableJSON(t)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, nil
}

// Range is a time range in responses: from inclusive, to exclusive, null
// when open.
type Range struct {
	From *time.Time `json:"from"`
	To   *time.Time `json:"to"`
}

func rangeJSON(tr store.TimeRange) *Range {
	var r Range
	if !tr.Start.IsZero() {
		t := tr.Start.UTC()
		r.From = &t
	}
	if !tr.End.IsZero() {
		t := tr.End.UTC()
		r.To = &t
	}
	return &r
}

// Tables is the data of the analysis endpoints (summary, top, breakdown,
// timeseries, heatmap, rejected, reports/{name}) and of flows.
type Tables struct {
	Tables []Table `json:"tables"`
	// Range is the requested time range.
	Range *Range `json:"range"`
	// Plan says which stored data answered (raw records, rollups).
	Plan string `json:"plan,omitempty"`

	// Total (top) counts every record selected, ranked or not.
	Total any `json:"total,omitempty"`
	// Bucket and BucketSeconds (timeseries, rejected) are the width of a
	// point; Covered the range the points cover.
	Bucket        string `json:"bucket,omitempty"`
	BucketSeconds int64  `json:"bucket_seconds,omitempty"`
	Covered       *Range `json:"covered,omitempty"`
	// Report (reports/{name}) describes the report.
	Report *ReportInfo `json:"report,omitempty"`
	// Page (flows) says where the page is and how to get the next one.
	Page *Page `json:"page,omitempty"`
}

// Page locates a page of rows.
type Page struct {
	Offset int `json:"offset"`
	Limit  int `json:"limit"`
	// HasMore is set when rows follow; NextOffset is then their offset.
	HasMore    bool `json:"has_more"`
	NextOffset *int `json:"next_offset,omitempty"`
}

func newPage(offset, limit, rows int, more bool) *Page {
	p := &Page{Offset: offset, Limit: limit, HasMore: more}
	if more {
		n := offset + rows
		p.NextOffset = &n
	}
	return p
}

// formatBucket spells a bucket width as the bucket parameter takes it.
func formatBucket(b time.Duration) string {
	switch {
	case b <= 0:
		return ""
	case b%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", b/(24*time.Hour))
	case b%time.Hour == 0:
		return fmt.Sprintf("%dh", b/time.Hour)
	case b%time.Minute == 0:
		return fmt.Sprintf("%dm", b/time.Minute)
	}
	return fmt.Sprintf("%ds", b/time.Second)
}
