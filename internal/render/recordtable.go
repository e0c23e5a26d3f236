package render

import (
	"github.com/flowlens/flowlens/internal/flowlog"
)

// MaxCellWidth is the widest a record field is shown in a text table, in
// characters; longer values are cut and end with '…'.
const MaxCellWidth = 60

// tableWindow is how many records the table writer holds to size the
// columns before it prints the first line.
const tableWindow = 256

// tableRecordWriter prints records as aligned text. Cells are formatted
// into one arena; ends holds the end offset of each cell.
type tableRecordWriter struct {
	output
	cols    *Columns
	widths  []int
	right   []bool
	started bool
	closed  bool
	arena   []byte
	ends    []int
}

func newTableRecordWriter(o output, cols *Columns) *tableRecordWriter {
	t := &tableRecordWriter{
		output: o,
		cols:   cols,
		widths: make([]int, cols.Len()),
		right:  make([]bool, cols.Len()),
	}
	for i := range cols.cols {
		t.widths[i] = textWidth([]byte(cols.cols[i].name))
		t.right[i] = cols.cols[i].rightAligned()
	}
	return t
}

func (t *tableRecordWriter) Write(batch []flowlog.Record) error {
	if t.err != nil {
		return t.err
	}
	for i := range batch {
		t.addRow(&batch[i])
		if t.started {
			t.emitPending()
		} else if len(t.ends) >= tableWindow*len(t.cols.cols) {
			t.start()
		}
		if err := t.flushIfFull(); err != nil {
			return err
		}
	}
	return nil
}

// addRow formats the cells of r into the arena and widens the columns.
func (t *tableRecordWriter) addRow(r *flowlog.Record) {
	for i := range t.cols.cols {
		start := len(t.arena)
		t.arena = t.cols.cols[i].appendCell(t.arena, r)
		t.arena = truncateFrom(t.arena, start, MaxCellWidth)
		if w := textWidth(t.arena[start:]); w > t.widths[i] {
			t.widths[i] = w
		}
		t.ends = append(t.ends, len(t.arena))
	}
}

// start prints the header and the rows held so far.
func (t *tableRecordWriter) start() {
	t.started = true
	for i := range t.cols.cols {
		t.buf = t.appendPadded(t.buf, i, []byte(t.cols.cols[i].name))
	}
	t.buf = append(t.buf, '\n')
	t.emitPending()
}

// emitPending prints the rows held in the arena and empties it.
func (t *tableRecordWriter) emitPending() {
	n := len(t.cols.cols)
	start := 0
	for k, end := range t.ends {
		t.buf = t.appendPadded(t.buf, k%n, t.arena[start:end])
		if k%n == n-1 {
			t.buf = append(t.buf, '\n')
		}
		start = end
	}
	t.arena = t.arena[:0]
	t.ends = t.ends[:0]
}

// appendPadded appends cell text s of column i, padded to the column width
// and preceded by the column separator. The last column gets no trailing
// spaces.
func (t *tableRecordWriter) appendPadded(dst []byte, i int, s []byte) []byte {
	if i > 0 {
		dst = append(dst, ' ', ' ')
	}
	pad := t.widths[i] - textWidth(s)
	if t.right[i] {
		dst = appendSpaces(dst, pad)
		return append(dst, s...)
	}
	dst = append(dst, s...)
	if i < len(t.widths)-1 {
		dst = appendSpaces(dst, pad)
	}
	return dst
}

func (t *tableRecordWriter) Close() error {
	if !t.closed && t.err == nil {
		t.closed = true
		if !t.started {
			t.start()
		}
	}
	return t.flush()
}

func appendSpaces(dst []byte, n int) []byte {
	for ; n > 0; n-- {
		dst = append(dst, ' ')
	}
	return dst
}
