package render

import (
	"errors"
	"fmt"
	"io"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// RecordWriter streams flow records in one output format.
//
// Write encodes a batch; the batch may be reused as soon as Write returns.
// Close writes what the format needs at the end (the closing ']' of a JSON
// array, the rows a text table still holds) and flushes; it does not close
// the underlying io.Writer. A RecordWriter is not safe for concurrent use.
// After an error of the underlying writer, every later call returns it.
type RecordWriter interface {
	Write(batch []flowlog.Record) error
	Close() error
}

// NewRecordWriter returns a RecordWriter that writes records to w in format
// f, showing the fields cols:
//
//   - FormatJSONL: one object per line (Columns.AppendJSON).
//   - FormatJSON: one array of the same objects, one per line, streamed.
//   - FormatCSV: a header row of column names, then one row per record.
//   - FormatTable: aligned columns.
//
// In table mode the widths come from the header and the first rows, and a
// column widens later if a wider value shows up; values longer than
// MaxCellWidth characters are cut and end with '…'. Start and end are shown
// as RFC 3339 UTC times there; absent values as "-".
func NewRecordWriter(w io.Writer, f Format, cols *Columns) (RecordWriter, error) {
	if cols == nil || cols.Len() == 0 {
		return nil, errors.New("render: no columns to write: give a format or a field list")
	}
	o := output{w: w, buf: make([]byte, 0, flushSize+4096)}
	switch f {
	case FormatJSONL:
		return &jsonlWriter{output: o, cols: cols}, nil
	case FormatJSON:
		return &jsonWriter{output: o, cols: cols}, nil
	case FormatCSV:
		return &csvWriter{output: o, cols: cols}, nil
	case FormatTable:
		return newTableRecordWriter(o, cols), nil
	}
	return nil, fmt.Errorf("render: cannot write records as %s: use one of table, json, jsonl, csv", f)
}

// flushSize is how much encoded output is held before a write to the
// underlying io.Writer.
const flushSize = 64 << 10

// output is an append buffer in front of an io.Writer that keeps the first
// write error.
type output struct {
	w   io.Writer
	buf []byte
	err error
}

// flush writes the buffer out and empties it.
func (o *output) flush() error {
	if o.err == nil && len(o.buf) > 0 {
		_, o.err = o.w.Write(o.buf)
	}
	o.buf = o.buf[:0]
	return o.err
}

// flushIfFull flushes once the buffer holds flushSize bytes.
func (o *output) flushIfFull() error {
	if len(o.buf) >= flushSize {
		return o.flush()
	}
	return o.err
}

type jsonlWriter struct {
	output
	cols *Columns
}

func (j *jsonlWriter) Write(batch []flowlog.Record) error {
	if j.err != nil {
		return j.err
	}
	for i := range batch {
		j.buf = j.cols.AppendJSON(j.buf, &batch[i])
		j.buf = append(j.buf, '\n')
		if err := j.flushIfFull(); err != nil {
			return err
		}
	}
	return nil
}

func (j *jsonlWriter) Close() error { return j.flush() }

type jsonWriter struct {
	output
	cols   *Columns
	n      int64
	closed bool
}

func (j *jsonWriter) Write(batch []flowlog.Record) error {
	if j.err != nil {
		return j.err
	}
	if j.closed {
		return errors.New("render: write after close")
	}
	for i := range batch {
		if j.n == 0 {
			j.buf = append(j.buf, "[\n"...)
		} else {
			j.buf = append(j.buf, ",\n"...)
		}
		j.n++
		j.buf = j.cols.AppendJSON(j.buf, &batch[i])
		if err := j.flushIfFull(); err != nil {
			return err
		}
	}
	return nil
}

func (j *jsonWriter) Close() error {
	if !j.closed && j.err == nil {
		j.closed = true
		if j.n == 0 {
			j.buf = append(j.buf, "[]\n"...)
		} else {
			j.buf = append(j.buf, "\n]\n"...)
		}
	}
	return j.flush()
}

type csvWriter struct {
	output
	cols   *Columns
	header bool
}

func (c *csvWriter) Write(batch []flowlog.Record) error {
	if c.err != nil {
		return c.err
	}
	if !c.header {
		c.header = true
		c.buf = c.cols.AppendCSVHeader(c.buf)
	}
	for i := range batch {
		c.buf = c.cols.AppendCSV(c.buf, &batch[i])
		if err := c.flushIfFull(); err != nil {
			return err
		}
	}
	return nil
}

func (c *csvWriter) Close() error {
	if !c.header && c.err == nil {
		c.header = true
		c.buf = c.cols.AppendCSVHeader(c.buf)
	}
	return c.flush()
}
