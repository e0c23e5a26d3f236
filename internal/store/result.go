package store

import (
	"encoding/binary"
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// NormalizeValue converts a value returned by a SQL driver to one of the
// types of Result: signed integers to int64, unsigned to uint64, big
// integers to uint64 or int64 when they fit (else their decimal string),
// float32 to float64, times to UTC. Other values are returned unchanged.
func NormalizeValue(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case uint:
		return uint64(x)
	case uint8:
		return uint64(x)
	case uint16:
		return uint64(x)
	case uint32:
		return uint64(x)
	case float32:
		return float64(x)
	case *big.Int:
		if x.IsUint64() {
			return x.Uint64()
		}
		if x.IsInt64() {
			return x.Int64()
		}
		return x.String()
	case time.Time:
		return x.UTC()
	}
	return v
}

// TypeOf returns the ColumnType of a normalized value (TypeOther for nil).
func TypeOf(v any) ColumnType {
	switch v.(type) {
	case string:
		return TypeString
	case uint64:
		return TypeUint
	case int64:
		return TypeInt
	case float64:
		return TypeFloat
	case time.Time:
		return TypeTime
	case bool:
		return TypeBool
	}
	return TypeOther
}

// Decode turns the rows of a built query (normalized values, one per SQL
// column) into the result columns described by out.
func Decode(out []OutCol, rows [][]any) (*Result, error) {
	res := &Result{Columns: OutColumns(out), Rows: make([][]any, 0, len(rows))}
	for _, row := range rows {
		dst := make([]any, len(out))
		if err := DecodeRow(out, row, dst); err != nil {
			return nil, err
		}
		res.Rows = append(res.Rows, dst)
	}
	return res, nil
}

// OutColumns returns the result columns of a built query.
func OutColumns(out []OutCol) []Column {
	cols := make([]Column, len(out))
	for i, oc := range out {
		cols[i] = Column{Name: oc.Name, Type: outType(oc)}
	}
	return cols
}

// DecodeRow decodes one row of a built query (normalized values, one per
// SQL column) into dst, one value per result column of out.
func DecodeRow(out []OutCol, row, dst []any) error {
	j := 0
	for i, oc := range out {
		if j+oc.SQLCols > len(row) {
			return fmt.Errorf("store: result row has %d columns, want more", len(row))
		}
		v, err := decodeCol(oc, row[j:j+oc.SQLCols])
		if err != nil {
			return fmt.Errorf("store: column %s: %w", oc.Name, err)
		}
		dst[i] = v
		j += oc.SQLCols
	}
	return nil
}

func fieldType(f flowlog.FieldID) ColumnType {
	switch k := f.Kind(); {
	case k == flowlog.KindTime:
		return TypeInt
	case k.IsNumeric():
		return TypeUint
	}
	return TypeString
}

func outType(oc OutCol) ColumnType {
	switch oc.Kind {
	case OutTime:
		return TypeTime
	case OutField:
		return fieldType(oc.Dim.Field)
	case OutPrefix:
		return TypeString
	case OutInt:
		return TypeInt
	}
	if oc.Measure.Kind == MeasureMin || oc.Measure.Kind == MeasureMax {
		return fieldType(oc.Measure.Field)
	}
	return TypeUint
}

func decodeCol(oc OutCol, vs []any) (any, error) {
	switch oc.Kind {
	case OutTime:
		if vs[0] == nil {
			return nil, nil
		}
		n, err := asInt(vs[0])
		return time.Unix(n, 0).UTC(), err
	case OutPrefix:
		return decodePrefix(oc.Dim, vs)
	case OutInt:
		if vs[0] == nil {
			return nil, nil
		}
		return asInt(vs[0])
	case OutField:
		return asFieldValue(oc.Dim.Field, vs[0])
	}
	if oc.Measure.Kind == MeasureMin || oc.Measure.Kind == MeasureMax {
		return asFieldValue(oc.Measure.Field, vs[0])
	}
	if vs[0] == nil {
		return uint64(0), nil
	}
	if _, ok := vs[0].(uint64); ok {
		return vs[0], nil
	}
	return asUint(vs[0])
}

func asFieldValue(f flowlog.FieldID, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch fieldType(f) {
	case TypeInt:
		if _, ok := v.(int64); ok {
			return v, nil // no new interface value
		}
		return asInt(v)
	case TypeUint:
		if _, ok := v.(uint64); ok {
			return v, nil
		}
		return asUint(v)
	}
	if _, ok := v.(string); ok {
		return v, nil // no new interface value
	}
	return fmt.Sprint(v), nil
}

func asInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case uint64:
		if x > 1<<63-1 {
			return 0, fmt.Errorf("%d overflows int64", x)
		}
		return int64(x), nil
	case float64:
		return int64(x), nil
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("unexpected %T value %v", v, v)
}

func asUint(v any) (uint64, error) {
	if u, ok := v.(uint64); ok {
		return u, nil
	}
	n, err := asInt(v)
	return uint64(n), err
}

func decodePrefix(d Dim, vs []any) (any, error) {
	if vs[0] != nil {
		v4, err := asUint(vs[0])
		if err != nil {
			return nil, err
		}
		a := netip.AddrFrom4([4]byte{byte(v4 >> 24), byte(v4 >> 16), byte(v4 >> 8), byte(v4)})
		return netip.PrefixFrom(a, d.Bits4).String(), nil
	}
	if vs[1] == nil {
		return nil, nil
	}
	hi, err := asUint(vs[1])
	if err != nil {
		return nil, err
	}
	var lo uint64
	if vs[2] != nil {
		if lo, err = asUint(vs[2]); err != nil {
			return nil, err
		}
	}
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	return netip.PrefixFrom(netip.AddrFrom16(b), d.Bits6).String(), nil
}
