package render

import (
	"io"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// FormatWriter writes records whose flow log format may change from batch to
// batch (several files, or a header line in the middle of a stream), as
// `flowlens cat` meets them. The columns follow the format:
//
//   - jsonl and json objects simply carry the new keys;
//   - csv starts a new header row before the first row of the new format;
//   - table output starts a new table.
type FormatWriter struct {
	w    io.Writer
	f    Format
	cur  *parse.Format
	cols *Columns
	rw   RecordWriter
}

// NewFormatWriter returns a FormatWriter in output format f.
func NewFormatWriter(w io.Writer, f Format) *FormatWriter { return &FormatWriter{w: w, f: f} }

// Write writes batch, whose records have format format.
func (fw *FormatWriter) Write(format *parse.Format, batch []flowlog.Record) error {
	if format != fw.cur && (fw.cur == nil || format.Header() != fw.cur.Header()) {
		cols := ColumnsOf(format)
		switch w := fw.rw.(type) {
		case nil:
			rw, err := NewRecordWriter(fw.w, fw.f, cols)
			if err != nil {
				return err
			}
			fw.rw = rw
		case *jsonlWriter:
			w.cols = cols
		case *jsonWriter:
			w.cols = cols
		case *csvWriter:
			w.cols, w.header = cols, false
		default:
			if err := fw.rw.Close(); err != nil {
				return err
			}
			if _, err := io.WriteString(fw.w, "\n"); err != nil {
				return err
			}
			rw, err := NewRecordWriter(fw.w, fw.f, cols)
			if err != nil {
				return err
			}
			fw.rw = rw
		}
		fw.cols = cols
	}
	fw.cur = format
	return fw.rw.Write(batch)
}

// Close finishes the output (with an empty JSON array or CSV header-less
// output when no record was written).
func (fw *FormatWriter) Close() error {
	if fw.rw == nil {
		if fw.f == FormatJSON {
			_, err := io.WriteString(fw.w, "[]\n")
			return err
		}
		return nil
	}
	return fw.rw.Close()
}
