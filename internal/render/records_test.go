package render

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// goldenRecords returns a few records covering absent fields, IPv6, every
// enum, an unknown field and strings that need escaping or quoting.
func goldenRecords(t *testing.T) (*parse.Format, []flowlog.Record) {
	fm := mustFormat(t, "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status vpc-id type flow-direction tcp-flags traffic-path future-field")
	recs := []flowlog.Record{
		mkRecord(t, fm, "5 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK vpc-abcdefab012345678 IPv4 ingress 19 - x1"),
		mkRecord(t, fm, "5 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA - - - - - -"),
		mkRecord(t, fm, "5 unknown eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 REJECT SKIPDATA vpc-x IPv6 egress 0 8 -"),
	}
	odd := mkRecord(t, fm, "5 - eni-odd 10.0.0.1 10.0.0.2 1 2 17 1 100 1700000000 1700000060 ACCEPT OK - EFA egress 2 1 -")
	odd.VPCID = "vpc \"quoted\", with\nnewline\tand\\ é \xff"
	odd.Present.Add(flowlog.FieldVPCID)
	odd.Extra[0] = "extra,value"
	recs = append(recs, odd)
	return fm, recs
}

func writeRecords(t *testing.T, f Format, cols *Columns, batches ...[]flowlog.Record) []byte {
	t.Helper()
	var b bytes.Buffer
	w, err := NewRecordWriter(&b, f, cols)
	if err != nil {
		t.Fatal(err)
	}
	for _, batch := range batches {
		if err := w.Write(batch); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestRecordWritersGolden(t *testing.T) {
	fm, recs := goldenRecords(t)
	cols := ColumnsOf(fm)
	ext := map[Format]string{FormatJSONL: "jsonl", FormatJSON: "json", FormatCSV: "csv", FormatTable: "txt"}
	for _, f := range Formats() {
		// Two batches: the writers must carry state across Write calls.
		got := writeRecords(t, f, cols, recs[:1], recs[1:])
		checkGolden(t, "records/sample."+ext[f], got)
		if one := writeRecords(t, f, cols, recs); !bytes.Equal(one, got) {
			t.Errorf("%s: one batch and two batches differ", f)
		}
	}
}

func TestRecordWritersMachineReadable(t *testing.T) {
	fm, recs := goldenRecords(t)
	cols := ColumnsOf(fm)

	var fromJSONL []map[string]any
	for _, line := range bytes.Split(bytes.TrimSuffix(writeRecords(t, FormatJSONL, cols, recs), []byte("\n")), []byte("\n")) {
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("jsonl line %s: %v", line, err)
		}
		fromJSONL = append(fromJSONL, m)
	}
	var fromJSON []map[string]any
	if err := json.Unmarshal(writeRecords(t, FormatJSON, cols, recs), &fromJSON); err != nil {
		t.Fatal(err)
	}
	if len(fromJSONL) != len(recs) || fmt.Sprint(fromJSON) != fmt.Sprint(fromJSONL) {
		t.Errorf("json and jsonl disagree:\n%v\n%v", fromJSON, fromJSONL)
	}
	if _, ok := fromJSONL[1]["srcaddr"]; ok {
		t.Errorf("absent srcaddr present in %v", fromJSONL[1])
	}

	rows, err := csv.NewReader(bytes.NewReader(writeRecords(t, FormatCSV, cols, recs))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(recs)+1 {
		t.Fatalf("%d CSV rows for %d records", len(rows), len(recs))
	}
	// Every CSV cell is the AWS text of the field, or empty when absent.
	for i, r := range recs {
		for j, id := range fm.Fields {
			want := ""
			if id == flowlog.FieldInvalid {
				want = r.Extra[0]
			} else if r.Has(id) {
				want = r.Text(id)
			}
			if rows[i+1][j] != want {
				t.Errorf("record %d %s: CSV %q, want %q", i, fm.Names[j], rows[i+1][j], want)
			}
		}
	}
}

func TestRecordWritersEmpty(t *testing.T) {
	cols := ColumnsOf(parse.DefaultFormat())
	f := func(format Format, want string) {
		t.Helper()
		if got := string(writeRecords(t, format, cols)); got != want {
			t.Errorf("%s: got %q, want %q", format, got, want)
		}
	}
	f(FormatJSONL, "")
	f(FormatJSON, "[]\n")
	f(FormatCSV, "version,account_id,interface_id,srcaddr,dstaddr,srcport,dstport,protocol,packets,bytes,start,end,action,log_status\n")
	f(FormatTable, "version  account_id  interface_id  srcaddr  dstaddr  srcport  dstport  protocol  packets  bytes  start  end  action  log_status\n")
}

func TestNewRecordWriterErrors(t *testing.T) {
	cols := ColumnsOf(parse.DefaultFormat())
	if _, err := NewRecordWriter(&bytes.Buffer{}, 0, cols); err == nil || !strings.Contains(err.Error(), "use one of table, json, jsonl, csv") {
		t.Errorf("invalid format: %v", err)
	}
	if _, err := NewRecordWriter(&bytes.Buffer{}, FormatJSON, &Columns{}); err == nil {
		t.Error("no columns: no error")
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errors.New("disk full")
}

func TestRecordWriterKeepsWriteError(t *testing.T) {
	fm, recs := goldenRecords(t)
	big := make([]flowlog.Record, 0, 2000)
	for len(big) < cap(big) {
		big = append(big, recs...)
	}
	for _, f := range Formats() {
		fw := &failWriter{}
		w, _ := NewRecordWriter(fw, f, ColumnsOf(fm))
		err1 := w.Write(big)
		err2 := w.Write(big)
		err3 := w.Close()
		if err3 == nil || err3.Error() != "disk full" || (err1 == nil && err2 == nil && fw.n == 0) {
			t.Errorf("%s: errors %v %v %v", f, err1, err2, err3)
		}
		if fw.n != 1 {
			t.Errorf("%s: %d writes after the first error, want 1 in all", f, fw.n)
		}
	}
}

func TestTableRecordWriterWidens(t *testing.T) {
	fm := mustFormat(t, "srcaddr bytes instance-id")
	var recs []flowlog.Record
	for i := 0; i < tableWindow; i++ {
		recs = append(recs, mkRecord(t, fm, "10.0.0.1 1 i-1"))
	}
	recs = append(recs, mkRecord(t, fm, "2001:db8::1234:5678 123456789 "+strings.Repeat("i", 100)))
	out := string(writeRecords(t, FormatTable, ColumnsOf(fm), recs))
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != len(recs)+1 {
		t.Fatalf("%d lines for %d records", len(lines), len(recs))
	}
	f := func(i int, want string) {
		t.Helper()
		if lines[i] != want {
			t.Errorf("line %d: %q, want %q", i, lines[i], want)
		}
	}
	f(0, "srcaddr   bytes  instance_id")
	f(1, "10.0.0.1      1  i-1")
	f(len(lines)-1, "2001:db8::1234:5678  123456789  "+strings.Repeat("i", MaxCellWidth-1)+"…")
}
