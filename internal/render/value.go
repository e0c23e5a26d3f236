package render

import (
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"strconv"
	"time"
)

// value is a cell normalised to one of a few shapes.
type value struct {
	k   valueKind
	i   int64
	u   uint64
	f   float64
	s   string
	t   time.Time
	d   time.Duration
	b   bool
	col Kind
}

type valueKind uint8

const (
	vNull valueKind = iota
	vInt
	vUint
	vFloat
	vString
	vBool
	vTime
	vDuration
)

// normalize turns a cell into a value, converting numbers to times or
// durations for KindTime (Unix seconds) and KindDuration (seconds) columns.
func normalize(v any, col Kind) value {
	x := value{col: col}
	switch v := v.(type) {
	case nil:
	case string:
		x.k, x.s = vString, v
	case []byte:
		x.k, x.s = vString, string(v)
	case bool:
		x.k, x.b = vBool, v
	case int:
		x.k, x.i = vInt, int64(v)
	case int8:
		x.k, x.i = vInt, int64(v)
	case int16:
		x.k, x.i = vInt, int64(v)
	case int32:
		x.k, x.i = vInt, int64(v)
	case int64:
		x.k, x.i = vInt, v
	case uint:
		x.k, x.u = vUint, uint64(v)
	case uint8:
		x.k, x.u = vUint, uint64(v)
	case uint16:
		x.k, x.u = vUint, uint64(v)
	case uint32:
		x.k, x.u = vUint, uint64(v)
	case uint64:
		x.k, x.u = vUint, v
	case float32:
		x.k, x.f = vFloat, float64(v)
	case float64:
		x.k, x.f = vFloat, v
	case time.Time:
		if !v.IsZero() {
			x.k, x.t = vTime, v.UTC()
		}
	case time.Duration:
		x.k, x.d = vDuration, v
	case netip.Addr:
		if v.IsValid() {
			x.k, x.s = vString, v.String()
		}
	case fmt.Stringer:
		x.k, x.s = vString, v.String()
	case error:
		x.k, x.s = vString, v.Error()
	default:
		x = normalizeReflect(reflect.ValueOf(v), col)
	}
	switch {
	case col == KindTime && x.k == vInt:
		x.k, x.t = vTime, time.Unix(x.i, 0).UTC()
	case col == KindTime && x.k == vUint && x.u <= math.MaxInt64:
		x.k, x.t = vTime, time.Unix(int64(x.u), 0).UTC()
	case col == KindDuration && (x.k == vInt || x.k == vUint || x.k == vFloat):
		x.k, x.d = vDuration, time.Duration(x.float()*float64(time.Second))
	}
	return x
}

// normalizeReflect handles named types without a String method (type
// Count int64) by their underlying kind, and pointers by what they point
// to (nil is null). Anything else is shown with fmt.Sprint.
func normalizeReflect(rv reflect.Value, col Kind) value {
	x := value{col: col}
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return normalize(rv.Int(), col)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return normalize(rv.Uint(), col)
	case reflect.Float32, reflect.Float64:
		return normalize(rv.Float(), col)
	case reflect.String:
		return normalize(rv.String(), col)
	case reflect.Bool:
		return normalize(rv.Bool(), col)
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return x
		}
		return normalize(rv.Elem().Interface(), col)
	}
	x.k, x.s = vString, fmt.Sprint(rv.Interface())
	return x
}

// float returns a numeric value as a float64.
func (x value) float() float64 {
	switch x.k {
	case vInt:
		return float64(x.i)
	case vUint:
		return float64(x.u)
	case vFloat:
		return x.f
	case vDuration:
		return x.d.Seconds()
	}
	return 0
}

// appendMachine appends the machine text of a non-null value (no JSON
// quoting): integers in decimal, floats in the shortest form, times in RFC
// 3339 UTC, durations in seconds.
func appendMachine(dst []byte, x value) []byte {
	switch x.k {
	case vInt:
		return strconv.AppendInt(dst, x.i, 10)
	case vUint:
		return strconv.AppendUint(dst, x.u, 10)
	case vFloat:
		return appendFloat(dst, x.f)
	case vDuration:
		return appendFloat(dst, x.d.Seconds())
	case vTime:
		return x.t.AppendFormat(dst, time.RFC3339Nano)
	case vBool:
		return strconv.AppendBool(dst, x.b)
	}
	return append(dst, x.s...)
}

// appendFloat appends f as encoding/json does: no exponent between 1e-6
// and 1e21.
func appendFloat(dst []byte, f float64) []byte {
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		return strconv.AppendFloat(dst, f, 'e', -1, 64)
	}
	return strconv.AppendFloat(dst, f, 'f', -1, 64)
}

func appendJSONValue(dst []byte, x value) []byte {
	switch x.k {
	case vNull:
		return append(dst, "null"...)
	case vFloat:
		if math.IsNaN(x.f) || math.IsInf(x.f, 0) {
			return append(dst, "null"...)
		}
	case vString:
		return appendJSONString(dst, x.s)
	case vTime:
		dst = append(dst, '"')
		dst = appendMachine(dst, x)
		return append(dst, '"')
	}
	return appendMachine(dst, x)
}

func appendCSVValue(dst []byte, x value) []byte {
	switch x.k {
	case vNull:
		return dst
	case vString:
		return appendCSVField(dst, x.s)
	}
	return appendMachine(dst, x)
}
