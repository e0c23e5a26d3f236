package parquet

import (
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"unsafe"

	pq "github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// WriterConfig configures a Writer.
type WriterConfig struct {
	// Compression is the codec of the column chunks: "snappy" (default),
	// "gzip" (what AWS writes), "zstd" or "none".
	Compression string
	// RowGroupRows caps the rows of one row group, which the writer buffers
	// in memory.
	RowGroupRows int64
}

// DefaultWriterConfig returns the defaults: snappy, 128Ki rows per row group.
func DefaultWriterConfig() WriterConfig {
	return WriterConfig{Compression: "snappy", RowGroupRows: 128 << 10}
}

// Codecs lists the accepted WriterConfig.Compression values.
func Codecs() []string { return []string{"snappy", "gzip", "zstd", "none"} }

func codecOf(name string) (compress.Codec, error) {
	switch strings.ToLower(name) {
	case "", "snappy":
		return &pq.Snappy, nil
	case "gzip":
		return &pq.Gzip, nil
	case "zstd":
		return &pq.Zstd, nil
	case "none", "uncompressed":
		return &pq.Uncompressed, nil
	}
	return nil, fmt.Errorf("parquet: unknown compression %q: use one of %s", name, strings.Join(Codecs(), ", "))
}

// writeChunk is how many rows Write converts at a time.
const writeChunk = 1024

// Writer writes records as a Parquet file with the AWS column names and
// types of a format's fields. It is not safe for concurrent use.
type Writer struct {
	format  *parse.Format
	pw      *pq.Writer
	rows    []pq.Row
	scratch []byte // text of addresses of the rows being written
	n       int64
	closed  bool
}

// NewWriter returns a writer of the columns of f (in f's order; unknown
// columns are strings taken from Record.Extra by position) to w. Close must
// be called to write the footer; it does not close w.
func NewWriter(w io.Writer, f *parse.Format, cfg WriterConfig) (*Writer, error) {
	if f == nil || f.Len() == 0 {
		return nil, errors.New("parquet: writer needs a format with at least one field")
	}
	codec, err := codecOf(cfg.Compression)
	if err != nil {
		return nil, err
	}
	if cfg.RowGroupRows <= 0 {
		cfg.RowGroupRows = DefaultWriterConfig().RowGroupRows
	}
	pw := pq.NewWriter(w, Schema(f),
		pq.Compression(codec),
		pq.MaxRowsPerRowGroup(cfg.RowGroupRows),
		pq.CreatedBy("flowlens", "", ""))
	return &Writer{format: f, pw: pw, rows: make([]pq.Row, 0, writeChunk)}, nil
}

// Write appends the records of batch. Fields not in the format are not
// written; fields of the format absent from a record are nulls. It fails on
// a packets, bytes or packets-lost value above 2^63-1, which the INT_64
// column AWS uses cannot hold.
func (w *Writer) Write(batch []flowlog.Record) error {
	if w.closed {
		return errors.New("parquet: write after Close")
	}
	for len(batch) > 0 {
		k := min(len(batch), writeChunk)
		if err := w.writeChunk(batch[:k]); err != nil {
			return err
		}
		batch = batch[k:]
	}
	return nil
}

func (w *Writer) writeChunk(batch []flowlog.Record) error {
	w.rows = w.rows[:0]
	// Addresses are rendered into scratch; values keep views of it until
	// WriteRows has copied them. A reallocation leaves the earlier array
	// (and the views into it) intact.
	w.scratch = w.scratch[:0]
	for i := range batch {
		// Reuse the value arrays of the previous chunk's rows.
		w.rows = w.rows[:i+1]
		row, err := w.appendRow(w.rows[i][:0], &batch[i])
		if err != nil {
			return fmt.Errorf("parquet: record %d: %w", w.n+int64(i)+1, err)
		}
		w.rows[i] = row
	}
	if _, err := w.pw.WriteRows(w.rows); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	w.n += int64(len(batch))
	return nil
}

// bytesOf returns a read-only view of s: parquet values only read it and
// the writer copies it before WriteRows returns.
func bytesOf(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func (w *Writer) appendRow(row pq.Row, r *flowlog.Record) (pq.Row, error) {
	extra := 0
	for col, id := range w.format.Fields {
		var v pq.Value
		present := true
		switch {
		case id == flowlog.FieldInvalid:
			if extra < len(r.Extra) && r.Extra[extra] != "" {
				v = pq.ByteArrayValue(bytesOf(r.Extra[extra]))
			} else {
				present = false
			}
			extra++
		case !r.Present.Has(id):
			present = false
		default:
			var err error
			if v, err = w.value(r, id); err != nil {
				return row, err
			}
		}
		if present {
			row = append(row, v.Level(0, 1, col))
		} else {
			row = append(row, pq.NullValue().Level(0, 0, col))
		}
	}
	return row, nil
}

func (w *Writer) value(r *flowlog.Record, id flowlog.FieldID) (pq.Value, error) {
	switch id.Kind() {
	case flowlog.KindString:
		return pq.ByteArrayValue(bytesOf(*r.StringPtr(id))), nil
	case flowlog.KindAddr:
		start := len(w.scratch)
		w.scratch = r.AddrPtr(id).AppendTo(w.scratch)
		return pq.ByteArrayValue(w.scratch[start:len(w.scratch):len(w.scratch)]), nil
	case flowlog.KindAction:
		return pq.ByteArrayValue(bytesOf(r.Action.String())), nil
	case flowlog.KindLogStatus:
		return pq.ByteArrayValue(bytesOf(r.Status.String())), nil
	case flowlog.KindTrafficType:
		return pq.ByteArrayValue(bytesOf(r.Type.String())), nil
	case flowlog.KindFlowDirection:
		return pq.ByteArrayValue(bytesOf(r.Direction.String())), nil
	case flowlog.KindTime:
		if id == flowlog.FieldStart {
			return pq.Int64Value(r.Start), nil
		}
		return pq.Int64Value(r.End), nil
	}
	u, _ := r.Uint(id)
	if physicalOf(id) == physInt32 {
		return pq.Int32Value(int32(u)), nil // 8- and 16-bit slots always fit
	}
	if u > math.MaxInt64 {
		return pq.Value{}, fmt.Errorf("%s = %d does not fit in the INT_64 column of the AWS schema", id.Column(), u)
	}
	return pq.Int64Value(int64(u)), nil
}

// Rows returns the number of records written.
func (w *Writer) Rows() int64 { return w.n }

// Close flushes the last row group and writes the footer. It does not close
// the underlying io.Writer.
func (w *Writer) Close() error {
	if w.closed {
		return nil
	}
	w.closed = true
	if err := w.pw.Close(); err != nil {
		return fmt.Errorf("parquet: %w", err)
	}
	return nil
}
