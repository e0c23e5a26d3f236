package render

import (
	"fmt"
	"io"
	"net/netip"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// benchRecords returns n default-format records with varied values.
func benchRecords(n int) []flowlog.Record {
	recs := make([]flowlog.Record, n)
	enis := []string{"eni-1235b8ca123456789", "eni-0a1b2c3d4e5f60718", "eni-99999999aaaaaaaaa"}
	for i := range recs {
		r := &recs[i]
		r.Present = flowlog.SetOf(flowlog.DefaultFields()...)
		r.Version = 2
		r.AccountID = "123456789010"
		r.InterfaceID = enis[i%len(enis)]
		r.SrcAddr = netip.AddrFrom4([4]byte{10, 0, byte(i >> 8), byte(i)})
		r.DstAddr = netip.AddrFrom4([4]byte{172, 31, 16, byte(i * 7)})
		r.SrcPort = uint16(1024 + i*13)
		r.DstPort = 443
		r.Protocol = 6
		r.Packets = uint64(1 + i%100)
		r.Bytes = uint64(40 + i*37%100000)
		r.Start = 1700000000 + int64(i)
		r.End = r.Start + 60
		r.Action = flowlog.ActionAccept
		r.Status = flowlog.StatusOK
	}
	return recs
}

func TestAppendJSONDoesNotAllocate(t *testing.T) {
	recs := benchRecords(64)
	recs[1].VPCID = "vpc-\"esc\"\n\xff"
	recs[1].Present.Add(flowlog.FieldVPCID)
	cols, _ := FieldColumns(append(flowlog.DefaultFields(), flowlog.FieldVPCID), "future")
	for i := range recs {
		recs[i].Extra = []string{"x"}
	}
	buf := make([]byte, 0, 1<<20)
	for _, enc := range []struct {
		name string
		fn   func([]byte, *flowlog.Record) []byte
	}{{"json", cols.AppendJSON}, {"csv", cols.AppendCSV}} {
		allocs := testing.AllocsPerRun(100, func() {
			buf = buf[:0]
			for i := range recs {
				buf = enc.fn(buf, &recs[i])
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per batch, want 0", enc.name, allocs)
		}
	}
	w, _ := NewRecordWriter(io.Discard, FormatJSONL, cols)
	if allocs := testing.AllocsPerRun(100, func() { _ = w.Write(recs) }); allocs != 0 {
		t.Errorf("jsonl writer: %.1f allocations per batch, want 0", allocs)
	}
}

func benchmarkWriter(b *testing.B, f Format) {
	recs := benchRecords(1024)
	cols := ColumnsOf(parse.DefaultFormat())
	// Bytes of input text, so that MB/s compares with the parser.
	var text int
	for i := range recs {
		text += len(parse.DefaultFormat().AppendLine(nil, &recs[i])) + 1
	}
	w, err := NewRecordWriter(io.Discard, f, cols)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(text))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := w.Write(recs); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
	_ = w.Close()
}

// BenchmarkRecordWriter measures encoding of default-format records, in MB/s
// of the equivalent flow log text.
func BenchmarkRecordWriter(b *testing.B) {
	for _, f := range []Format{FormatJSONL, FormatJSON, FormatCSV, FormatTable} {
		b.Run(f.String(), func(b *testing.B) { benchmarkWriter(b, f) })
	}
}

func BenchmarkAppendJSONString(b *testing.B) {
	for _, s := range []string{"eni-1235b8ca123456789", "arn:aws:ecs:us-east-1:123456789012:task/cluster/0123456789abcdef0123456789abcdef", "needs \"escaping\"\n\tand é"} {
		b.Run(fmt.Sprint(len(s)), func(b *testing.B) {
			buf := make([]byte, 0, 256)
			b.SetBytes(int64(len(s)))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				buf = appendJSONString(buf[:0], s)
			}
		})
	}
}
