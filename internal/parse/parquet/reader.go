package parquet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	pq "github.com/parquet-go/parquet-go"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

const (
	// rowBuffer is how many rows are decoded at a time.
	rowBuffer = 1024
	// maxFooter bounds the Parquet footer (schema and row group metadata):
	// AWS footers are a few kilobytes, and a corrupt length must not make
	// the reader allocate gigabytes.
	maxFooter = 64 << 20
	// maxEmptyReads bounds consecutive reads that return no row and no
	// error, so a corrupt file cannot spin forever.
	maxEmptyReads = 1 << 10
)

// ErrNotParquet is returned (wrapped, naming the source) for input that does
// not start and end with the Parquet magic "PAR1".
var ErrNotParquet = errors.New("not a Parquet file (no PAR1 magic at both ends)")

// Reader reads flow log records from a Parquet file, one row group at a time
// (memory is bounded by the pages of one row group). Columns are mapped by
// name (dash or underscore spelling); unknown columns go to Record.Extra, in
// the order of Format().ExtraNames. It is not safe for concurrent use.
type Reader struct {
	source string
	cfg    parse.Config
	file   *pq.File
	format *parse.Format
	conv   converter

	groups   []pq.RowGroup
	group    int
	rows     pq.Rows
	rowsDone bool // rows returned io.EOF
	buf      []pq.Row
	pending  []pq.Row // decoded rows not yet converted; valid until the next ReadRows
	line     int64    // 1-based number of the last row taken from pending
	stats    parse.Stats
	err      error // sticky error, returned once the records before it are out
}

// NewReader opens the Parquet file of the given size in r. source names it
// in errors. Of cfg, only MaxReportedErrors and InternLimit are used: the
// columns come from the file's schema.
func NewReader(r io.ReaderAt, size int64, source string, cfg parse.Config) (rd *Reader, err error) {
	if err := checkFrame(r, size); err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	defer func() {
		// parquet-go panics on some corrupt metadata; a bad file is an
		// input error, not a crash.
		if p := recover(); p != nil {
			rd, err = nil, fmt.Errorf("%s: corrupt Parquet file: %v", source, p)
		}
	}()
	f, err := pq.OpenFile(r, size, pq.SkipPageIndex(true), pq.SkipBloomFilters(true))
	if err != nil {
		return nil, fmt.Errorf("%s: corrupt Parquet file: %w", source, err)
	}
	if cfg.MaxReportedErrors < 0 {
		cfg.MaxReportedErrors = 0
	}
	rd = &Reader{source: source, cfg: cfg, file: f, groups: f.RowGroups(), buf: make([]pq.Row, bufferRows(f.NumRows()))}
	if err := rd.mapColumns(); err != nil {
		return nil, err
	}
	rd.stats.Bytes = size
	return rd, nil
}

// bufferRows sizes a buffer for a file of n rows: small files need small
// buffers.
func bufferRows(n int64) int {
	return int(max(1, min(n, rowBuffer)))
}

// checkFrame verifies the magic at both ends and the footer length before
// parquet-go allocates anything.
func checkFrame(r io.ReaderAt, size int64) error {
	if size < 12 {
		return ErrNotParquet
	}
	var head [4]byte
	var tail [8]byte
	if _, err := r.ReadAt(head[:], 0); err != nil {
		return err
	}
	if _, err := r.ReadAt(tail[:], size-8); err != nil {
		return err
	}
	if string(head[:]) != "PAR1" || string(tail[4:]) != "PAR1" {
		return ErrNotParquet
	}
	if n := int64(binary.LittleEndian.Uint32(tail[:4])); n > size-12 || n > maxFooter {
		return fmt.Errorf("corrupt Parquet file: footer length %d does not fit in %d bytes", n, size)
	}
	return nil
}

// mapColumns builds the format and the converter from the file's schema.
func (r *Reader) mapColumns() error {
	schema := r.file.Schema()
	paths := schema.Columns()
	if len(paths) == 0 {
		return fmt.Errorf("%s: Parquet file has no columns", r.source)
	}
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = strings.Join(p, ".")
	}
	format, err := parse.NewFormat(names)
	if err != nil {
		return fmt.Errorf("%s: Parquet schema: %w", r.source, err)
	}
	r.format = format
	r.conv = newConverter(r.cfg.InternLimit)
	extra := 0
	for i, p := range paths {
		c := column{name: names[i], id: format.Fields[i], extra: -1}
		if c.id == flowlog.FieldInvalid {
			c.extra = extra
			extra++
		}
		if leaf, ok := schema.Lookup(p...); ok {
			c.setType(leaf.Node.Type())
		}
		r.conv.cols = append(r.conv.cols, c)
	}
	r.conv.nExtra = extra
	r.conv.seen = make([]uint32, len(paths))
	return nil
}

// Format returns the columns of the file as a format: known fields, and the
// unknown columns (Format.ExtraNames) whose values go to Record.Extra.
func (r *Reader) Format() *parse.Format { return r.format }

// NumRows returns the number of rows the file metadata announces.
func (r *Reader) NumRows() int64 { return r.file.NumRows() }

// Read fills batch with the next records and returns how many it stored.
// Rows with a bad value (an address that does not parse, a number out of
// range, an unknown enum spelling) are skipped and counted in
// Stats().Malformed, with the first ones kept in Stats().Errors (Line is the
// 1-based row number). At the end it returns 0, io.EOF; a corrupt page
// returns an error naming the source after the records before it. Strings
// stored in records do not alias the reader's buffers; Record.Extra is
// reused across calls, as the text parser does.
func (r *Reader) Read(batch []flowlog.Record) (int, error) {
	n := 0
	for n < len(batch) {
		if len(r.pending) == 0 {
			if r.err == nil {
				r.err = r.fill()
			}
			if len(r.pending) == 0 {
				if n > 0 {
					return n, nil
				}
				return 0, r.err
			}
		}
		row := r.pending[0]
		r.pending = r.pending[1:]
		r.line++
		r.stats.Lines++
		if r.conv.convert(row, &batch[n]) {
			r.stats.Records++
			n++
			continue
		}
		r.stats.Malformed[r.conv.reason]++
		if len(r.stats.Errors) < r.cfg.MaxReportedErrors {
			r.stats.Errors = append(r.stats.Errors, parse.LineError{
				Source: r.source, Line: r.line, Reason: r.conv.reason,
				Detail: r.conv.detail, Snippet: rowSnippet(r.conv.cols, row),
			})
		}
	}
	return n, nil
}

// fill decodes the next rows into pending. It returns io.EOF after the last
// row group.
func (r *Reader) fill() (err error) {
	defer func() {
		if p := recover(); p != nil {
			r.pending = nil
			err = fmt.Errorf("%s: row group %d: corrupt Parquet data: %v", r.source, r.group, p)
		}
	}()
	for empty := 0; empty < maxEmptyReads; {
		if r.rows != nil && r.rowsDone {
			// Closed only now: the rows just converted may view its pages.
			r.rows.Close()
			r.rows, r.rowsDone = nil, false
		}
		if r.rows == nil {
			if r.group >= len(r.groups) {
				return io.EOF
			}
			r.rows = r.groups[r.group].Rows()
			r.group++
		}
		k, err := r.rows.ReadRows(r.buf)
		r.pending = r.buf[:k]
		switch {
		case errors.Is(err, io.EOF):
			r.rowsDone = true
		case err != nil:
			return fmt.Errorf("%s: row group %d: corrupt Parquet data: %w", r.source, r.group, err)
		}
		if k > 0 {
			return nil
		}
		empty++
	}
	return fmt.Errorf("%s: row group %d: corrupt Parquet data: no progress", r.source, r.group)
}

// Stats returns what was read so far. Lines counts rows; Bytes is the size of
// the file.
func (r *Reader) Stats() parse.Stats { return r.stats }

// Close releases the row group being read. It does not close the
// io.ReaderAt.
func (r *Reader) Close() error {
	if r.rows != nil {
		err := r.rows.Close()
		r.rows, r.rowsDone = nil, false
		return err
	}
	return nil
}

// Read reads the whole Parquet file of the given size in r, calling fn with
// batches of up to 1024 records (valid only during the call) and the
// file's format. See Reader for what happens to bad rows; the returned
// error is a corrupt file or fn's error, and the stats are those of the rows
// read until then.
func Read(r io.ReaderAt, size int64, source string, cfg parse.Config, fn func(f *parse.Format, batch []flowlog.Record) error) (parse.Stats, error) {
	rd, err := NewReader(r, size, source, cfg)
	if err != nil {
		return parse.Stats{}, err
	}
	defer rd.Close()
	batch := make([]flowlog.Record, bufferRows(rd.NumRows()))
	for {
		n, err := rd.Read(batch)
		if n > 0 {
			if herr := fn(rd.format, batch[:n]); herr != nil {
				return rd.Stats(), herr
			}
		}
		if errors.Is(err, io.EOF) {
			return rd.Stats(), nil
		}
		if err != nil {
			return rd.Stats(), err
		}
	}
}
