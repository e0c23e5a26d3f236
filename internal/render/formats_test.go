package render

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

func TestFormatWriterSwitchesColumns(t *testing.T) {
	f1, _ := parse.ParseFormat("srcaddr dstport")
	f2, _ := parse.ParseFormat("action srcaddr")
	var r1, r2 flowlog.Record
	r1.SrcAddr = mustAddr(t, "10.0.0.1")
	r1.Present.Add(flowlog.FieldSrcAddr)
	r1.SetUint(flowlog.FieldDstPort, 22)
	r2 = r1
	r2.Present.Remove(flowlog.FieldDstPort)
	r2.Action = flowlog.ActionReject
	r2.Present.Add(flowlog.FieldAction)
	write := func(f Format) string {
		var b bytes.Buffer
		fw := NewFormatWriter(&b, f)
		for _, step := range []struct {
			f *parse.Format
			r flowlog.Record
		}{{f1, r1}, {f1, r1}, {f2, r2}} {
			if err := fw.Write(step.f, []flowlog.Record{step.r}); err != nil {
				t.Fatal(err)
			}
		}
		if err := fw.Close(); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	if got, want := write(FormatCSV), "srcaddr,dstport\n10.0.0.1,22\n10.0.0.1,22\naction,srcaddr\nREJECT,10.0.0.1\n"; got != want {
		t.Fatalf("csv:\n%s\nwant:\n%s", got, want)
	}
	if got := write(FormatJSONL); strings.Count(got, "\n") != 3 || !strings.Contains(got, `{"action":"REJECT","srcaddr":"10.0.0.1"}`) {
		t.Fatalf("jsonl:\n%s", got)
	}
	var arr []map[string]any
	if err := json.Unmarshal([]byte(write(FormatJSON)), &arr); err != nil || len(arr) != 3 || arr[2]["action"] != "REJECT" {
		t.Fatalf("json: %v %v", arr, err)
	}
	if got := write(FormatTable); strings.Count(got, "srcaddr") != 2 {
		t.Fatalf("table: two tables expected:\n%s", got)
	}
	var b bytes.Buffer
	if err := NewFormatWriter(&b, FormatJSON).Close(); err != nil || b.String() != "[]\n" {
		t.Fatalf("empty json: %q %v", b.String(), err)
	}
}

func mustAddr(t *testing.T, s string) netip.Addr {
	t.Helper()
	a, err := netip.ParseAddr(s)
	if err != nil {
		t.Fatal(err)
	}
	return a
}
