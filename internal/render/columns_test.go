package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// decodeOrdered decodes one JSON object, keeping numbers as json.Number, and
// returns it with its keys in document order.
func decodeOrdered(t *testing.T, b []byte) (map[string]any, []string) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("invalid JSON %s: %v", b, err)
	}
	dec = json.NewDecoder(bytes.NewReader(b))
	var keys []string
	depth := 0
	expectKey := false
	for {
		tok, err := dec.Token()
		if err != nil {
			break
		}
		switch v := tok.(type) {
		case json.Delim:
			if v == '{' {
				depth++
				expectKey = true
			} else if v == '}' {
				depth--
			}
			continue
		case string:
			if depth == 1 && expectKey {
				keys = append(keys, v)
				expectKey = false
				continue
			}
		}
		expectKey = true
	}
	return m, keys
}

// sampleValue is the AWS text of a valid value of every kind.
func sampleValue(id flowlog.FieldID) string {
	switch id.Kind() {
	case flowlog.KindAddr:
		return "2001:db8::1"
	case flowlog.KindAction:
		return "REJECT"
	case flowlog.KindLogStatus:
		return "SKIPDATA"
	case flowlog.KindTrafficType:
		return "IPv6"
	case flowlog.KindFlowDirection:
		return "egress"
	case flowlog.KindString:
		return "v-" + id.Name()
	case flowlog.KindUint8:
		return "7"
	}
	return "1234"
}

func TestJSONTypePerField(t *testing.T) {
	numeric := map[string]bool{
		"version": true, "srcport": true, "dstport": true, "protocol": true, "packets": true,
		"bytes": true, "start": true, "end": true, "tcp_flags": true, "traffic_path": true,
		"encryption_status": true, "packets_lost_no_route": true, "packets_lost_blackhole": true,
		"packets_lost_mtu_exceeded": true, "packets_lost_ttl_expired": true,
	}
	for _, fi := range flowlog.Fields() {
		cols, err := FieldColumns([]flowlog.FieldID{fi.ID})
		if err != nil {
			t.Fatal(err)
		}
		var r flowlog.Record
		if err := setText(&r, fi.ID, sampleValue(fi.ID)); err != nil {
			t.Fatal(err)
		}
		got, keys := decodeOrdered(t, cols.AppendJSON(nil, &r))
		if !reflect.DeepEqual(keys, []string{fi.Column}) {
			t.Errorf("%s: keys %v, want [%s]", fi.Name, keys, fi.Column)
			continue
		}
		v := got[fi.Column]
		if numeric[fi.Column] {
			if n, ok := v.(json.Number); !ok || n.String() != sampleValue(fi.ID) {
				t.Errorf("%s: %#v, want the JSON number %s", fi.Name, v, sampleValue(fi.ID))
			}
		} else if s, ok := v.(string); !ok || s != sampleValue(fi.ID) {
			t.Errorf("%s: %#v, want the JSON string %q", fi.Name, v, sampleValue(fi.ID))
		}
	}
}

func TestJSONOmitsAbsentFields(t *testing.T) {
	f := func(format, line, want string) {
		t.Helper()
		fm := mustFormat(t, format)
		r := mkRecord(t, fm, line)
		if got := string(ColumnsOf(fm).AppendJSON(nil, &r)); got != want {
			t.Errorf("%q:\ngot  %s\nwant %s", line, got, want)
		}
	}
	f("version srcaddr", "- -", `{}`)
	f("version srcaddr", "2 -", `{"version":2}`)
	f("version srcaddr", "- 10.0.0.1", `{"srcaddr":"10.0.0.1"}`)
	f("account-id action log-status", "unknown - NODATA", `{"account_id":"unknown","log_status":"NODATA"}`)
	f("account-id start end", "012345678901 0 4294967295", `{"account_id":"012345678901","start":0,"end":4294967295}`)
	f("type flow-direction tcp-flags", "IPv4 ingress 0", `{"type":"IPv4","flow_direction":"ingress","tcp_flags":0}`)
	// Unknown fields keep their place in the format; '-' is omitted.
	f("version future-field srcport other", "11 x 443 -", `{"version":11,"future_field":"x","srcport":443}`)
	f("packets-lost-no-route bytes", "18446744073709551615 1", `{"packets_lost_no_route":18446744073709551615,"bytes":1}`)
}

// TestVRLConformance checks that the JSON of a record equals, field for
// field and in format order, what Vector's VRL parse_aws_vpc_flow_log
// returns for the same line, minus its nulls. The records are built by hand
// from the expected objects (typed JSON values), not by the text parser.
func TestVRLConformance(t *testing.T) {
	raw, err := os.ReadFile(sharedVRL(t))
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Cases []struct {
			Origin   string
			Format   *string
			Expected json.RawMessage
		} `json:"expected_cases"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	if len(file.Cases) < 6 {
		t.Fatalf("only %d expected cases in the VRL file", len(file.Cases))
	}
	for _, c := range file.Cases {
		fm := parse.DefaultFormat()
		if c.Format != nil {
			fm = mustFormat(t, *c.Format)
		}
		dec := json.NewDecoder(bytes.NewReader(c.Expected))
		dec.UseNumber()
		var want map[string]any
		if err := dec.Decode(&want); err != nil {
			t.Fatal(err)
		}
		var r flowlog.Record
		for k, v := range want {
			id, ok := flowlog.Lookup(k)
			if !ok {
				t.Fatalf("%s: unknown key %q", c.Origin, k)
			}
			switch v := v.(type) {
			case nil:
				delete(want, k)
			case json.Number:
				if !id.Kind().IsNumeric() {
					t.Fatalf("%s: %s is a number in VRL but not numeric here", c.Origin, k)
				}
				err = setText(&r, id, v.String())
			case string:
				err = setText(&r, id, v)
			default:
				t.Fatalf("%s: %s: unexpected %T", c.Origin, k, v)
			}
			if err != nil {
				t.Fatalf("%s: %v", c.Origin, err)
			}
		}
		got, keys := decodeOrdered(t, ColumnsOf(fm).AppendJSON(nil, &r))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\ngot  %v\nwant %v", c.Origin, got, want)
		}
		var wantKeys []string
		for _, n := range fm.Names {
			if _, ok := want[strings.ReplaceAll(n, "-", "_")]; ok {
				wantKeys = append(wantKeys, strings.ReplaceAll(n, "-", "_"))
			}
		}
		if !reflect.DeepEqual(keys, wantKeys) {
			t.Errorf("%s: key order %v, want %v", c.Origin, keys, wantKeys)
		}
	}
}

func TestFieldColumns(t *testing.T) {
	ok := func(ids []flowlog.FieldID, extra []string, want string) {
		t.Helper()
		c, err := FieldColumns(ids, extra...)
		if err != nil {
			t.Fatalf("%v %v: %v", ids, extra, err)
		}
		if got := strings.Join(c.Names(), " "); got != want {
			t.Errorf("names %q, want %q", got, want)
		}
	}
	bad := func(ids []flowlog.FieldID, extra []string, want string) {
		t.Helper()
		_, err := FieldColumns(ids, extra...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v %v: error %v, want one containing %q", ids, extra, err, want)
		}
	}
	ok([]flowlog.FieldID{flowlog.FieldLogStatus, flowlog.FieldPktSrcAddr}, nil, "log_status pkt_srcaddr")
	ok([]flowlog.FieldID{flowlog.FieldVersion}, []string{"new-field"}, "version new_field")
	bad([]flowlog.FieldID{flowlog.FieldVersion, flowlog.FieldVersion}, nil, `"version" appears twice`)
	bad([]flowlog.FieldID{0}, nil, "invalid field id 0")
	bad([]flowlog.FieldID{flowlog.FieldID(flowlog.NumFields)}, nil, "invalid field id")
	bad([]flowlog.FieldID{flowlog.FieldSrcAddr}, []string{"srcaddr"}, `"srcaddr" appears twice`)
	bad(nil, []string{"x", "x"}, `"x" appears twice`)
	bad(nil, []string{""}, "empty name")
}

func TestCSVRows(t *testing.T) {
	f := func(format, line string, want ...string) {
		t.Helper()
		fm := mustFormat(t, format)
		r := mkRecord(t, fm, line)
		c := ColumnsOf(fm)
		out := c.AppendCSV(c.AppendCSVHeader(nil), &r)
		rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
		if err != nil {
			t.Fatalf("%q: invalid CSV %q: %v", line, out, err)
		}
		if len(rows) != 2 || !reflect.DeepEqual(rows[0], c.Names()) || !reflect.DeepEqual(rows[1], want) {
			t.Errorf("%q: rows %q, want header and %q (raw %q)", line, rows, want, out)
		}
	}
	f("version srcaddr action", "2 10.0.0.1 ACCEPT", "2", "10.0.0.1", "ACCEPT")
	f("version srcaddr action", "- - -", "", "", "")
	f("srcaddr", "-", "")
	f("vpc-id x", "- -", "", "")
	f("start end", "1 2", "1", "2")
}

func TestCSVQuoting(t *testing.T) {
	f := func(value, want string) {
		t.Helper()
		c, _ := FieldColumns([]flowlog.FieldID{flowlog.FieldVPCID, flowlog.FieldVersion})
		r := flowlog.Record{VPCID: value, Version: 2}
		r.Present = flowlog.SetOf(flowlog.FieldVPCID, flowlog.FieldVersion)
		if got := string(c.AppendCSV(nil, &r)); got != want+",2\n" {
			t.Errorf("%q: got %q, want %q", value, got, want+",2\n")
		}
	}
	f("plain", "plain")
	f("", "")
	f("a,b", `"a,b"`)
	f(`say "hi"`, `"say ""hi"""`)
	f(`"`, `""""`)
	f("two\nlines", "\"two\nlines\"")
	f("cr\r", "\"cr\r\"")
	f(" lead", `" lead"`)
	f("\tlead", "\"\tlead\"")
	f("trail ", "trail ")
	f("é\xff", "é\xff")
}

// sharedVRL locates the VRL fixture in ../shared/conformance beside the
// checkout (never copied into the repo). It fails in CI when missing.
func sharedVRL(t *testing.T) string {
	t.Helper()
	const rel = "shared/conformance/vectordotdev-vrl/vrl-test-cases.derived.json"
	if d := os.Getenv("FLOWLENS_SHARED"); d != "" {
		return filepath.Join(d, "conformance/vectordotdev-vrl/vrl-test-cases.derived.json")
	}
	dir, _ := os.Getwd()
	for {
		p := filepath.Join(dir, "..", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found beside the checkout: conformance fixtures are required in CI", rel)
	}
	t.Skipf("SKIPPING: %s not found beside the checkout", rel)
	return ""
}
