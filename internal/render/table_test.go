package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func sampleTables() []*Table {
	start := time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)
	return []*Table{
		{
			Name: "summary", Title: "Summary", Vertical: true,
			Columns: []Column{
				{Name: "records", Kind: KindInt},
				{Name: "bytes_read", Title: "bytes read", Kind: KindBytes},
				{Name: "elapsed", Kind: KindDuration},
				{Name: "records_per_second", Title: "records/s", Kind: KindFloat},
				{Name: "bytes_per_second", Title: "read rate", Kind: KindBytesPerSecond},
				{Name: "first_start", Title: "first start", Kind: KindTime},
				{Name: "last_end", Title: "last end", Kind: KindTime},
			},
			Rows: [][]any{{int64(1234567), int64(3 << 30), 1500 * time.Millisecond, 823044.6667, 2147483648.0, start, int64(1709298000)}},
		},
		{
			Title: "Records by action",
			Columns: []Column{
				{Name: "action"},
				{Name: "records", Kind: KindInt},
				{Name: "share", Kind: KindPercent},
			},
			Rows: [][]any{
				{"ACCEPT", uint64(1000000), 81.0},
				{"REJECT", uint64(234567), 18.99},
				{nil, uint64(12), 0.001},
			},
		},
		{
			Name: "top_talkers", Title: "Top talkers",
			Columns: []Column{
				{Name: "srcaddr"},
				{Name: "dstport", Kind: KindID},
				{Name: "bytes", Kind: KindBytes},
				{Name: "note"},
				{Name: "avg", Kind: KindFloat, Align: AlignLeft},
			},
			Rows: [][]any{
				{netip.MustParseAddr("10.0.0.1"), uint16(443), uint64(1023), "a,b \"q\"\nline", 1.5},
				{netip.MustParseAddr("2001:db8::1"), 8080, int64(1 << 40), nil, math.NaN()},
			},
		},
		{Name: "malformed", Title: "Malformed lines", Columns: []Column{{Name: "reason"}, {Name: "lines", Kind: KindInt}}},
	}
}

func TestRenderGolden(t *testing.T) {
	ext := map[Format]string{FormatJSONL: "jsonl", FormatJSON: "json", FormatCSV: "csv", FormatTable: "txt"}
	for _, f := range Formats() {
		var all bytes.Buffer
		if err := RenderAll(&all, sampleTables(), f); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "tables/all."+ext[f], all.Bytes())
		var one bytes.Buffer
		if err := Render(&one, sampleTables()[2], f); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "tables/one."+ext[f], one.Bytes())
	}
}

func TestRenderMachineValues(t *testing.T) {
	var b bytes.Buffer
	if err := RenderAll(&b, sampleTables(), FormatJSON); err != nil {
		t.Fatal(err)
	}
	var got map[string][]map[string]any
	dec := json.NewDecoder(&b)
	dec.UseNumber()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	f := func(table string, row int, col string, want any) {
		t.Helper()
		if v := got[table][row][col]; v != want {
			t.Errorf("%s[%d].%s = %#v, want %#v", table, row, col, v, want)
		}
	}
	f("summary", 0, "records", json.Number("1234567"))
	f("summary", 0, "bytes_read", json.Number("3221225472"))
	f("summary", 0, "elapsed", json.Number("1.5"))
	f("summary", 0, "first_start", "2024-03-01T12:00:00Z")
	f("summary", 0, "last_end", "2024-03-01T13:00:00Z")
	f("records_by_action", 2, "action", nil)
	f("records_by_action", 1, "share", json.Number("18.99"))
	f("top_talkers", 0, "srcaddr", "10.0.0.1")
	f("top_talkers", 0, "dstport", json.Number("443"))
	f("top_talkers", 1, "avg", nil)
	f("top_talkers", 0, "note", "a,b \"q\"\nline")
	if rows, ok := got["malformed"]; !ok || len(rows) != 0 {
		t.Errorf("malformed: %v, want an empty array", rows)
	}

	b.Reset()
	if err := Render(&b, sampleTables()[2], FormatCSV); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"srcaddr", "dstport", "bytes", "note", "avg"},
		{"10.0.0.1", "443", "1023", "a,b \"q\"\nline", "1.5"},
		{"2001:db8::1", "8080", "1099511627776", "", "NaN"},
	}
	if len(rows) != len(want) || strings.Join(rows[1], "|") != strings.Join(want[1], "|") || strings.Join(rows[2], "|") != strings.Join(want[2], "|") {
		t.Errorf("CSV %q, want %q", rows, want)
	}
}

func TestHumanFormatting(t *testing.T) {
	f := func(kind Kind, v any, want string) {
		t.Helper()
		if got := string(appendHuman(nil, normalize(v, kind))); got != want {
			t.Errorf("%v (kind %d): %q, want %q", v, kind, got, want)
		}
	}
	f(KindInt, 0, "0")
	f(KindInt, 999, "999")
	f(KindInt, 1000, "1,000")
	f(KindInt, int64(-1234567), "-1,234,567")
	f(KindInt, int64(math.MinInt64), "-9,223,372,036,854,775,808")
	f(KindInt, uint64(math.MaxUint64), "18,446,744,073,709,551,615")
	f(KindInt, 1234.6, "1,235")
	f(KindID, 8080, "8080")
	f(KindFloat, 0.5, "0.50")
	f(KindFloat, 42.25, "42.2")
	f(KindFloat, 1234567.89, "1,234,568")
	f(KindFloat, -1234.5, "-1,234")
	f(KindBytes, 0, "0 B")
	f(KindBytes, 1023, "1,023 B")
	f(KindBytes, 1024, "1.00 KiB")
	f(KindBytes, 1536, "1.50 KiB")
	f(KindBytes, 15<<20, "15.0 MiB")
	f(KindBytes, int64(150)<<30, "150 GiB")
	f(KindBytes, uint64(math.MaxUint64), "16.0 EiB")
	f(KindBytesPerSecond, 1.5*(1<<30), "1.50 GiB/s")
	f(KindPercent, 0.0, "0.0%")
	f(KindPercent, 0.01, "<0.1%")
	f(KindPercent, 12.345, "12.3%")
	f(KindPercent, 99.99, ">99.9%")
	f(KindPercent, 100.0, "100.0%")
	f(KindDuration, 0*time.Second, "0ns")
	f(KindDuration, 999*time.Nanosecond, "999ns")
	f(KindDuration, 1500*time.Nanosecond, "1.5µs")
	f(KindDuration, 45600*time.Microsecond, "45.6ms")
	f(KindDuration, 1230*time.Millisecond, "1.23s")
	f(KindDuration, 2*time.Second, "2s")
	f(KindDuration, 3723*time.Second+400*time.Millisecond, "1h2m3s")
	f(KindDuration, -2*time.Second, "-2s")
	f(KindDuration, 1.5, "1.5s")
	f(KindTime, time.Date(2024, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600)), "2024-01-02T02:04:05Z")
	f(KindTime, int64(0), "1970-01-01T00:00:00Z")
	f(KindTime, time.Time{}, "-")
	f(KindString, nil, "-")
	f(KindString, "a\nb", `a\nb`)
	f(KindString, errors.New("boom"), "boom")
	f(KindString, true, "true")
	f(KindString, []int{1, 2}, "[1 2]")
	type count int64
	f(KindInt, count(12345), "12,345")
	n := 1500
	f(KindInt, &n, "1,500")
	f(KindInt, (*int)(nil), "-")
}

func TestMachineValues(t *testing.T) {
	f := func(kind Kind, v any, want string) {
		t.Helper()
		if got := string(appendJSONValue(nil, normalize(v, kind))); got != want {
			t.Errorf("%#v (kind %d): %s, want %s", v, kind, got, want)
		}
	}
	type count int64
	type label string
	f(KindInt, count(-7), "-7")
	f(KindString, label("x"), `"x"`)
	f(KindInt, uint64(math.MaxUint64), "18446744073709551615")
	f(KindFloat, 1e21, "1e+21")
	f(KindFloat, 1234567.5, "1234567.5")
	f(KindFloat, 1e-7, "1e-07")
	f(KindFloat, math.Inf(1), "null")
	f(KindPercent, float32(12.5), "12.5")
	f(KindDuration, 90*time.Second, "90")
	f(KindDuration, 1500*time.Microsecond, "0.0015")
	f(KindTime, time.Unix(1700000000, 5e8), `"2023-11-14T22:13:20.5Z"`)
	f(KindTime, uint32(1700000000), `"2023-11-14T22:13:20Z"`)
	f(KindString, netip.Addr{}, "null")
	f(KindString, true, "true")
	f(KindString, []byte("b"), `"b"`)
}

func TestRenderErrors(t *testing.T) {
	f := func(f Format, tables []*Table, want string) {
		t.Helper()
		err := RenderAll(&bytes.Buffer{}, tables, f)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v, want one containing %q", err, want)
		}
	}
	col := []Column{{Name: "a"}}
	f(FormatJSON, []*Table{{Name: "x", Columns: col}, {Title: "X", Columns: col}}, `two tables are named "x"`)
	f(FormatJSON, []*Table{{Columns: col}}, "table 1 has neither a name nor a title")
	f(FormatJSON, []*Table{{Name: "x", Columns: []Column{{Name: "a"}, {Name: "a"}}}}, `column "a" appears twice`)
	f(FormatJSON, []*Table{{Name: "x", Columns: []Column{{}}}}, "column 1 has no name")
	f(FormatJSON, []*Table{{Name: "x", Columns: col, Rows: [][]any{{1, 2}}}}, `table "x": row 1 has 2 cells for 1 columns`)
	f(FormatJSONL, []*Table{{Name: "x", Columns: []Column{{Name: "table"}}}}, `column named "table"`)
	f(Format(9), []*Table{{Name: "x", Columns: col}}, "use one of table, json, jsonl, csv")
	if err := Render(&bytes.Buffer{}, &Table{Columns: col}, 0); err == nil {
		t.Error("Render with format 0: no error")
	}
	if err := Render(&failWriter{}, &Table{Columns: col, Rows: [][]any{{1}}}, FormatCSV); err == nil {
		t.Error("Render to a failing writer: no error")
	}
}

func TestTableKey(t *testing.T) {
	f := func(name, title, want string) {
		t.Helper()
		if got := (&Table{Name: name, Title: title}).key(); got != want {
			t.Errorf("%q %q: %q, want %q", name, title, got, want)
		}
	}
	f("x", "Y", "x")
	f("", "Records by log-status", "records_by_log_status")
	f("", "  Top 10 (bytes)  ", "top_10_bytes")
	f("", "", "")
}

func TestParseFormatName(t *testing.T) {
	f := func(in string, want Format) {
		t.Helper()
		got, err := ParseFormatName(in)
		if err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, err, want)
		}
	}
	f("table", FormatTable)
	f("TEXT", FormatTable)
	f("json", FormatJSON)
	f(" jsonl ", FormatJSONL)
	f("ndjson", FormatJSONL)
	f("csv", FormatCSV)
	_, err := ParseFormatName("yaml")
	if err == nil || err.Error() != `unknown output format "yaml": use one of table, json, jsonl, csv` {
		t.Errorf("yaml: %v", err)
	}
	var v Format
	if err := v.Set("csv"); err != nil || v != FormatCSV || v.String() != "csv" {
		t.Errorf("Set: %v %v", v, err)
	}
	if b, err := FormatJSONL.MarshalText(); err != nil || string(b) != "jsonl" {
		t.Errorf("MarshalText: %s %v", b, err)
	}
	if err := v.UnmarshalText([]byte("parquet")); err == nil {
		t.Error("UnmarshalText(parquet): no error")
	}
}
