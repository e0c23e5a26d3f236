package parquet

import (
	"bytes"
	"errors"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	pq "github.com/parquet-go/parquet-go"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// awsRow mimics the schema of AWS's Parquet delivery of a custom format
// (plus a column flowlens does not know). It is written with parquet-go's
// generic writer, independently of Writer and Schema.
type awsRow struct {
	Version       *int32  `parquet:"version,optional"`
	AccountID     *string `parquet:"account_id,optional"`
	InterfaceID   *string `parquet:"interface_id,optional"`
	SrcAddr       *string `parquet:"srcaddr,optional"`
	DstAddr       *string `parquet:"dstaddr,optional"`
	SrcPort       *int32  `parquet:"srcport,optional"`
	DstPort       *int32  `parquet:"dstport,optional"`
	Protocol      *int32  `parquet:"protocol,optional"`
	Packets       *int64  `parquet:"packets,optional"`
	Bytes         *int64  `parquet:"bytes,optional"`
	Start         *int64  `parquet:"start,optional"`
	End           *int64  `parquet:"end,optional"`
	Action        *string `parquet:"action,optional"`
	LogStatus     *string `parquet:"log_status,optional"`
	VPCID         *string `parquet:"vpc_id,optional"`
	TCPFlags      *int32  `parquet:"tcp_flags,optional"`
	Type          *string `parquet:"type,optional"`
	FlowDirection *string `parquet:"flow_direction,optional"`
	TrafficPath   *int32  `parquet:"traffic_path,optional"`
	Future        *string `parquet:"future_field,optional"`
}

func p[T any](v T) *T { return &v }

// goodRow returns a valid row; callers break one value.
func goodRow() awsRow {
	return awsRow{
		Version: p(int32(5)), AccountID: p("123456789012"), InterfaceID: p("eni-1"),
		SrcAddr: p("10.0.0.1"), DstAddr: p("2001:db8::1"), SrcPort: p(int32(443)), DstPort: p(int32(50000)),
		Protocol: p(int32(6)), Packets: p(int64(10)), Bytes: p(int64(8400)),
		Start: p(int64(1700000000)), End: p(int64(1700000060)), Action: p("ACCEPT"), LogStatus: p("OK"),
		VPCID: p("vpc-1"), TCPFlags: p(int32(19)), Type: p("IPv4"), FlowDirection: p("ingress"),
		TrafficPath: p(int32(8)), Future: p("x"),
	}
}

func goodRecord() flowlog.Record {
	var r flowlog.Record
	set := func(id flowlog.FieldID) { r.Present.Add(id) }
	r.Version, r.AccountID, r.InterfaceID = 5, "123456789012", "eni-1"
	r.SrcAddr, r.DstAddr = netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("2001:db8::1")
	r.SrcPort, r.DstPort, r.Protocol, r.Packets, r.Bytes = 443, 50000, 6, 10, 8400
	r.Start, r.End, r.Action, r.Status = 1700000000, 1700000060, flowlog.ActionAccept, flowlog.StatusOK
	r.VPCID, r.TCPFlags, r.Type, r.Direction, r.TrafficPath = "vpc-1", 19, flowlog.TypeIPv4, flowlog.DirectionIngress, 8
	for _, id := range []flowlog.FieldID{
		flowlog.FieldVersion, flowlog.FieldAccountID, flowlog.FieldInterfaceID, flowlog.FieldSrcAddr,
		flowlog.FieldDstAddr, flowlog.FieldSrcPort, flowlog.FieldDstPort, flowlog.FieldProtocol,
		flowlog.FieldPackets, flowlog.FieldBytes, flowlog.FieldStart, flowlog.FieldEnd, flowlog.FieldAction,
		flowlog.FieldLogStatus, flowlog.FieldVPCID, flowlog.FieldTCPFlags, flowlog.FieldType,
		flowlog.FieldFlowDirection, flowlog.FieldTrafficPath,
	} {
		set(id)
	}
	r.Extra = []string{"x"}
	return r
}

func writeGeneric[T any](t testing.TB, rows []T, opts ...pq.WriterOption) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := pq.NewGenericWriter[T](&buf, opts...)
	if _, err := w.Write(rows); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadAWSSchema(t *testing.T) {
	type result struct {
		rec    *flowlog.Record // nil: the row is malformed
		reason parse.Reason
		detail string
	}
	var rows []awsRow
	var want []result
	f := func(mutate func(*awsRow), edit func(*flowlog.Record), reason parse.Reason, detail string) {
		t.Helper()
		row := goodRow()
		mutate(&row)
		rows = append(rows, row)
		if reason != parse.ReasonNone {
			want = append(want, result{reason: reason, detail: detail})
			return
		}
		rec := goodRecord()
		edit(&rec)
		want = append(want, result{rec: &rec})
	}
	none := func(*flowlog.Record) {}
	f(func(*awsRow) {}, none, 0, "")
	f(func(r *awsRow) { r.SrcPort, r.Bytes = nil, nil }, func(r *flowlog.Record) {
		r.SrcPort, r.Bytes = 0, 0
		r.Present.Remove(flowlog.FieldSrcPort)
		r.Present.Remove(flowlog.FieldBytes)
	}, 0, "")
	f(func(r *awsRow) { r.VPCID, r.SrcAddr, r.Future = p("-"), p("-"), p("-") }, func(r *flowlog.Record) {
		r.VPCID, r.SrcAddr, r.Extra = "", netip.Addr{}, []string{""}
		r.Present.Remove(flowlog.FieldVPCID)
		r.Present.Remove(flowlog.FieldSrcAddr)
	}, 0, "")
	f(func(r *awsRow) { r.AccountID, r.Future = p("unknown"), nil }, func(r *flowlog.Record) {
		r.AccountID, r.Extra = "unknown", []string{""}
	}, 0, "")
	f(func(r *awsRow) { r.Start, r.End = p(int64(1700000000123)), p(int64(1700000060999)) }, none, 0, "")
	f(func(r *awsRow) { r.SrcAddr = p("10.0.0.256") }, nil, parse.ReasonAddress, `srcaddr: "10.0.0.256" is not an IP address`)
	f(func(r *awsRow) { r.DstAddr = p("fe80::1%eth0") }, nil, parse.ReasonAddress, `dstaddr: "fe80::1%eth0" is not an IP address`)
	f(func(r *awsRow) { r.DstPort = p(int32(70000)) }, nil, parse.ReasonNumber, `dstport: "70000" is out of range (max 65535)`)
	f(func(r *awsRow) { r.Protocol = p(int32(256)) }, nil, parse.ReasonNumber, `protocol: "256" is out of range (max 255)`)
	f(func(r *awsRow) { r.Packets = p(int64(-1)) }, nil, parse.ReasonNumber, `packets: "-1" is not a non-negative integer`)
	f(func(r *awsRow) { r.Start = p(int64(-5)) }, nil, parse.ReasonNumber, `start: "-5" is not a Unix time`)
	f(func(r *awsRow) { r.Action = p("MAYBE") }, nil, parse.ReasonEnum, `action: "MAYBE" is not ACCEPT or REJECT`)
	f(func(r *awsRow) { r.LogStatus = p("ok") }, nil, parse.ReasonEnum, `log_status: "ok" is not OK, NODATA or SKIPDATA`)
	f(func(r *awsRow) { r.Type = p("IPv5") }, nil, parse.ReasonEnum, `type: "IPv5" is not IPv4, IPv6 or EFA`)
	f(func(r *awsRow) { r.FlowDirection = p("up") }, nil, parse.ReasonEnum, `flow_direction: "up" is not ingress or egress`)
	f(func(*awsRow) {}, none, 0, "") // a good row after bad ones

	data := writeGeneric(t, rows)
	cfg := parse.DefaultConfig()
	cfg.MaxReportedErrors = 3
	var got []flowlog.Record
	var format *parse.Format
	st, err := Read(bytes.NewReader(data), int64(len(data)), "s3://b/k.log.parquet", cfg, func(f *parse.Format, batch []flowlog.Record) error {
		format = f
		for _, r := range batch {
			r.Extra = append([]string(nil), r.Extra...)
			got = append(got, r)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(format.ExtraNames, []string{"future-field"}) {
		t.Errorf("ExtraNames = %q", format.ExtraNames)
	}
	var wantRecs []flowlog.Record
	var wantMalformed [parse.NumReasons]int64
	var firstErrors []parse.LineError
	for i, w := range want {
		if w.rec != nil {
			wantRecs = append(wantRecs, *w.rec)
			continue
		}
		wantMalformed[w.reason]++
		if len(firstErrors) < cfg.MaxReportedErrors {
			firstErrors = append(firstErrors, parse.LineError{Source: "s3://b/k.log.parquet", Line: int64(i + 1), Reason: w.reason, Detail: w.detail})
		}
	}
	if len(got) != len(wantRecs) {
		t.Fatalf("%d records, want %d", len(got), len(wantRecs))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], wantRecs[i]) {
			t.Errorf("record %d differs: %s", i, recordDiff(&got[i], &wantRecs[i]))
		}
	}
	if st.Malformed != wantMalformed || st.Records != int64(len(wantRecs)) || st.Lines != int64(len(rows)) || st.Bytes != int64(len(data)) {
		t.Errorf("stats %+v, want malformed %v", st, wantMalformed)
	}
	if len(st.Errors) != len(firstErrors) {
		t.Fatalf("%d errors kept, want %d", len(st.Errors), len(firstErrors))
	}
	for i, e := range st.Errors {
		if !strings.Contains(e.Snippet, "version=5") {
			t.Errorf("error %d: snippet %q does not show the row", i, e.Snippet)
		}
		e.Snippet = ""
		if e != firstErrors[i] {
			t.Errorf("error %d = %+v, want %+v", i, e, firstErrors[i])
		}
	}
}

// TestReadTolerant covers encodings that are not AWS's but that other
// tools produce: unsigned and timestamp logical types, numbers and addresses
// as text or raw bytes, and a nested column (kept as an extra column).
func TestReadTolerant(t *testing.T) {
	type nested struct {
		Tag string `parquet:"tag"`
	}
	type row struct {
		SrcPort  uint32    `parquet:"srcport"`
		Packets  uint64    `parquet:"packets"`
		Bytes    string    `parquet:"bytes"`
		Start    int64     `parquet:"start,timestamp(millisecond)"`
		End      int64     `parquet:"end,timestamp(microsecond)"`
		SrcAddr  [4]byte   `parquet:"srcaddr"`
		DstAddr  [16]byte  `parquet:"dstaddr"`
		Account  int64     `parquet:"account-id"`
		Meta     nested    `parquet:"meta"`
		Protocol *int32    `parquet:"protocol,optional"`
		Unused   *[]string `parquet:"-"`
	}
	data := writeGeneric(t, []row{{
		SrcPort: 65535, Packets: 1 << 63, Bytes: "12345", Start: 1700000000999, End: 1700000060000001,
		SrcAddr: [4]byte{192, 0, 2, 1}, DstAddr: netip.MustParseAddr("2001:db8::7").As16(), Account: 123456789012,
		Meta: nested{Tag: "blue"},
	}})
	got, format, st := readAll(t, data, 10)
	if st.MalformedTotal() != 0 || len(got) != 1 {
		t.Fatalf("stats %+v, %d records", st, len(got))
	}
	if !reflect.DeepEqual(format.ExtraNames, []string{"meta.tag"}) {
		t.Errorf("ExtraNames = %q", format.ExtraNames)
	}
	r := &got[0]
	f := func(id flowlog.FieldID, want string) {
		t.Helper()
		if g := r.Text(id); g != want {
			t.Errorf("%s = %q, want %q", id, g, want)
		}
	}
	f(flowlog.FieldSrcPort, "65535")
	f(flowlog.FieldPackets, "9223372036854775808")
	f(flowlog.FieldBytes, "12345")
	f(flowlog.FieldStart, "1700000000")
	f(flowlog.FieldEnd, "1700000060")
	f(flowlog.FieldSrcAddr, "192.0.2.1")
	f(flowlog.FieldDstAddr, "2001:db8::7")
	f(flowlog.FieldAccountID, "123456789012")
	f(flowlog.FieldProtocol, "-")
	if !reflect.DeepEqual(r.Extra, []string{"blue"}) {
		t.Errorf("Extra = %q", r.Extra)
	}
}

func TestReadErrors(t *testing.T) {
	good := writeParquet(t, parse.DefaultFormat(), DefaultWriterConfig(), []flowlog.Record{goodRecord()}, 1)
	f := func(name string, data []byte, want string) {
		t.Helper()
		_, err := Read(bytes.NewReader(data), int64(len(data)), "dir/f.parquet", parse.DefaultConfig(), func(*parse.Format, []flowlog.Record) error { return nil })
		if err == nil || !strings.Contains(err.Error(), want) || !strings.HasPrefix(err.Error(), "dir/f.parquet: ") {
			t.Errorf("%s: error %v, want one naming the file and containing %q", name, err, want)
		}
	}
	f("empty", nil, "not a Parquet file")
	f("text", []byte("2 123456789012 eni-1 10.0.0.1 10.0.0.2 1 2 6 1 1 1 2 ACCEPT OK\n"), "not a Parquet file")
	f("truncated", good[:len(good)-1], "not a Parquet file")
	huge := bytes.Clone(good)
	copy(huge[len(huge)-8:], []byte{0xff, 0xff, 0xff, 0x7f})
	f("footer length", huge, "footer length")
	mid := bytes.Clone(good)
	for i := 4; i < len(mid)/2; i++ {
		mid[i] ^= 0x5a // corrupt the pages, keep the footer
	}
	f("corrupt pages", mid, "corrupt Parquet")

	// A handler error stops the read and comes back as is.
	stop := errors.New("stop")
	_, err := Read(bytes.NewReader(good), int64(len(good)), "f", parse.DefaultConfig(), func(*parse.Format, []flowlog.Record) error { return stop })
	if err != stop {
		t.Errorf("handler error: got %v", err)
	}
}
