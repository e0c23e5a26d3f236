package store

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// compileFilter turns a Filter into one boolean SQL expression (empty when
// the filter is empty) and its arguments.
func compileFilter(d Dialect, f *Filter) (string, []any, error) {
	var parts []string
	var args []any
	for _, c := range f.Conds {
		s, a, err := compileCond(d, c)
		if err != nil {
			return "", nil, err
		}
		parts = append(parts, s)
		args = append(args, a...)
	}
	if strings.TrimSpace(f.SQL) != "" {
		parts = append(parts, "("+f.SQL+")")
		args = append(args, f.Args...)
	}
	return strings.Join(parts, " AND "), args, nil
}

var opSQL = map[Op]string{OpEq: "=", OpNe: "<>", OpLt: "<", OpLe: "<=", OpGt: ">", OpGe: ">="}

func compileCond(d Dialect, c Cond) (string, []any, error) {
	if !c.Field.Valid() {
		return "", nil, fmt.Errorf("filter: invalid field")
	}
	col := d.Quote(c.Field.Column())
	switch c.Op {
	case OpPresent:
		return col + " IS NOT NULL", nil, nil
	case OpAbsent:
		return col + " IS NULL", nil, nil
	case OpInPrefix, OpNotInPrefix:
		if c.Field.Kind() != flowlog.KindAddr {
			return "", nil, fmt.Errorf("filter: %s is not an address: it cannot be matched against a prefix", c.Field)
		}
		if len(c.Values) == 0 {
			return "", nil, fmt.Errorf("filter: %s: no prefix given", c.Field)
		}
		var ors []string
		var args []any
		for _, v := range c.Values {
			p, err := ConditionPrefix(v)
			if err != nil {
				return "", nil, fmt.Errorf("filter: %s: %w", c.Field, err)
			}
			s, a := d.InPrefix(c.Field, p)
			ors = append(ors, s)
			args = append(args, a...)
		}
		expr := "(" + strings.Join(ors, " OR ") + ")"
		if c.Op == OpNotInPrefix {
			// The helper columns of the other family are NULL: coalesce.
			expr = "(" + col + " IS NOT NULL AND NOT coalesce(" + expr + ", false))"
		}
		return expr, args, nil
	case OpIn, OpNotIn:
		if len(c.Values) == 0 {
			return "", nil, fmt.Errorf("filter: %s: empty value list", c.Field)
		}
		args := make([]any, len(c.Values))
		for i, v := range c.Values {
			a, err := toSQLValue(c.Field, v)
			if err != nil {
				return "", nil, err
			}
			args[i] = a
		}
		ph := strings.TrimSuffix(strings.Repeat("?, ", len(args)), ", ")
		if c.Op == OpIn {
			return col + " IN (" + ph + ")", args, nil
		}
		return col + " NOT IN (" + ph + ")", args, nil
	}
	op, ok := opSQL[c.Op]
	if !ok {
		return "", nil, fmt.Errorf("filter: %s: unknown operator %d", c.Field, c.Op)
	}
	if len(c.Values) != 1 {
		return "", nil, fmt.Errorf("filter: %s %s needs exactly one value, got %d", c.Field, op, len(c.Values))
	}
	if op != "=" && op != "<>" && !c.Field.Kind().IsNumeric() {
		return "", nil, fmt.Errorf("filter: %s %s: only numeric fields are ordered", c.Field, op)
	}
	a, err := toSQLValue(c.Field, c.Values[0])
	if err != nil {
		return "", nil, err
	}
	return col + " " + op + " ?", []any{a}, nil
}

// ConditionPrefix converts a prefix condition value (netip.Prefix,
// netip.Addr or their text) to a masked prefix. Backends evaluating
// conditions themselves use it so that they accept the same values.
func ConditionPrefix(v any) (netip.Prefix, error) {
	switch x := v.(type) {
	case netip.Prefix:
		if !x.IsValid() {
			return x, fmt.Errorf("invalid prefix")
		}
		return x.Masked(), nil
	case netip.Addr:
		return netip.PrefixFrom(x, x.BitLen()), nil
	case string:
		if p, err := netip.ParsePrefix(x); err == nil {
			return p.Masked(), nil
		}
		a, err := netip.ParseAddr(x)
		if err != nil {
			return netip.Prefix{}, fmt.Errorf("%q is not a CIDR prefix (e.g. 10.0.0.0/8) or an address", x)
		}
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	return netip.Prefix{}, fmt.Errorf("%v (%T) is not a prefix", v, v)
}

// toSQLValue converts a condition value to the stored representation of
// field f: canonical text for addresses, AWS spelling for enums, unsigned or
// signed integers for numbers.
func toSQLValue(f flowlog.FieldID, v any) (any, error) {
	bad := func(why string) error { return fmt.Errorf("filter: %s: %v: %s", f, v, why) }
	switch f.Kind() {
	case flowlog.KindAddr:
		switch x := v.(type) {
		case netip.Addr:
			return x.String(), nil
		case string:
			a, err := netip.ParseAddr(x)
			if err != nil {
				return nil, bad("not an IP address")
			}
			return a.String(), nil
		}
		return nil, bad("not an IP address")
	case flowlog.KindString:
		if s, ok := v.(string); ok {
			return s, nil
		}
		return nil, bad("not a string")
	case flowlog.KindAction, flowlog.KindLogStatus, flowlog.KindTrafficType, flowlog.KindFlowDirection:
		return enumText(f, v)
	case flowlog.KindTime:
		n, err := ConditionInt(v)
		if err != nil {
			return nil, bad(err.Error())
		}
		return n, nil
	}
	n, err := ConditionInt(v)
	if err != nil {
		return nil, bad(err.Error())
	}
	if n < 0 || uint64(n) > flowlog.MaxUint(f) {
		return nil, bad("out of range")
	}
	return uint64(n), nil
}

// ConditionInt converts an integer condition value (any Go integer type or
// decimal text) to an int64.
func ConditionInt(v any) (int64, error) {
	switch x := v.(type) {
	case int:
		return int64(x), nil
	case int8:
		return int64(x), nil
	case int16:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case int64:
		return x, nil
	case uint:
		return int64(x), nil
	case uint8:
		return int64(x), nil
	case uint16:
		return int64(x), nil
	case uint32:
		return int64(x), nil
	case uint64:
		if x > 1<<63-1 {
			return 0, fmt.Errorf("too large")
		}
		return int64(x), nil
	case string:
		return strconv.ParseInt(x, 10, 64)
	}
	return 0, fmt.Errorf("not an integer")
}

func enumText(f flowlog.FieldID, v any) (any, error) {
	var s string
	switch x := v.(type) {
	case flowlog.Action:
		s = x.String()
	case flowlog.LogStatus:
		s = x.String()
	case flowlog.TrafficType:
		s = x.String()
	case flowlog.FlowDirection:
		s = x.String()
	case string:
		s = x
	default:
		return nil, fmt.Errorf("filter: %s: %v (%T) is not a value of the field", f, v, v)
	}
	var ok bool
	b := []byte(s)
	switch f.Kind() {
	case flowlog.KindAction:
		_, ok = flowlog.ParseAction(b)
	case flowlog.KindLogStatus:
		_, ok = flowlog.ParseLogStatus(b)
	case flowlog.KindTrafficType:
		_, ok = flowlog.ParseTrafficType(b)
	case flowlog.KindFlowDirection:
		_, ok = flowlog.ParseFlowDirection(b)
	}
	if !ok {
		return nil, fmt.Errorf("filter: %s: %q is not a valid value", f, s)
	}
	return s, nil
}
