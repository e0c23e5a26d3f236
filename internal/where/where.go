// Package where parses the --where field filters of query-like commands into
// store filters: "dstport=22,action=REJECT", "srcaddr=10.0.0.0/8",
// "dstport=22|3389", "bytes>=1000000", "pkt-srcaddr!=-".
package where

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// Parse parses conditions joined by ',' or ' and ' (all must hold). Each is
// FIELD OP VALUE with OP one of = != < <= > >=. FIELD is an AWS field name
// (dash or underscore spelling). For address fields a value may be a CIDR
// (inside the network). VALUE "-" means the field is absent. a|b|c with =
// or != means any of (none of) the values.
func Parse(s string) (store.Filter, error) {
	var f store.Filter
	s = strings.TrimSpace(s)
	if s == "" {
		return f, nil
	}
	for _, part := range splitConds(s) {
		c, err := parseCond(part)
		if err != nil {
			return f, fmt.Errorf("--where %q: %w", part, err)
		}
		f.Conds = append(f.Conds, c)
	}
	return f, nil
}

func splitConds(s string) []string {
	s = strings.ReplaceAll(s, " AND ", ",")
	s = strings.ReplaceAll(s, " and ", ",")
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var ops = []struct {
	text string
	op   store.Op
}{{"!=", store.OpNe}, {"<=", store.OpLe}, {">=", store.OpGe}, {"=", store.OpEq}, {"<", store.OpLt}, {">", store.OpGt}}

func parseCond(s string) (store.Cond, error) {
	for _, o := range ops {
		i := strings.Index(s, o.text)
		if i <= 0 {
			continue
		}
		name := strings.TrimSpace(s[:i])
		raw := strings.TrimSpace(s[i+len(o.text):])
		id, ok := flowlog.Lookup(name)
		if !ok {
			return store.Cond{}, fmt.Errorf("unknown field %q (use an AWS field name such as srcaddr, dstport, action)", name)
		}
		if raw == "" {
			return store.Cond{}, fmt.Errorf("missing value after %s", o.text)
		}
		return cond(id, o.op, raw)
	}
	return store.Cond{}, fmt.Errorf("expected FIELD OP VALUE with OP one of = != < <= > >=")
}

func cond(id flowlog.FieldID, op store.Op, raw string) (store.Cond, error) {
	if raw == "-" {
		switch op {
		case store.OpEq:
			return store.Cond{Field: id, Op: store.OpAbsent}, nil
		case store.OpNe:
			return store.Cond{Field: id, Op: store.OpPresent}, nil
		}
		return store.Cond{}, fmt.Errorf("'-' (absent) only works with = and !=")
	}
	parts := strings.Split(raw, "|")
	if len(parts) > 1 && op != store.OpEq && op != store.OpNe {
		return store.Cond{}, fmt.Errorf("a|b lists only work with = and !=")
	}
	vals := make([]any, 0, len(parts))
	prefixes := 0
	for _, p := range parts {
		v, isPrefix, err := value(id, strings.TrimSpace(p), op)
		if err != nil {
			return store.Cond{}, err
		}
		if isPrefix {
			prefixes++
		}
		vals = append(vals, v)
	}
	if prefixes > 0 {
		if prefixes != len(vals) {
			return store.Cond{}, fmt.Errorf("mix of addresses and CIDRs: write addresses as /32 (or /128)")
		}
		if op == store.OpNe {
			return store.Cond{Field: id, Op: store.OpNotInPrefix, Values: vals}, nil
		}
		return store.Cond{Field: id, Op: store.OpInPrefix, Values: vals}, nil
	}
	if len(vals) > 1 {
		if op == store.OpNe {
			return store.Cond{Field: id, Op: store.OpNotIn, Values: vals}, nil
		}
		return store.Cond{Field: id, Op: store.OpIn, Values: vals}, nil
	}
	return store.Cond{Field: id, Op: op, Values: vals}, nil
}

func value(id flowlog.FieldID, s string, op store.Op) (any, bool, error) {
	switch id.Kind() {
	case flowlog.KindAddr:
		if strings.Contains(s, "/") {
			p, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, false, fmt.Errorf("%s: bad CIDR %q", id, s)
			}
			if op != store.OpEq && op != store.OpNe {
				return nil, false, fmt.Errorf("%s: a CIDR only works with = and !=", id)
			}
			return p.Masked(), true, nil
		}
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, false, fmt.Errorf("%s: bad address %q", id, s)
		}
		return a, false, nil
	case flowlog.KindUint8, flowlog.KindUint16, flowlog.KindUint64:
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil || v > flowlog.MaxUint(id) {
			return nil, false, fmt.Errorf("%s: %q is not a number in range", id, s)
		}
		return int64(v), false, nil
	case flowlog.KindTime:
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %q is not Unix seconds", id, s)
		}
		return v, false, nil
	case flowlog.KindAction:
		v, ok := flowlog.ParseAction([]byte(strings.ToUpper(s)))
		if !ok {
			return nil, false, fmt.Errorf("action: %q is not ACCEPT or REJECT", s)
		}
		return v, false, nil
	case flowlog.KindLogStatus:
		v, ok := flowlog.ParseLogStatus([]byte(strings.ToUpper(s)))
		if !ok {
			return nil, false, fmt.Errorf("log-status: %q is not OK, NODATA or SKIPDATA", s)
		}
		return v, false, nil
	case flowlog.KindTrafficType:
		for _, t := range []flowlog.TrafficType{flowlog.TypeIPv4, flowlog.TypeIPv6, flowlog.TypeEFA} {
			if strings.EqualFold(s, t.String()) {
				return t, false, nil
			}
		}
		return nil, false, fmt.Errorf("type: %q is not IPv4, IPv6 or EFA", s)
	case flowlog.KindFlowDirection:
		v, ok := flowlog.ParseFlowDirection([]byte(strings.ToLower(s)))
		if !ok {
			return nil, false, fmt.Errorf("flow-direction: %q is not ingress or egress", s)
		}
		return v, false, nil
	}
	return s, false, nil
}
