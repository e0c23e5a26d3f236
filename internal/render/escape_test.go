package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
)

func TestAppendJSONString(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		got := string(appendJSONString(nil, in))
		if got != want {
			t.Errorf("%q: got %s, want %s", in, got, want)
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("%q: %s is not valid JSON", in, got)
		}
	}
	f("", `""`)
	f("eni-0123", `"eni-0123"`)
	f(`a"b`, `"a\"b"`)
	f(`a\b`, `"a\\b"`)
	f("a\nb\rc\td", `"a\nb\rc\td"`)
	f("\x00\x01\x1f\x7f", `"\u0000\u0001\u001f`+"\x7f"+`"`)
	f("\b\f", `"\u0008\u000c"`)
	f("<&>", `"<&>"`)
	f("é中😀", `"é中😀"`)
	f("\xff", `"\ufffd"`)
	f("a\xc3", `"a\ufffd"`)                   // truncated sequence
	f("\xed\xa0\x80", `"\ufffd\ufffd\ufffd"`) // surrogate half: 3 invalid bytes
	f("\u2028\u2029", `"\u2028\u2029"`)
	f("\ufffd", "\"\ufffd\"") // a real U+FFFD stays as is
}

func TestAppendTableText(t *testing.T) {
	f := func(in, want string) {
		t.Helper()
		if got := string(appendTableText(nil, in)); got != want {
			t.Errorf("%q: got %q, want %q", in, got, want)
		}
	}
	f("plain", "plain")
	f("a\nb", `a\nb`)
	f("tab\there", `tab\there`)
	f("\x00\x1b[31m", `\x00\x1b[31m`)
	f("\x7f", `\x7f`)
	f("é\xffx", "é\ufffdx")
}

func TestTruncateFrom(t *testing.T) {
	f := func(prefix, in string, max int, want string) {
		t.Helper()
		b := []byte(prefix + in)
		got := string(truncateFrom(b, len(prefix), max))
		if got != prefix+want {
			t.Errorf("%q max %d: got %q, want %q", in, max, got, prefix+want)
		}
	}
	f("", "abcdef", 10, "abcdef")
	f("", "abcdef", 6, "abcdef")
	f("", "abcdef", 5, "abcd…")
	f("xx", "ééééé", 3, "éé…")
	f("", "abc", 0, "abc")
}

// FuzzJSONString checks that any string value, in a record field or an
// unknown field, encodes to valid JSON that decodes back to the same string
// (invalid UTF-8 bytes each replaced by U+FFFD), and that CSV output reads
// back through encoding/csv.
func FuzzJSONString(f *testing.F) {
	for _, s := range []string{"", "plain", `q"b\`, "\x00\n\r\t", "\xff\xfe", "é中😀", "\u2028", "a,b", " x", "\r\n"} {
		f.Add(s, "extra")
	}
	cols, err := FieldColumns([]flowlog.FieldID{flowlog.FieldVersion, flowlog.FieldInstanceTag}, "x-field")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, s, extra string) {
		r := flowlog.Record{Version: 2, InstanceTag: s, Extra: []string{extra}}
		r.Present = flowlog.SetOf(flowlog.FieldVersion, flowlog.FieldInstanceTag)
		out := cols.AppendJSON(nil, &r)
		if !json.Valid(out) {
			t.Fatalf("invalid JSON for %q: %s", s, out)
		}
		var got map[string]any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if got["instance_tag"] != string([]rune(s)) {
			t.Errorf("instance_tag %q: decoded %q", s, got["instance_tag"])
		}
		if extra == "" {
			if _, ok := got["x_field"]; ok {
				t.Errorf("empty extra value not omitted: %s", out)
			}
		} else if got["x_field"] != string([]rune(extra)) {
			t.Errorf("extra %q: decoded %q", extra, got["x_field"])
		}

		row := cols.AppendCSV(nil, &r)
		cells, err := csv.NewReader(bytes.NewReader(row)).Read()
		if err != nil {
			t.Fatalf("invalid CSV row %q: %v", row, err)
		}
		// encoding/csv turns \r\n inside a quoted field into \n.
		norm := func(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }
		want := []string{"2", norm(s), norm(extra)}
		if len(cells) != 3 || cells[0] != want[0] || cells[1] != want[1] || cells[2] != want[2] {
			t.Errorf("CSV %q: read %q, want %q", row, cells, want)
		}
	})
}
