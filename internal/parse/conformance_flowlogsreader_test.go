package parse_test

// obsrvbl/flowlogs-reader (Python), fixtures in
// shared/conformance/obsrvbl-flowlogs-reader (see its SOURCE.txt).
//
// Mapping flowlogs-reader → flowlens: FlowRecord.to_dict() is keyed by the
// underscore AWS names, omits '-' fields, has ints for version, ports,
// protocol, packets, bytes, tcp_flags and strings for the rest — our shape —
// except start/end, naive UTC datetimes (rendered "2015-08-12T13:47:43" in
// the derived file, "2015-08-12 13:47:43" by str()), which map to Unix
// seconds. Values above 2^31-1 are milliseconds in both.
//
// CloudWatch messages are zipped positionally with FlowRecord's 25 slots;
// flrReference models that (checked against every upstream dict) and gives
// the expected parse of the V2_RECORDS.log and SAMPLE_INPUT.log lines, which
// upstream has no dicts for.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/parse"
)

// flrSlots is FlowRecord.__slots__: the v2 fields, then v3 and v4 ones.
var flrSlots = [...]string{
	"version", "account_id", "interface_id", "srcaddr", "dstaddr", "srcport", "dstport", "protocol",
	"packets", "bytes", "start", "end", "action", "log_status",
	"vpc_id", "subnet_id", "instance_id", "tcp_flags", "type", "pkt_srcaddr", "pkt_dstaddr",
	"region", "az_id", "sublocation_type", "sublocation_id",
}

// flrTime parses flowlogs-reader's naive UTC time to Unix seconds.
func flrTime(s string) (json.Number, error) {
	tm, err := time.Parse("2006-01-02T15:04:05", s)
	if err != nil {
		return "", err
	}
	return json.Number(strconv.FormatInt(tm.Unix(), 10)), nil
}

// flrDict maps a to_dict() result: start/end to Unix seconds, the rest by
// name (types checked by setExpected).
func flrDict(d map[string]any) (map[string]any, error) {
	out := make(map[string]any, len(d))
	for k, v := range d {
		if k == "start" || k == "end" {
			s, ok := v.(string)
			if !ok {
				return nil, fmt.Errorf("%s: %#v is not a time", k, v)
			}
			n, err := flrTime(s)
			if err != nil {
				return nil, fmt.Errorf("%s: %v", k, err)
			}
			v = n
		}
		if err := setExpected(out, k, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// flrReference models FlowRecord.from_cwl_event: whitespace split, zip with
// the 25 slots, '-' → None (omitted), int() for the integer slots, start/end
// epoch seconds (milliseconds above 2147483647 divided by 1000).
func flrReference(message string) (map[string]any, error) {
	out := map[string]any{}
	for i, v := range strings.Fields(message) {
		if i >= len(flrSlots) || v == "-" {
			continue
		}
		k := flrSlots[i]
		if k == "start" || k == "end" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("%s: %q", k, v)
			}
			if n > 2147483647 {
				n /= 1000
			}
			v = strconv.FormatInt(n, 10)
		}
		if err := setExpected(out, k, v); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// flrString is FlowRecord.__str__: "name: value" for the set slots, in slot
// order, times as "2006-01-02 15:04:05".
func flrString(m map[string]any) string {
	var parts []string
	for _, k := range flrSlots {
		v, ok := m[k]
		if !ok {
			continue
		}
		s := fmt.Sprint(v)
		if k == "start" || k == "end" {
			n, _ := strconv.ParseInt(s, 10, 64)
			s = time.Unix(n, 0).UTC().Format("2006-01-02 15:04:05")
		}
		parts = append(parts, k+": "+s)
	}
	return strings.Join(parts, ", ")
}

type flrCase struct {
	Test            string           `json:"test"`
	Input           string           `json:"input"`
	Inputs          []string         `json:"inputs"`
	Expected        json.RawMessage  `json:"expected"`
	ExpectedStr     string           `json:"expected_str"`
	ExpectedPartial map[string]any   `json:"expected_partial"`
	Roundtrip       []string         `json:"expected_roundtrip"`
	expectedOne     map[string]any   // Expected when it is one object
	expectedList    []map[string]any // Expected when it is a list
}

func TestConformanceFlowlogsReader(t *testing.T) {
	dir := fixtureDir(t, "obsrvbl-flowlogs-reader")
	var file struct {
		Cases []flrCase `json:"cases"`
	}
	decodeJSON(t, "flowlogs-reader-cases.derived.json", readFixture(t, dir, "flowlogs-reader-cases.derived.json"), &file)
	cases := map[string]*flrCase{}
	for i := range file.Cases {
		c := &file.Cases[i]
		if len(c.Expected) > 0 {
			if c.Expected[0] == '[' {
				decodeJSON(t, c.Test, c.Expected, &c.expectedList)
			} else {
				decodeJSON(t, c.Test, c.Expected, &c.expectedOne)
			}
		}
		cases[c.Test] = c
	}
	get := func(name string) *flrCase {
		c := cases[name]
		if c == nil {
			t.Fatalf("case %s missing from flowlogs-reader-cases.derived.json", name)
		}
		return c
	}
	v2Lines := fixtureLines(t, dir, "V2_RECORDS.log")
	sampleLines := fixtureLines(t, dir, "SAMPLE_INPUT.log")
	inputs := 0
	for _, c := range file.Cases {
		switch {
		case c.Inputs != nil:
			inputs += len(c.Inputs)
		case c.expectedList != nil:
			inputs += len(c.expectedList)
		default:
			inputs++
		}
	}
	inputs += len(v2Lines)
	tl := &tally{folder: "obsrvbl-flowlogs-reader"}

	t.Run("cloudwatch-dicts", func(t *testing.T) {
		for _, name := range []string{"FlowRecordTestCase.test_parse", "FlowRecordTestCase.test_to_dict"} {
			c := get(name)
			want, err := flrDict(c.expectedOne)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			checkFLRModel(t, name, c.Input, want)
			p := parseOne(t, name, c.Input, nil)
			tl.compare(t, name, want, mapOf(t, &p))
		}
	})
	t.Run("str", func(t *testing.T) {
		c := get("FlowRecordTestCase.test_str")
		p := parseOne(t, c.Test, c.Input, nil)
		got := mapOf(t, &p)
		ref, err := flrReference(c.Input)
		if err != nil {
			t.Fatal(err)
		}
		tl.compare(t, c.Test, ref, got)
		if s := flrString(got); s != c.ExpectedStr {
			t.Errorf("str() of our record:\n got %s\nwant %s", s, c.ExpectedStr)
		}
	})
	t.Run("milliseconds", func(t *testing.T) {
		c := get("FlowRecordTestCase.test_millisecond_timestamp")
		partial, err := flrDict(c.ExpectedPartial)
		if err != nil || len(partial) != 2 {
			t.Fatalf("expected_partial %v: %v", c.ExpectedPartial, err)
		}
		ref, err := flrReference(c.Input)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range partial {
			if ref[k] != v {
				t.Fatalf("the flowlogs-reader model gives %s=%v, upstream %v", k, ref[k], v)
			}
		}
		p := parseOne(t, c.Test, c.Input, nil)
		tl.compare(t, c.Test, ref, mapOf(t, &p))
	})
	t.Run("s3-header-files", func(t *testing.T) {
		for _, fc := range []struct{ test, file string }{
			{"S3FlowLogsReaderTestCase.test_serial", "V3_FILE.log"},
			{"S3FlowLogsReaderTestCase.test_serial_v4", "V4_FILE.log"},
		} {
			c := get(fc.test)
			data := readFixture(t, dir, fc.file)
			if string(data) != c.Input {
				t.Fatalf("%s differs from the input of %s", fc.file, fc.test)
			}
			recs, st := parseAll(t, fc.file, data, parse.DefaultConfig())
			requireClean(t, fc.file, st)
			if st.Headers != 1 || len(recs) != len(c.expectedList) {
				t.Fatalf("%s: %d headers, %d records; want 1 header, %d records", fc.file, st.Headers, len(recs), len(c.expectedList))
			}
			for i, exp := range c.expectedList {
				want, err := flrDict(exp)
				if err != nil {
					t.Fatalf("%s[%d]: %v", fc.test, i, err)
				}
				tl.compare(t, fmt.Sprintf("%s record %d", fc.file, i+1), want, mapOf(t, &recs[i]))
			}
		}
	})
	t.Run("V2_RECORDS.log", func(t *testing.T) {
		recs, st := parseAll(t, "V2_RECORDS.log", []byte(strings.Join(v2Lines, "\n")), parse.DefaultConfig())
		requireClean(t, "V2_RECORDS.log", st)
		if len(recs) != len(v2Lines) {
			t.Fatalf("%d records from %d lines", len(recs), len(v2Lines))
		}
		for i, line := range v2Lines {
			want, err := flrReference(line)
			if err != nil {
				t.Fatal(err)
			}
			tl.compare(t, fmt.Sprintf("V2_RECORDS.log:%d", i+1), want, mapOf(t, &recs[i]))
		}
		// Two of these lines are the inputs of upstream dict tests.
		if v2Lines[0] != get("FlowRecordTestCase.test_parse").Input || v2Lines[2] != get("FlowRecordTestCase.test_to_dict").Input {
			t.Error("V2_RECORDS.log lines 1 and 3 are no longer the test_parse / test_to_dict inputs")
		}
	})
	t.Run("main-print-25-slots", func(t *testing.T) {
		c := get("test_main.MainTestCase.test_main_print")
		if strings.Join(c.Inputs, "\n") != strings.Join(sampleLines, "\n") {
			t.Fatal("SAMPLE_INPUT.log differs from the test_main_print inputs")
		}
		// flowlogs-reader's positional slots as an explicit format: the
		// way a flowlens user reads such lines (--format).
		f := mustFormat(t, strings.Join(flrSlots[:], " "))
		recs, st := parseAll(t, "SAMPLE_INPUT.log", []byte(strings.Join(sampleLines, "\n")), configWith(f))
		requireClean(t, "SAMPLE_INPUT.log", st)
		if len(recs) != len(c.Roundtrip) {
			t.Fatalf("%d records, want %d", len(recs), len(c.Roundtrip))
		}
		for i := range recs {
			want, err := flrReference(sampleLines[i])
			if err != nil {
				t.Fatal(err)
			}
			tl.compare(t, fmt.Sprintf("SAMPLE_INPUT.log:%d", i+1), want, mapOf(t, &recs[i]))
			// to_message() round trip: the line printed back in the
			// same format is the input.
			if got := string(f.AppendLine(nil, &recs[i].rec)); got != c.Roundtrip[i] {
				t.Errorf("round trip of SAMPLE_INPUT.log:%d\n got %s\nwant %s", i+1, got, c.Roundtrip[i])
			}
		}
	})
	tl.done(t, inputs)

	deliberate(t, "positional-25-slots",
		"flowlogs-reader zips any CloudWatch message with a fixed 25-name list, which silently mis-assigns every custom format that differs from it; we never guess a format from a token count: without a header or --format, a line that is not 14 tokens is counted as no-format with file:line, and the message tells the user to pass --format",
		func(t *testing.T) {
			_, st := parseAll(t, "SAMPLE_INPUT.log", []byte(strings.Join(sampleLines, "\n")), parse.DefaultConfig())
			var want []wantMalformed
			for i := range sampleLines {
				want = append(want, wantMalformed{int64(i + 1), parse.ReasonNoFormat})
			}
			checkMalformed(t, "SAMPLE_INPUT.log", st, 0, want...)
			if len(st.Errors) > 0 && !strings.Contains(st.Errors[0].Detail, "--format") {
				t.Errorf("the no-format error does not tell the user what to do: %s", st.Errors[0].Detail)
			}
		})
}

// checkFLRModel checks the flowlogs-reader model against an upstream dict.
func checkFLRModel(t *testing.T, label, input string, want map[string]any) {
	t.Helper()
	ref, err := flrReference(input)
	if err != nil {
		t.Fatalf("%s: %v", label, err)
	}
	if d := diffMaps(want, ref); len(d) > 0 {
		t.Fatalf("%s: the flowlogs-reader model disagrees with upstream:\n%s", label, strings.Join(d, "\n"))
	}
}

// fixtureLines returns the non-empty lines of a fixture file.
func fixtureLines(t *testing.T, dir, name string) []string {
	t.Helper()
	var out []string
	for _, l := range strings.Split(string(readFixture(t, dir, name)), "\n") {
		if l = strings.TrimRight(l, "\r"); l != "" {
			out = append(out, l)
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s is empty", name)
	}
	return out
}
