package parse_test

// Vector Remap Language parse_aws_vpc_flow_log (vectordotdev/vrl), fixtures
// in shared/conformance/vectordotdev-vrl (see its SOURCE.txt).
//
// Mapping VRL → flowlens: VRL returns a flat object keyed by the underscore
// AWS names — already our shape — except that a '-' value is JSON null where
// we omit the key. Integer-typed fields in VRL must be our numeric fields
// and strings our string fields (account_id is a string in both).
//
// Upstream only asserts that its 30 "must_parse_ok" lines parse. To compare
// them field by field, vrlReference models VRL's documented semantics
// (single-space split, zip with the format, '-' → null, i64 fields); the
// model is first checked against every upstream expected object.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

const vrlDefaultFormat = "version account_id interface_id srcaddr dstaddr srcport dstport protocol packets bytes start end action log_status"

// vrlIntegers are the fields VRL returns as i64 (SOURCE.txt).
var vrlIntegers = map[string]bool{
	"version": true, "srcport": true, "dstport": true, "protocol": true, "packets": true, "bytes": true,
	"start": true, "end": true, "tcp_flags": true, "traffic_path": true, "encryption_status": true,
}

// vrlKnown reports whether VRL accepts key in a format: the underscore name
// of a field of v2–v5, v7 (ECS) or v8–v11; not the v6 Transit Gateway fields.
func vrlKnown(key string) bool {
	id, ok := flowlog.Lookup(key)
	if !ok || key != id.Column() {
		return false // dash spelling: unknown key in VRL
	}
	return id.Info().Version != 6
}

// vrlReference is the model of VRL: split the format and the line on single
// spaces, zip them, '-' → nil, i64 fields parsed, the rest strings.
func vrlReference(line string, format *string) (map[string]any, error) {
	fs := vrlDefaultFormat
	if format != nil {
		fs = *format
	}
	keys := strings.Fields(fs)
	values := strings.Split(line, " ")
	out := make(map[string]any, len(keys))
	for _, k := range keys {
		if !vrlKnown(k) {
			return nil, fmt.Errorf("unknown key %q", k)
		}
		if _, dup := out[k]; dup {
			return nil, fmt.Errorf("duplicate key %q", k)
		}
		out[k] = nil
	}
	if len(values) != len(keys) {
		return nil, fmt.Errorf("%d values for %d keys", len(values), len(keys))
	}
	for i, k := range keys {
		v := values[i]
		switch {
		case v == "-":
			out[k] = nil
		case vrlIntegers[k]:
			if _, err := strconv.ParseInt(v, 10, 64); err != nil {
				return nil, fmt.Errorf("%s: %q is not an integer", k, v)
			}
			out[k] = json.Number(v)
		default:
			out[k] = v
		}
	}
	return out, nil
}

// vrlToFlowlens maps a VRL object to our shape: nulls dropped, types checked.
func vrlToFlowlens(obj map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(obj))
	for k, v := range obj {
		if v == nil {
			continue // '-' is null in VRL, absent in flowlens
		}
		if _, isNum := v.(json.Number); isNum != vrlIntegers[k] {
			return nil, fmt.Errorf("%s: VRL type %T does not match its documented type", k, v)
		}
		if err := setExpected(out, k, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// vrlLiteral matches a double-quoted VRL string literal.
var vrlLiteral = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// vrlCallArgs extracts the value and the optional format from the VRL source
// of a docs example, e.g. parse_aws_vpc_flow_log!("...", format: "...").
func vrlCallArgs(src string) (string, *string, error) {
	lits := vrlLiteral.FindAllString(src, -1)
	if len(lits) < 1 || len(lits) > 2 {
		return "", nil, fmt.Errorf("%d string literals in %q, want 1 or 2", len(lits), src)
	}
	var args []string
	for _, l := range lits {
		s, err := strconv.Unquote(l)
		if err != nil {
			return "", nil, fmt.Errorf("literal %s: %v", l, err)
		}
		args = append(args, s)
	}
	if len(args) == 1 {
		return args[0], nil, nil
	}
	return args[0], &args[1], nil
}

// vrlGroup is a format and lines VRL parses without error.
type vrlGroup struct {
	Format *string  `json:"format"`
	Lines  []string `json:"lines"`
}

type vrlDerived struct {
	MustParseOK   []vrlGroup `json:"must_parse_ok"`
	ExpectedCases []struct {
		Origin   string         `json:"origin"`
		Value    string         `json:"value"`
		Format   *string        `json:"format"`
		Expected map[string]any `json:"expected"`
	} `json:"expected_cases"`
}

type vrlDocs struct {
	Examples []struct {
		Title  string         `json:"title"`
		Source string         `json:"source"`
		Return map[string]any `json:"return"`
	} `json:"examples"`
}

// vrlFormat is our format for a VRL format string (nil: no --format, so the
// default-format path is exercised).
func vrlFormat(t *testing.T, format *string) *parse.Format {
	if format == nil {
		return nil
	}
	return mustFormat(t, *format)
}

func TestConformanceVRL(t *testing.T) {
	dir := fixtureDir(t, "vectordotdev-vrl")
	var derived vrlDerived
	decodeJSON(t, "vrl-test-cases.derived.json", readFixture(t, dir, "vrl-test-cases.derived.json"), &derived)
	var docs vrlDocs
	decodeJSON(t, "parse_aws_vpc_flow_log.json", readFixture(t, dir, "parse_aws_vpc_flow_log.json"), &docs)

	inputs := len(docs.Examples) + len(derived.ExpectedCases)
	for _, g := range derived.MustParseOK {
		inputs += len(g.Lines)
	}
	tl := &tally{folder: "vectordotdev-vrl"}

	// check compares one VRL expected object with our parse of value.
	check := func(t *testing.T, label, value string, format *string, expected map[string]any) {
		t.Helper()
		ref, err := vrlReference(value, format)
		if err != nil {
			t.Fatalf("%s: the VRL model rejects an upstream case: %v", label, err)
		}
		if d := diffMaps(expected, ref); len(d) > 0 {
			t.Fatalf("%s: the VRL model disagrees with upstream:\n%s", label, strings.Join(d, "\n"))
		}
		want, err := vrlToFlowlens(expected)
		if err != nil {
			t.Fatalf("%s: %v", label, err)
		}
		p := parseOne(t, label, value, vrlFormat(t, format))
		tl.compare(t, label, want, mapOf(t, &p))
	}

	t.Run("docs-examples", func(t *testing.T) {
		for i, ex := range docs.Examples {
			value, format, err := vrlCallArgs(ex.Source)
			if err != nil {
				t.Fatalf("example %d (%s): %v", i, ex.Title, err)
			}
			check(t, fmt.Sprintf("parse_aws_vpc_flow_log.json example %d (%s)", i, ex.Title), value, format, ex.Return)
		}
	})
	t.Run("expected-cases", func(t *testing.T) {
		for i, c := range derived.ExpectedCases {
			check(t, fmt.Sprintf("expected_cases[%d] (%s)", i, c.Origin), c.Value, c.Format, c.Expected)
		}
	})
	t.Run("must-parse-ok", func(t *testing.T) {
		for gi, g := range derived.MustParseOK {
			for li, line := range g.Lines {
				label := fmt.Sprintf("must_parse_ok[%d].lines[%d]", gi, li)
				ref, err := vrlReference(line, g.Format)
				if err != nil {
					t.Fatalf("%s: the VRL model rejects a line VRL parses: %v", label, err)
				}
				want, err := vrlToFlowlens(ref)
				if err != nil {
					t.Fatalf("%s: %v", label, err)
				}
				p := parseOne(t, label, line, vrlFormat(t, g.Format))
				tl.compare(t, label, want, mapOf(t, &p))
			}
		}
	})
	tl.done(t, inputs)

	testVRLErrors(t)
	testVRLDeliberate(t, derived.ExpectedCases[0].Value, derived.ExpectedCases[0].Expected, derived.MustParseOK)
}

// testVRLErrors: the inputs VRL rejects are rejected here too, as counted
// malformed lines (or a format error) naming the source and line.
func testVRLErrors(t *testing.T) {
	t.Run("errors/duplicate-key", func(t *testing.T) {
		format := "version srcaddr version"
		if _, err := vrlReference("2 10.0.0.1 2", &format); err == nil {
			t.Fatal("VRL model accepts a duplicate key")
		}
		if _, err := parse.ParseFormat(format); err == nil || !strings.Contains(err.Error(), `"version" appears twice`) {
			t.Fatalf("ParseFormat(%q) = %v, want a repeated-field error", format, err)
		}
	})
	t.Run("errors/token-count", func(t *testing.T) {
		format := "version srcaddr dstaddr"
		for _, line := range []string{"2 10.0.0.1", "2 10.0.0.1 10.0.0.2 extra"} {
			if _, err := vrlReference(line, &format); err == nil {
				t.Fatalf("VRL model accepts %q", line)
			}
		}
		_, st := parseAll(t, "count.log", []byte("2 10.0.0.1\n2 10.0.0.1 10.0.0.2 extra\n2 10.0.0.1 10.0.0.2\n"), configWith(mustFormat(t, format)))
		checkMalformed(t, "count.log", st, 1, wantMalformed{1, parse.ReasonFieldCount}, wantMalformed{2, parse.ReasonFieldCount})
	})
	t.Run("errors/not-an-integer", func(t *testing.T) {
		format := "version srcport"
		if _, err := vrlReference("2 http", &format); err == nil {
			t.Fatal("VRL model accepts a non-integer port")
		}
		_, st := parseAll(t, "int.log", []byte("2 http\n2 80\n"), configWith(mustFormat(t, format)))
		checkMalformed(t, "int.log", st, 1, wantMalformed{1, parse.ReasonNumber})
	})
}

func testVRLDeliberate(t *testing.T, nodataLine string, nodataVRL map[string]any, groups []vrlGroup) {
	deliberate(t, "null-vs-omitted",
		"'-' means the field has no value: we omit the key (as flowlogs-reader, Beats and OTel do) instead of writing null, so output stays small and presence is one check",
		func(t *testing.T) {
			p := parseOne(t, "nodata", nodataLine, nil)
			got := mapOf(t, &p)
			nulls := 0
			for k, v := range nodataVRL {
				if v != nil {
					continue
				}
				nulls++
				id, _ := flowlog.Lookup(k)
				if p.rec.Has(id) {
					t.Errorf("%s is null in VRL but present here", k)
				}
				if _, ok := got[k]; ok {
					t.Errorf("%s is in our JSON; VRL's null must be an omitted key", k)
				}
			}
			if nulls != 8 {
				t.Errorf("%d nulls in VRL's NODATA example, want 8", nulls)
			}
		})

	deliberate(t, "double-space-accepted",
		"AWS's own docs print a TCP-flag record with a double space; VRL splits on single spaces and fails, we split on runs of whitespace like Beats and flowlogs-reader",
		func(t *testing.T) {
			var format *string
			var single string
			for _, g := range groups {
				for _, l := range g.Lines {
					if strings.Contains(l, " 43638 10.0.0.62 ") {
						format, single = g.Format, l
					}
				}
			}
			if single == "" {
				t.Fatal("the TCP-flag record of the AWS docs is not among VRL's must_parse_ok lines")
			}
			double := strings.Replace(single, " 43638 10.0.0.62 ", " 43638  10.0.0.62 ", 1)
			if _, err := vrlReference(double, format); err == nil {
				t.Fatal("the VRL model accepts the double space; SOURCE.txt says VRL fails")
			}
			a, b := parseOne(t, "single", single, vrlFormat(t, format)), parseOne(t, "double", double, vrlFormat(t, format))
			if d := diffMaps(mapOf(t, &a), mapOf(t, &b)); len(d) > 0 {
				t.Errorf("double space parses differently:\n%s", strings.Join(d, "\n"))
			}
		})

	deliberate(t, "dash-spelled-format",
		"AWS writes formats as ${account-id}; VRL only accepts underscores, we accept both spellings (S3 headers use dashes)",
		func(t *testing.T) {
			us, dash := "version account_id log_status", "version account-id log-status"
			if _, err := vrlReference("2 123 OK", &dash); err == nil {
				t.Fatal("the VRL model accepts dash-spelled keys")
			}
			a, b := parseOne(t, "underscore", "2 123 OK", mustFormat(t, us)), parseOne(t, "dash", "2 123 OK", mustFormat(t, dash))
			if d := diffMaps(mapOf(t, &a), mapOf(t, &b)); len(d) > 0 {
				t.Errorf("dash and underscore formats differ:\n%s", strings.Join(d, "\n"))
			}
		})

	deliberate(t, "unknown-field-kept",
		"VRL rejects a key it does not know; AWS keeps adding fields (v8-v11 came after most parsers), so an unknown column is kept as a string under its own name",
		func(t *testing.T) {
			format := "version future_field srcport"
			if _, err := vrlReference("11 x 443", &format); err == nil {
				t.Fatal("the VRL model accepts an unknown key")
			}
			p := parseOne(t, "unknown", "11 x 443", mustFormat(t, format))
			want := map[string]any{"version": json.Number("11"), "future_field": "x", "srcport": json.Number("443")}
			if d := diffMaps(want, mapOf(t, &p)); len(d) > 0 {
				t.Errorf("unknown field:\n%s", strings.Join(d, "\n"))
			}
		})

	deliberate(t, "transit-gateway-fields",
		"VRL does not support the v6 Transit Gateway fields (unknown key); they are part of AWS's field list, so we parse them",
		func(t *testing.T) {
			format := "version resource_type tgw_id packets_lost_no_route"
			if _, err := vrlReference("6 TransitGateway tgw-1 3", &format); err == nil {
				t.Fatal("the VRL model accepts tgw_id")
			}
			p := parseOne(t, "tgw", "6 TransitGateway tgw-1 3", mustFormat(t, format))
			want := map[string]any{"version": json.Number("6"), "resource_type": "TransitGateway", "tgw_id": "tgw-1", "packets_lost_no_route": json.Number("3")}
			if d := diffMaps(want, mapOf(t, &p)); len(d) > 0 {
				t.Errorf("tgw fields:\n%s", strings.Join(d, "\n"))
			}
		})

	deliberate(t, "account-id-string",
		"older Vector docs showed account_id as the integer 123456789010; account IDs are 12-digit identifiers that can start with 0, so like current VRL we keep a string",
		func(t *testing.T) {
			p := parseOne(t, "account", "2 012345678901 eni-1 - - - - - - - 1 2 - NODATA", nil)
			if got := mapOf(t, &p)["account_id"]; got != "012345678901" {
				t.Errorf("account_id = %s, want the string \"012345678901\"", showValue(got, true))
			}
		})
}
