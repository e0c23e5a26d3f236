package render

import (
	"fmt"
	"io"
	"strings"
)

// Kind says what a table column holds. It drives the human formatting of
// table mode and the alignment; json, jsonl and csv keep the raw value.
type Kind uint8

const (
	// KindString is text (the zero value). Non-string values are shown
	// plainly.
	KindString Kind = iota
	// KindID is a number that names something (port, protocol, version):
	// no thousands separators, right-aligned.
	KindID
	// KindInt is a count: thousands separators in table mode (1,234,567).
	KindInt
	// KindFloat is a measure: thousands separators and 0 to 2 decimals
	// depending on the magnitude in table mode.
	KindFloat
	// KindBytes is a size in bytes: 1.46 GiB in table mode, the integer in
	// machine formats.
	KindBytes
	// KindBytesPerSecond is a throughput in bytes per second: 512 MiB/s in
	// table mode, the number in machine formats.
	KindBytesPerSecond
	// KindPercent is a percentage, 0 to 100 (not a 0-1 ratio): 12.5% in
	// table mode, 12.5 in machine formats.
	KindPercent
	// KindTime is an instant: a time.Time, or Unix seconds as an integer.
	// RFC 3339 UTC text in every format; a zero time.Time is null.
	KindTime
	// KindDuration is a time.Duration (or seconds as a number): 1m23s in
	// table mode, seconds as a JSON number or CSV decimal in machine formats.
	KindDuration
)

// Align is the alignment of a column in table mode.
type Align uint8

const (
	// AlignAuto right-aligns numeric kinds and left-aligns strings and times.
	AlignAuto Align = iota
	AlignLeft
	AlignRight
)

// Column describes one column of a Table.
type Column struct {
	// Name is the key in json and jsonl and the header in csv: snake_case.
	Name string
	// Title is the header in table mode; Name when empty.
	Title string
	Kind  Kind
	Align Align
}

// Table is a tabular result: what every query-like command prints.
//
// Cells hold Go values matching the column kind: integers, floats,
// strings, time.Time, time.Duration, netip.Addr, fmt.Stringer; nil is a
// missing value (null in json, an empty cell in csv, "-" in table mode).
type Table struct {
	// Name is the key of the table in json (RenderAll) and the value of the
	// "table" key in jsonl: snake_case. When empty it is derived from Title.
	Name string
	// Title is the section heading in table mode.
	Title   string
	Columns []Column
	Rows    [][]any
	// Vertical prints each row as "title  value" lines in table mode (for a
	// one-row summary with many columns). Machine formats are unaffected.
	Vertical bool
}

// key returns the machine name of t.
func (t *Table) key() string {
	if t.Name != "" {
		return t.Name
	}
	var b strings.Builder
	us := false
	for _, r := range strings.ToLower(t.Title) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if us && b.Len() > 0 {
				b.WriteByte('_')
			}
			us = false
			b.WriteRune(r)
		} else {
			us = true
		}
	}
	return b.String()
}

// validate checks that names are set and unique and that every row has one
// cell per column.
func (t *Table) validate() error {
	seen := make(map[string]bool, len(t.Columns))
	for i, c := range t.Columns {
		if c.Name == "" {
			return fmt.Errorf("render: table %q: column %d has no name", t.key(), i+1)
		}
		if seen[c.Name] {
			return fmt.Errorf("render: table %q: column %q appears twice", t.key(), c.Name)
		}
		seen[c.Name] = true
	}
	for i, row := range t.Rows {
		if len(row) != len(t.Columns) {
			return fmt.Errorf("render: table %q: row %d has %d cells for %d columns", t.key(), i+1, len(row), len(t.Columns))
		}
	}
	return nil
}

// Render writes one table to w in format f:
//
//   - FormatTable: "== Title ==" when Title is set, then aligned columns
//     with a header row (or "(none)" without rows).
//   - FormatJSON: an array of row objects keyed by column name.
//   - FormatJSONL: one row object per line.
//   - FormatCSV: a header row of column names, then the rows.
func Render(w io.Writer, t *Table, f Format) error {
	if err := t.validate(); err != nil {
		return err
	}
	o := output{w: w}
	switch f {
	case FormatTable:
		o.buf = appendTextTable(o.buf, t)
	case FormatJSON:
		o.buf = appendJSONRows(o.buf, t, "")
		o.buf = append(o.buf, '\n')
	case FormatJSONL:
		for _, row := range t.Rows {
			o.buf = appendRowObject(append(o.buf, '{'), t, row)
			o.buf = append(o.buf, '\n')
			if o.flushIfFull() != nil {
				break
			}
		}
	case FormatCSV:
		o.buf = appendCSVTable(o.buf, t, &o)
	default:
		return fmt.Errorf("render: unknown output format %s: use one of %s", f, strings.Join(FormatNames(), ", "))
	}
	return o.flush()
}

// RenderAll writes several tables (the sections of one result) to w:
//
//   - FormatTable: each table as Render prints it, separated by blank lines.
//   - FormatJSON: one object whose keys are the table names, in order, each
//     holding the array of row objects: {"summary":[{...}],"by_action":[...]}.
//   - FormatJSONL: one object per row of every table, with a first key
//     "table" naming its table: {"table":"by_action","action":"ACCEPT",...}.
//     A table without rows writes nothing.
//   - FormatCSV: each table as a header row and its rows; tables are
//     separated by one blank line.
//
// Table names must be unique; in jsonl no column may be named "table".
func RenderAll(w io.Writer, tables []*Table, f Format) error {
	seen := make(map[string]bool, len(tables))
	for i, t := range tables {
		if err := t.validate(); err != nil {
			return err
		}
		k := t.key()
		if k == "" {
			return fmt.Errorf("render: table %d has neither a name nor a title", i+1)
		}
		if seen[k] {
			return fmt.Errorf("render: two tables are named %q", k)
		}
		seen[k] = true
		if f == FormatJSONL {
			for _, c := range t.Columns {
				if c.Name == "table" {
					return fmt.Errorf("render: table %q: a column named \"table\" clashes with the jsonl table key", k)
				}
			}
		}
	}
	o := output{w: w}
	switch f {
	case FormatTable:
		for i, t := range tables {
			if i > 0 {
				o.buf = append(o.buf, '\n')
			}
			o.buf = appendTextTable(o.buf, t)
		}
	case FormatJSON:
		o.buf = append(o.buf, '{')
		for i, t := range tables {
			if i > 0 {
				o.buf = append(o.buf, ',')
			}
			o.buf = append(o.buf, "\n  "...)
			o.buf = appendJSONString(o.buf, t.key())
			o.buf = append(o.buf, ": "...)
			o.buf = appendJSONRows(o.buf, t, "  ")
		}
		if len(tables) > 0 {
			o.buf = append(o.buf, '\n')
		}
		o.buf = append(o.buf, "}\n"...)
	case FormatJSONL:
		for _, t := range tables {
			prefix := appendJSONString([]byte(`{"table":`), t.key())
			for _, row := range t.Rows {
				o.buf = append(o.buf, prefix...)
				if len(t.Columns) > 0 {
					o.buf = append(o.buf, ',')
				}
				o.buf = appendRowObject(o.buf, t, row)
				o.buf = append(o.buf, '\n')
				if o.flushIfFull() != nil {
					return o.err
				}
			}
		}
	case FormatCSV:
		for i, t := range tables {
			if i > 0 {
				o.buf = append(o.buf, '\n')
			}
			o.buf = appendCSVTable(o.buf, t, &o)
		}
	default:
		return fmt.Errorf("render: unknown output format %s: use one of %s", f, strings.Join(FormatNames(), ", "))
	}
	return o.flush()
}

// appendJSONRows appends the rows of t as a JSON array, one row per line,
// lines indented by indent plus two spaces.
func appendJSONRows(dst []byte, t *Table, indent string) []byte {
	if len(t.Rows) == 0 {
		return append(dst, "[]"...)
	}
	dst = append(dst, '[')
	for i, row := range t.Rows {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, '\n')
		dst = append(dst, indent...)
		dst = append(dst, "  {"...)
		dst = appendRowObject(dst, t, row)
	}
	dst = append(dst, '\n')
	dst = append(dst, indent...)
	return append(dst, ']')
}

// appendRowObject appends the members of one row object and its closing
// brace (the caller writes the opening brace and any leading members).
func appendRowObject(dst []byte, t *Table, row []any) []byte {
	for i, c := range t.Columns {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendJSONString(dst, c.Name)
		dst = append(dst, ':')
		dst = appendJSONValue(dst, normalize(row[i], c.Kind))
	}
	return append(dst, '}')
}

// appendCSVTable appends the header and rows of t as CSV, flushing o as the
// buffer fills.
func appendCSVTable(dst []byte, t *Table, o *output) []byte {
	for i, c := range t.Columns {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCSVField(dst, c.Name)
	}
	dst = append(dst, '\n')
	for _, row := range t.Rows {
		rowStart := len(dst)
		for i, c := range t.Columns {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendCSVValue(dst, normalize(row[i], c.Kind))
		}
		dst = endCSVRow(dst, rowStart)
		if len(dst) >= flushSize {
			o.buf = dst
			o.flush()
			dst = o.buf
		}
	}
	return dst
}
