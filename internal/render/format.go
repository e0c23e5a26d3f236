// Package render writes flow records and analysis results for people and for
// machines: aligned text tables, JSON, JSON Lines and CSV.
//
// Two entry points:
//
//   - RecordWriter streams flowlog.Records (flowlens cat). The JSON object of
//     a record is keyed by the AWS field names spelled with '_' (account_id,
//     log_status); absent fields ('-' in the input) are omitted; numeric
//     fields are JSON numbers and every other field a string, enums in their
//     AWS spelling. This is the shape of Vector's parse_aws_vpc_flow_log
//     without its nulls.
//   - Render and RenderAll print Tables (every query-like command). Human
//     formatting (thousands separators, KiB/MiB/GiB, durations) happens in
//     table mode only; json, jsonl and csv carry raw machine values.
package render

import (
	"fmt"
	"strings"
)

// Format is an output format. The zero value is not a valid format.
type Format uint8

const (
	// FormatTable is aligned, human-readable text.
	FormatTable Format = iota + 1
	// FormatJSON is one JSON document (an array of objects for records).
	FormatJSON
	// FormatJSONL is JSON Lines: one JSON object per line.
	FormatJSONL
	// FormatCSV is RFC 4180 CSV with a header row ('\n' line ends).
	FormatCSV
)

var formatNames = [...]string{"", "table", "json", "jsonl", "csv"}

// Formats returns every format in the order of FormatNames.
func Formats() []Format { return []Format{FormatTable, FormatJSON, FormatJSONL, FormatCSV} }

// FormatNames returns the names ParseFormatName accepts (aliases excluded).
func FormatNames() []string {
	out := make([]string, 0, len(formatNames)-1)
	for _, f := range Formats() {
		out = append(out, f.String())
	}
	return out
}

// String returns the name of f ("jsonl").
func (f Format) String() string {
	if int(f) < len(formatNames) && f != 0 {
		return formatNames[f]
	}
	return fmt.Sprintf("format(%d)", int(f))
}

// Valid reports whether f is one of the defined formats.
func (f Format) Valid() bool { return f >= FormatTable && f <= FormatCSV }

// ParseFormatName parses an output format name, case-insensitively. It also
// accepts the aliases "text" (table) and "ndjson" (jsonl).
func ParseFormatName(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "table", "text":
		return FormatTable, nil
	case "json":
		return FormatJSON, nil
	case "jsonl", "ndjson":
		return FormatJSONL, nil
	case "csv":
		return FormatCSV, nil
	}
	return 0, fmt.Errorf("unknown output format %q: use one of %s", s, strings.Join(FormatNames(), ", "))
}

// Set parses s into f. With String and Type it makes *Format usable as a
// command-line flag value (pflag.Value).
func (f *Format) Set(s string) error {
	v, err := ParseFormatName(s)
	if err != nil {
		return err
	}
	*f = v
	return nil
}

// Type names the flag value type in command-line help.
func (f *Format) Type() string { return "format" }

// MarshalText implements encoding.TextMarshaler.
func (f Format) MarshalText() ([]byte, error) {
	if !f.Valid() {
		return nil, fmt.Errorf("invalid output format %d", int(f))
	}
	return []byte(f.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler (configuration files).
func (f *Format) UnmarshalText(b []byte) error { return f.Set(string(b)) }
