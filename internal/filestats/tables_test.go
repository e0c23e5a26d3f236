package filestats

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/render"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: %v (run go test -run %s -update to create it)", path, err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (run with -update and review the diff)\n--- got\n%s\n--- want\n%s", path, got, want)
	}
}

// sampleInput aggregates a few hand-made records and returns the result
// with matching parse statistics.
func sampleInput() (Result, parse.Stats) {
	rec := func(version uint8, status flowlog.LogStatus, action flowlog.Action, eni, src, dst string, start, end int64) flowlog.Record {
		r := flowlog.Record{Version: version, Status: status, InterfaceID: eni, Start: start, End: end, Packets: 10, Bytes: 5000}
		r.Present = flowlog.SetOf(flowlog.FieldVersion, flowlog.FieldLogStatus, flowlog.FieldInterfaceID,
			flowlog.FieldStart, flowlog.FieldEnd)
		if action != 0 {
			r.Action = action
			r.Present.Add(flowlog.FieldAction)
			r.Present.Add(flowlog.FieldPackets)
			r.Present.Add(flowlog.FieldBytes)
		}
		if src != "" {
			r.SrcAddr, r.DstAddr = mustAddr(src), mustAddr(dst)
			r.Present.Add(flowlog.FieldSrcAddr)
			r.Present.Add(flowlog.FieldDstAddr)
		}
		return r
	}
	recs := []flowlog.Record{
		rec(2, flowlog.StatusOK, flowlog.ActionAccept, "eni-a", "10.0.0.1", "10.0.0.2", 1700000000, 1700000060),
		rec(2, flowlog.StatusOK, flowlog.ActionAccept, "eni-a", "10.0.0.2", "10.0.0.1", 1700000010, 1700000070),
		rec(2, flowlog.StatusOK, flowlog.ActionReject, "eni-b", "2001:db8::1", "10.0.0.1", 1700000020, 1700000080),
		rec(5, flowlog.StatusNoData, 0, "eni-c", "", "", 1699999990, 1700000050),
	}
	a := New(2)
	a.Add(0, recs[:2])
	a.Add(1, recs[2:])
	ps := parse.Stats{Lines: 7, Records: 4, Headers: 1, Bytes: 512 << 20}
	ps.Malformed[parse.ReasonFieldCount] = 1
	ps.Malformed[parse.ReasonAddress] = 1
	ps.Errors = []parse.LineError{
		{Source: "logs/a.log.gz", Line: 3, Reason: parse.ReasonFieldCount, Detail: "13 fields, the format has 14", Snippet: "2 123 eni-a"},
		{Source: "logs/a.log.gz", Line: 5, Reason: parse.ReasonAddress, Detail: `srcaddr: "10.0.0.300" is not an IP address`, Snippet: "2 123 eni-a 10.0.0.300"},
	}
	return a.Result(), ps
}

func TestTablesGolden(t *testing.T) {
	res, ps := sampleInput()
	tables := res.Tables(ps, 2*time.Second)
	for _, f := range []render.Format{render.FormatTable, render.FormatJSON} {
		var b bytes.Buffer
		if err := render.RenderAll(&b, tables, f); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, "stats."+map[render.Format]string{render.FormatTable: "txt", render.FormatJSON: "json"}[f], b.Bytes())
	}
}

func TestTablesValues(t *testing.T) {
	res, ps := sampleInput()
	var b bytes.Buffer
	if err := render.RenderAll(&b, res.Tables(ps, 2*time.Second), render.FormatJSON); err != nil {
		t.Fatal(err)
	}
	var got map[string][]map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	f := func(table string, row int, col string, want any) {
		t.Helper()
		if len(got[table]) <= row {
			t.Errorf("%s: no row %d in %v", table, row, got[table])
			return
		}
		if v := got[table][row][col]; v != want {
			t.Errorf("%s[%d].%s = %#v, want %#v", table, row, col, v, want)
		}
	}
	f(TableSummary, 0, "records", 4.0)
	f(TableSummary, 0, "records_per_second", 2.0)
	f(TableSummary, 0, "bytes_per_second", float64(256<<20))
	f(TableSummary, 0, "malformed_lines", 2.0)
	f(TableSummary, 0, "first_start", "2023-11-14T22:13:10Z")
	f(TableSummary, 0, "last_end", "2023-11-14T22:14:40Z")
	f(TableSummary, 0, "time_span", 90.0)
	f(TableSummary, 0, "interfaces", 3.0)
	f(TableSummary, 0, "srcaddrs", 3.0)
	f(TableSummary, 0, "dstaddrs", 2.0)
	f(TableSummary, 0, "flow_bytes", 15000.0)
	f(TableVersions, 0, "version", 2.0)
	f(TableVersions, 0, "records", 3.0)
	f(TableVersions, 1, "share", 25.0)
	f(TableStatuses, 1, "log_status", "NODATA")
	f(TableActions, 2, "action", nil)
	f(TableActions, 2, "records", 1.0)
	f(TableMalformed, 1, "reason", "bad-address")
	f(TableErrors, 1, "line", 5.0)

	// No input at all: no rates without elapsed time, no time range.
	var empty bytes.Buffer
	if err := render.RenderAll(&empty, New(1).Result().Tables(parse.Stats{}, 0), render.FormatJSON); err != nil {
		t.Fatal(err)
	}
	got = nil
	if err := json.Unmarshal(empty.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	f(TableSummary, 0, "records", 0.0)
	f(TableSummary, 0, "records_per_second", nil)
	f(TableSummary, 0, "first_start", nil)
	f(TableSummary, 0, "time_span", nil)
	if len(got[TableVersions]) != 0 || len(got[TableErrors]) != 0 {
		t.Errorf("empty input: %v", got)
	}
}
