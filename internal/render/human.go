package render

import (
	"math"
	"strconv"
	"time"
)

// appendTextTable appends t in table mode: an optional "== Title ==" line,
// then the header and the aligned rows (or "(none)"), or, for a Vertical
// table, "title  value" lines per row.
func appendTextTable(dst []byte, t *Table) []byte {
	if t.Title != "" {
		dst = append(dst, "== "...)
		dst = appendTableText(dst, t.Title)
		dst = append(dst, " ==\n"...)
	}
	if len(t.Rows) == 0 || len(t.Columns) == 0 {
		return append(dst, "(none)\n"...)
	}
	// Format every cell, then lay them out.
	var arena []byte
	header := make([][]byte, len(t.Columns))
	for i, c := range t.Columns {
		title := c.Title
		if title == "" {
			title = c.Name
		}
		header[i] = appendTableText(nil, title)
	}
	cells := make([][]byte, 0, len(t.Rows)*len(t.Columns))
	for _, row := range t.Rows {
		for i, c := range t.Columns {
			start := len(arena)
			arena = appendHuman(arena, normalize(row[i], c.Kind))
			cells = append(cells, arena[start:len(arena):len(arena)])
		}
	}
	if t.Vertical {
		return appendVertical(dst, header, cells)
	}
	widths := make([]int, len(t.Columns))
	right := make([]bool, len(t.Columns))
	for i, c := range t.Columns {
		widths[i] = textWidth(header[i])
		right[i] = c.Align == AlignRight || c.Align == AlignAuto && c.Kind != KindString && c.Kind != KindTime
	}
	for k, cell := range cells {
		if w := textWidth(cell); w > widths[k%len(widths)] {
			widths[k%len(widths)] = w
		}
	}
	dst = appendTextRow(dst, header, widths, right)
	for r := 0; r < len(cells); r += len(widths) {
		dst = appendTextRow(dst, cells[r:r+len(widths)], widths, right)
	}
	return dst
}

func appendTextRow(dst []byte, cells [][]byte, widths []int, right []bool) []byte {
	for i, cell := range cells {
		if i > 0 {
			dst = append(dst, ' ', ' ')
		}
		pad := widths[i] - textWidth(cell)
		if right[i] {
			dst = appendSpaces(dst, pad)
		}
		dst = append(dst, cell...)
		if !right[i] && i < len(cells)-1 {
			dst = appendSpaces(dst, pad)
		}
	}
	return append(dst, '\n')
}

// appendVertical prints each row as one "title  value" line per column,
// rows separated by a blank line.
func appendVertical(dst []byte, header, cells [][]byte) []byte {
	w := 0
	for _, h := range header {
		w = max(w, textWidth(h))
	}
	for k, cell := range cells {
		i := k % len(header)
		if i == 0 && k > 0 {
			dst = append(dst, '\n')
		}
		dst = append(dst, header[i]...)
		dst = appendSpaces(dst, w-textWidth(header[i])+2)
		dst = append(dst, cell...)
		dst = append(dst, '\n')
	}
	return dst
}

// appendHuman appends the table-mode text of a cell.
func appendHuman(dst []byte, x value) []byte {
	switch x.k {
	case vNull:
		return append(dst, '-')
	case vString:
		return appendTableText(dst, x.s)
	case vTime:
		return x.t.AppendFormat(dst, time.RFC3339)
	case vDuration:
		return appendHumanDuration(dst, x.d)
	case vBool:
		return strconv.AppendBool(dst, x.b)
	}
	switch x.col {
	case KindInt:
		if x.k == vFloat {
			return appendHumanFloat(dst, math.Round(x.f), 0)
		}
		return appendGrouped(dst, x)
	case KindFloat:
		return appendHumanFloat(dst, x.float(), autoDecimals(x.float()))
	case KindBytes:
		return appendHumanBytes(dst, x.float())
	case KindBytesPerSecond:
		return append(appendHumanBytes(dst, x.float()), "/s"...)
	case KindPercent:
		return appendHumanPercent(dst, x.float())
	}
	return appendMachine(dst, x)
}

// appendGrouped appends an integer with thousands separators (1,234,567).
func appendGrouped(dst []byte, x value) []byte {
	var tmp [24]byte
	var digits []byte
	if x.k == vInt {
		if x.i < 0 {
			dst = append(dst, '-')
			digits = strconv.AppendUint(tmp[:0], uint64(-(x.i+1))+1, 10)
		} else {
			digits = strconv.AppendUint(tmp[:0], uint64(x.i), 10)
		}
	} else {
		digits = strconv.AppendUint(tmp[:0], x.u, 10)
	}
	return appendGroupedDigits(dst, digits)
}

func appendGroupedDigits(dst, digits []byte) []byte {
	for i, d := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, d)
	}
	return dst
}

// autoDecimals picks 2 decimals below 10, 1 below 100, none above.
func autoDecimals(f float64) int {
	switch a := math.Abs(f); {
	case a < 10:
		return 2
	case a < 100:
		return 1
	}
	return 0
}

// appendHumanFloat appends f with the given decimals and thousands
// separators in the integer part.
func appendHumanFloat(dst []byte, f float64, decimals int) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	var tmp [64]byte
	s := strconv.AppendFloat(tmp[:0], f, 'f', decimals, 64)
	if s[0] == '-' {
		dst = append(dst, '-')
		s = s[1:]
	}
	dot := len(s)
	for i, c := range s {
		if c == '.' {
			dot = i
			break
		}
	}
	dst = appendGroupedDigits(dst, s[:dot])
	return append(dst, s[dot:]...)
}

var byteUnits = [...]string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}

// appendHumanBytes appends a size in binary units with three significant
// digits: 512 B, 1.46 KiB, 14.6 MiB, 146 GiB.
func appendHumanBytes(dst []byte, f float64) []byte {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.AppendFloat(dst, f, 'f', -1, 64)
	}
	if f < 0 {
		dst = append(dst, '-')
		f = -f
	}
	u := 0
	for f >= 1024 && u < len(byteUnits)-1 {
		f /= 1024
		u++
	}
	dec := 0
	if u > 0 {
		dec = autoDecimals(f)
	}
	dst = appendHumanFloat(dst, f, dec)
	dst = append(dst, ' ')
	return append(dst, byteUnits[u]...)
}

// appendHumanPercent appends a percentage with one decimal; tiny non-zero
// shares show as <0.1% and near-complete ones as >99.9% so that neither
// reads as 0 or 100.
func appendHumanPercent(dst []byte, p float64) []byte {
	switch {
	case p > 0 && p < 0.05:
		return append(dst, "<0.1%"...)
	case p > 99.95 && p < 100:
		return append(dst, ">99.9%"...)
	}
	dst = appendHumanFloat(dst, p, 1)
	return append(dst, '%')
}

// appendHumanDuration appends d with three significant digits below a
// minute (1.23s, 45.6ms, 789µs) and to the second above (1h2m3s).
func appendHumanDuration(dst []byte, d time.Duration) []byte {
	if d < 0 {
		dst = append(dst, '-')
		if d == math.MinInt64 {
			d = math.MaxInt64
		} else {
			d = -d
		}
	}
	if d >= time.Minute {
		return append(dst, d.Round(time.Second).String()...)
	}
	unit, name := time.Second, "s"
	switch {
	case d < time.Microsecond:
		return append(strconv.AppendInt(dst, int64(d), 10), "ns"...)
	case d < time.Millisecond:
		unit, name = time.Microsecond, "µs"
	case d < time.Second:
		unit, name = time.Millisecond, "ms"
	}
	v := float64(d) / float64(unit)
	s := strconv.AppendFloat(nil, v, 'f', autoDecimals(v), 64)
	for len(s) > 1 && s[len(s)-1] == '0' && containsDot(s) {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	dst = append(dst, s...)
	return append(dst, name...)
}

func containsDot(b []byte) bool {
	for _, c := range b {
		if c == '.' {
			return true
		}
	}
	return false
}
