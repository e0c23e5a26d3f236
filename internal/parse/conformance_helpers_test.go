package parse_test

// Conformance tests: the inputs that other VPC flow log parsers test with,
// parsed by flowlens and compared field by field with those projects'
// expected outputs after a documented mapping (one conformance_<peer>_test.go
// per project). The fixtures are third-party files kept outside the
// repository, in shared/conformance beside the checkout (or
// $FLOWLENS_SHARED/conformance); they are read at run time, never copied.
//
// These tests live in the external package parse_test because they also
// check the product's JSON Lines output (internal/render), and render
// imports parse.
//
// The comparison shape is the JSON Lines object `flowlens cat -o jsonl`
// prints: keys are the AWS field names with '-' → '_', absent ('-') fields
// are omitted, numeric fields (flowlog.Kind.IsNumeric) are numbers and
// everything else (account_id included) is a string, enums in their AWS
// spelling. In Go: map[string]any with json.Number for numbers and string for
// strings, so no value goes through a float.

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/render"
)

// sharedEnv names the shared directory (the one holding conformance/).
const sharedEnv = "FLOWLENS_SHARED"

// conformanceRoot returns the conformance directory and the places it
// looked.
func conformanceRoot() (string, []string) {
	var tried []string
	isDir := func(p string) bool {
		fi, err := os.Stat(p)
		return err == nil && fi.IsDir()
	}
	if env := os.Getenv(sharedEnv); env != "" {
		for _, p := range []string{filepath.Join(env, "conformance"), env} {
			tried = append(tried, p)
			if isDir(filepath.Join(p, "vectordotdev-vrl")) {
				return p, tried
			}
		}
		return "", tried
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", []string{"(working directory unknown: " + err.Error() + ")"}
	}
	for d := wd; ; {
		p := filepath.Join(d, "shared", "conformance")
		tried = append(tried, p)
		if isDir(p) {
			return p, tried
		}
		parent := filepath.Dir(d)
		if parent == d {
			return "", tried
		}
		d = parent
	}
}

// fixtureDir returns the fixture folder of one peer project. When it is
// missing the test fails if CI=true and is skipped (loudly) otherwise.
func fixtureDir(t *testing.T, folder string) string {
	t.Helper()
	root, tried := conformanceRoot()
	if root != "" {
		dir := filepath.Join(root, folder)
		if _, err := os.Stat(filepath.Join(dir, "SOURCE.txt")); err == nil {
			return dir
		}
		tried = append(tried, dir)
	}
	msg := fmt.Sprintf("conformance fixtures %q not found (looked in %s): put the shared directory beside the checkout (../shared/conformance/%s) or set %s",
		folder, strings.Join(tried, ", "), folder, sharedEnv)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip("!!! SKIPPING CONFORMANCE TESTS !!! " + msg)
	return ""
}

func readFixture(t *testing.T, dir, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		t.Fatalf("reading fixture: %v", err)
	}
	return b
}

// decodeJSON decodes a JSON document with json.Number for numbers.
func decodeJSON(t *testing.T, name string, b []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func mustFormat(t *testing.T, s string) *parse.Format {
	t.Helper()
	f, err := parse.ParseFormat(s)
	if err != nil {
		t.Fatalf("ParseFormat(%q): %v", s, err)
	}
	return f
}

// configWith returns the default configuration with format f (nil: header
// line or default format).
func configWith(f *parse.Format) parse.Config {
	cfg := parse.DefaultConfig()
	cfg.Format = f
	return cfg
}

// parsedRec is one record with the format it was parsed with.
type parsedRec struct {
	rec    flowlog.Record
	format *parse.Format
}

// parseAll runs data through a parse.Reader (the path files take) and
// returns every record with the format in force for it.
func parseAll(t *testing.T, source string, data []byte, cfg parse.Config) ([]parsedRec, *parse.Stats) {
	t.Helper()
	r := parse.NewReader(bytes.NewReader(data), source, cfg)
	batch := make([]flowlog.Record, 1) // one at a time, so Format() is the record's
	var out []parsedRec
	for {
		n, err := r.Read(batch)
		if n == 1 {
			rec := batch[0]
			rec.Extra = slices.Clone(rec.Extra)
			f := r.Format()
			if f == nil {
				f = parse.DefaultFormat()
			}
			out = append(out, parsedRec{rec: rec, format: f})
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: read error: %v", source, err)
		}
	}
	return out, r.Stats()
}

// requireClean fails when the parse saw a malformed line.
func requireClean(t *testing.T, source string, st *parse.Stats) {
	t.Helper()
	if n := st.MalformedTotal(); n != 0 {
		var b strings.Builder
		for _, e := range st.Errors {
			b.WriteString("\n  " + e.Error())
		}
		t.Fatalf("%s: %d malformed line(s):%s", source, n, b.String())
	}
}

// parseOne parses a text holding exactly one record.
func parseOne(t *testing.T, source, text string, f *parse.Format) parsedRec {
	t.Helper()
	recs, st := parseAll(t, source, []byte(text), configWith(f))
	requireClean(t, source, st)
	if len(recs) != 1 {
		t.Fatalf("%s: %d records, want 1", source, len(recs))
	}
	return recs[0]
}

// wantMalformed is one malformed line a test expects.
type wantMalformed struct {
	line   int64
	reason parse.Reason
}

// checkMalformed asserts that st counted exactly the malformed lines want
// (with source and line number in Stats.Errors) and records records.
func checkMalformed(t *testing.T, source string, st *parse.Stats, records int64, want ...wantMalformed) {
	t.Helper()
	if st.Records != records {
		t.Errorf("%s: %d records, want %d", source, st.Records, records)
	}
	if got := st.MalformedTotal(); got != int64(len(want)) {
		t.Errorf("%s: %d malformed lines, want %d (%v)", source, got, len(want), st.Errors)
	}
	if len(st.Errors) != len(want) {
		t.Fatalf("%s: %d reported errors, want %d: %v", source, len(st.Errors), len(want), st.Errors)
	}
	for i, w := range want {
		e := st.Errors[i]
		if e.Source != source || e.Line != w.line || e.Reason != w.reason {
			t.Errorf("%s: error %d is %s:%d %s, want %s:%d %s (%v)", source, i, e.Source, e.Line, e.Reason, source, w.line, w.reason, e.Error())
		}
		if !strings.HasPrefix(e.Error(), source+":"+strconv.FormatInt(w.line, 10)+": ") {
			t.Errorf("%s: error text %q does not start with file:line", source, e.Error())
		}
	}
}

// recordMap builds the canonical comparison shape of rec (see the file
// comment) from the field registry: every present known field under its
// Column name, json.Number for Kind.IsNumeric, the AWS text (AppendText)
// otherwise; unknown columns of f from Record.Extra, as strings.
func recordMap(rec *flowlog.Record, f *parse.Format) map[string]any {
	m := make(map[string]any, rec.Present.Len()+len(rec.Extra))
	var buf []byte
	for _, fld := range flowlog.Fields() {
		if !rec.Has(fld.ID) {
			continue
		}
		buf = flowlog.AppendText(buf[:0], rec, fld.ID)
		if fld.Kind.IsNumeric() {
			m[fld.Column] = json.Number(buf)
		} else {
			m[fld.Column] = string(buf)
		}
	}
	if f != nil {
		for i, n := range f.ExtraNames {
			if i < len(rec.Extra) && rec.Extra[i] != "" {
				m[strings.ReplaceAll(n, "-", "_")] = rec.Extra[i]
			}
		}
	}
	return m
}

// renderedMap is what the product prints for rec with `-o jsonl`: the
// render package's JSON Lines writer with the columns of the record's
// format, decoded back.
func renderedMap(t *testing.T, p *parsedRec) map[string]any {
	t.Helper()
	var buf bytes.Buffer
	w, err := render.NewRecordWriter(&buf, render.FormatJSONL, render.ColumnsOf(p.format))
	if err != nil {
		t.Fatalf("render.NewRecordWriter: %v", err)
	}
	if err := w.Write([]flowlog.Record{p.rec}); err != nil {
		t.Fatalf("render: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("render: %v", err)
	}
	line := buf.Bytes()
	if bytes.Count(line, []byte("\n")) != 1 || line[len(line)-1] != '\n' {
		t.Fatalf("render: JSONL output is not one line: %q", line)
	}
	var m map[string]any
	decodeJSON(t, "rendered JSONL", line, &m)
	return m
}

// mapOf returns the comparison shape of p and checks that the product's
// JSONL output is exactly that.
func mapOf(t *testing.T, p *parsedRec) map[string]any {
	t.Helper()
	m := recordMap(&p.rec, p.format)
	if d := diffMaps(m, renderedMap(t, p)); len(d) > 0 {
		t.Errorf("flowlens cat -o jsonl differs from the record (want = record, got = JSONL):\n%s", strings.Join(d, "\n"))
	}
	return m
}

// showValue prints a comparison value: numbers bare, strings quoted.
func showValue(v any, ok bool) string {
	if !ok {
		return "(absent)"
	}
	switch x := v.(type) {
	case json.Number:
		return x.String() + " (number)"
	case string:
		return strconv.Quote(x)
	}
	return fmt.Sprintf("%#v (%T)", v, v)
}

// diffMaps lists the keys whose values differ, sorted.
func diffMaps(want, got map[string]any) []string {
	var out []string
	for _, k := range unionKeys(want, got) {
		w, wok := want[k]
		g, gok := got[k]
		if wok == gok && w == g {
			continue
		}
		out = append(out, fmt.Sprintf("  %s: got %s, want %s", k, showValue(g, gok), showValue(w, wok)))
	}
	return out
}

func unionKeys(a, b map[string]any) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// tally counts what a folder's test compared, so an empty comparison fails.
type tally struct {
	folder  string
	records int
	fields  int
}

// compare counts one record and every field of want ∪ got, and reports the
// differences.
func (tl *tally) compare(t *testing.T, label string, want, got map[string]any) {
	t.Helper()
	tl.records++
	tl.fields += len(unionKeys(want, got))
	if d := diffMaps(want, got); len(d) > 0 {
		t.Errorf("%s: %d field(s) differ from the expected parse:\n%s", label, len(d), strings.Join(d, "\n"))
	}
}

// done logs the counts and fails unless records > 0 and records equals the
// number of inputs counted independently from the fixture files.
func (tl *tally) done(t *testing.T, inputs int) {
	t.Helper()
	t.Logf("%s: compared %d records (%d fields) against %d fixture inputs", tl.folder, tl.records, tl.fields, inputs)
	if tl.records == 0 || tl.fields == 0 {
		t.Errorf("%s: nothing was compared", tl.folder)
	}
	if tl.records != inputs {
		t.Errorf("%s: compared %d records, but the fixtures hold %d inputs", tl.folder, tl.records, inputs)
	}
}

// deliberate runs a named case for a deliberate difference from a peer:
// it asserts flowlens's behaviour, and why records the reason.
func deliberate(t *testing.T, name, why string, f func(t *testing.T)) {
	t.Helper()
	t.Run("deliberate/"+name, func(t *testing.T) {
		t.Log("why: " + why)
		f(t)
	})
}

// canonNumber turns an expected numeric value (JSON number, YAML int,
// decimal string) into the canonical json.Number.
func canonNumber(v any) (json.Number, error) {
	var s string
	switch x := v.(type) {
	case json.Number:
		s = x.String()
	case string:
		s = x
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	case uint64:
		s = strconv.FormatUint(x, 10)
	default:
		return "", fmt.Errorf("%#v (%T) is not a number", v, v)
	}
	u, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return "", fmt.Errorf("%q is not an unsigned decimal number", s)
	}
	return json.Number(strconv.FormatUint(u, 10)), nil
}

// epochOf converts an RFC 3339 time ("2014-12-14T04:06:50Z") to Unix
// seconds.
func epochOf(s string) (json.Number, error) {
	tm, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return "", err
	}
	return json.Number(strconv.FormatInt(tm.Unix(), 10)), nil
}

// rfc3339Of is the inverse of epochOf for a canonical number.
func rfc3339Of(n any) string {
	v, _ := strconv.ParseInt(fmt.Sprint(n), 10, 64)
	return time.Unix(v, 0).UTC().Format(time.RFC3339)
}

// expectedValue converts a peer's value for AWS column col to the canonical
// shape: json.Number for numeric fields, string otherwise (a number where a
// string is expected, or the reverse, is an error: the types are part of the
// contract).
func expectedValue(col string, v any) (any, error) {
	id, ok := flowlog.Lookup(col)
	if !ok {
		return nil, fmt.Errorf("%s is not a flow log field", col)
	}
	if id.Kind().IsNumeric() {
		return canonNumber(v)
	}
	s, ok := v.(string)
	if !ok {
		return nil, fmt.Errorf("%s: %#v (%T) where flowlens has a string", col, v, v)
	}
	return s, nil
}

// setExpected stores a mapped expected value, failing when two peer keys
// map to one column with different values.
func setExpected(m map[string]any, col string, v any) error {
	cv, err := expectedValue(col, v)
	if err != nil {
		return err
	}
	if old, ok := m[col]; ok && old != cv {
		return fmt.Errorf("%s is both %s and %s in the expected output", col, showValue(old, true), showValue(cv, true))
	}
	m[col] = cv
	return nil
}
