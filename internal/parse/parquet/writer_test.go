package parquet

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	pq "github.com/parquet-go/parquet-go"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// randomRecord returns a record with a random value, or absent, for every
// field of f, and nExtra values for its unknown columns.
func randomRecord(rng *rand.Rand, f *parse.Format) flowlog.Record {
	var r flowlog.Record
	strs := []string{"123456789012", "unknown", "eni-0a1b2c3d", "vpc-1", "élan vital", "with space", ""}
	for _, id := range f.Fields {
		if id == flowlog.FieldInvalid {
			r.Extra = append(r.Extra, strs[rng.IntN(len(strs))])
			continue
		}
		if rng.IntN(5) == 0 {
			continue // absent
		}
		switch id.Kind() {
		case flowlog.KindString:
			*r.StringPtr(id) = strs[rng.IntN(len(strs))]
		case flowlog.KindAddr:
			if rng.IntN(2) == 0 {
				*r.AddrPtr(id) = netip.AddrFrom4([4]byte{10, byte(rng.IntN(256)), byte(rng.IntN(256)), byte(rng.IntN(256))})
			} else {
				var b [16]byte
				b[0], b[1], b[15] = 0x20, 0x01, byte(rng.IntN(256))
				*r.AddrPtr(id) = netip.AddrFrom16(b)
			}
		case flowlog.KindTime:
			r.SetUint(id, 1_600_000_000+rng.Uint64N(200_000_000))
		case flowlog.KindAction:
			r.Action = flowlog.Action(1 + rng.IntN(2))
		case flowlog.KindLogStatus:
			r.Status = flowlog.LogStatus(1 + rng.IntN(3))
		case flowlog.KindTrafficType:
			r.Type = flowlog.TrafficType(1 + rng.IntN(3))
		case flowlog.KindFlowDirection:
			r.Direction = flowlog.FlowDirection(1 + rng.IntN(2))
		default:
			max := min(flowlog.MaxUint(id), math.MaxInt64)
			v := rng.Uint64N(max)
			if rng.IntN(4) == 0 {
				v = max // edges of the range
			}
			r.SetUint(id, v)
		}
		r.Present.Add(id)
	}
	return r
}

// recordDiff describes how got differs from want, field by field.
func recordDiff(got, want *flowlog.Record) string {
	var b strings.Builder
	for _, f := range flowlog.Fields() {
		if g, w := got.Text(f.ID), want.Text(f.ID); g != w {
			fmt.Fprintf(&b, " %s=%q (want %q)", f.Name, g, w)
		}
	}
	if !reflect.DeepEqual(got.Extra, want.Extra) {
		fmt.Fprintf(&b, " extra=%q (want %q)", got.Extra, want.Extra)
	}
	if b.Len() == 0 {
		return " slots differ from Present (absent field with a non-zero slot)"
	}
	return b.String()
}

func allFieldsFormat(t testing.TB, extra ...string) *parse.Format {
	t.Helper()
	var names []string
	for _, f := range flowlog.Fields() {
		names = append(names, f.Name)
	}
	f, err := parse.NewFormat(append(names, extra...))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func writeParquet(t testing.TB, f *parse.Format, cfg WriterConfig, recs []flowlog.Record, batch int) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := NewWriter(&buf, f, cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(recs); i += batch {
		if err := w.Write(recs[i:min(i+batch, len(recs))]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if w.Rows() != int64(len(recs)) {
		t.Fatalf("Rows() = %d, want %d", w.Rows(), len(recs))
	}
	return buf.Bytes()
}

// readAll reads data with a batch of the given size and deep-copies the
// records (Extra is reused by the reader).
func readAll(t testing.TB, data []byte, batch int) ([]flowlog.Record, *parse.Format, parse.Stats) {
	t.Helper()
	rd, err := NewReader(bytes.NewReader(data), int64(len(data)), "test.parquet", parse.DefaultConfig())
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	var out []flowlog.Record
	buf := make([]flowlog.Record, batch)
	for {
		n, err := rd.Read(buf)
		for _, r := range buf[:n] {
			if r.Extra != nil {
				r.Extra = append([]string(nil), r.Extra...)
			}
			out = append(out, r)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			t.Fatal("Read returned 0 records and no error")
		}
	}
	return out, rd.Format(), rd.Stats()
}

func TestRoundTrip(t *testing.T) {
	f := func(name string, format *parse.Format, cfg WriterConfig, n, writeBatch, readBatch int) {
		t.Helper()
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		recs := make([]flowlog.Record, n)
		for i := range recs {
			recs[i] = randomRecord(rng, format)
		}
		data := writeParquet(t, format, cfg, recs, writeBatch)
		got, gotFormat, st := readAll(t, data, readBatch)
		if gotFormat.String() != format.String() {
			t.Errorf("%s: format %q, want %q", name, gotFormat, format)
		}
		if st.Records != int64(n) || st.Lines != int64(n) || st.MalformedTotal() != 0 {
			t.Errorf("%s: stats %+v, want %d clean records", name, st, n)
		}
		if len(got) != n {
			t.Fatalf("%s: %d records, want %d", name, len(got), n)
		}
		for i := range recs {
			if !reflect.DeepEqual(got[i], recs[i]) {
				t.Fatalf("%s: record %d differs: %s", name, i, recordDiff(&got[i], &recs[i]))
			}
		}
	}
	def := parse.DefaultFormat()
	f("default", def, DefaultWriterConfig(), 100, 7, 13)
	f("all fields", allFieldsFormat(t), DefaultWriterConfig(), 3000, 2500, 1024)
	f("extra columns", allFieldsFormat(t, "future-field", "other_future"), WriterConfig{Compression: "zstd"}, 500, 100, 64)
	f("small row groups", def, WriterConfig{Compression: "gzip", RowGroupRows: 10}, 95, 1000, 9)
	f("uncompressed", parse.FormatOf(flowlog.FieldSrcAddr, flowlog.FieldBytes), WriterConfig{Compression: "none"}, 10, 1, 1)
	f("empty", def, DefaultWriterConfig(), 0, 1, 1)
}

// TestWriterSchema checks the physical layout against what AWS documents.
func TestWriterSchema(t *testing.T) {
	format := allFieldsFormat(t, "future-field")
	data := writeParquet(t, format, DefaultWriterConfig(), nil, 1)
	file, err := pq.OpenFile(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	cols := file.Schema().Columns()
	if len(cols) != format.Len() {
		t.Fatalf("%d columns, want %d", len(cols), format.Len())
	}
	f := func(i int, name string, kind pq.Kind) {
		t.Helper()
		if got := strings.Join(cols[i], "."); got != name {
			t.Errorf("column %d is %q, want %q", i, got, name)
		}
		leaf, _ := file.Schema().Lookup(cols[i]...)
		if got := leaf.Node.Type().Kind(); got != kind {
			t.Errorf("column %s is %v, want %v", name, got, kind)
		}
		if !leaf.Node.Optional() {
			t.Errorf("column %s is not optional", name)
		}
	}
	f(0, "version", pq.Int32)
	f(1, "account_id", pq.ByteArray)
	f(3, "srcaddr", pq.ByteArray)
	f(5, "srcport", pq.Int32)
	f(7, "protocol", pq.Int32)
	f(8, "packets", pq.Int64)
	f(10, "start", pq.Int64)
	f(11, "end", pq.Int64)
	f(12, "action", pq.ByteArray)
	f(13, "log_status", pq.ByteArray)
	f(int(flowlog.FieldTCPFlags)-1, "tcp_flags", pq.Int32)
	f(int(flowlog.FieldTrafficPath)-1, "traffic_path", pq.Int32)
	f(int(flowlog.FieldPacketsLostNoRoute)-1, "packets_lost_no_route", pq.Int64)
	f(format.Len()-1, "future_field", pq.ByteArray)
}

func TestWriterErrors(t *testing.T) {
	if _, err := NewWriter(io.Discard, nil, DefaultWriterConfig()); err == nil {
		t.Error("nil format: no error")
	}
	if _, err := NewWriter(io.Discard, parse.DefaultFormat(), WriterConfig{Compression: "lzma"}); err == nil || !strings.Contains(err.Error(), "snappy") {
		t.Errorf("bad codec: error %v, want one listing the codecs", err)
	}
	w, err := NewWriter(io.Discard, parse.FormatOf(flowlog.FieldBytes), DefaultWriterConfig())
	if err != nil {
		t.Fatal(err)
	}
	var r flowlog.Record
	r.SetUint(flowlog.FieldBytes, math.MaxUint64)
	if err := w.Write([]flowlog.Record{{}, r}); err == nil || !strings.Contains(err.Error(), "record 2: bytes") {
		t.Errorf("bytes above 2^63-1: error %v, want one naming record 2 and bytes", err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := w.Write([]flowlog.Record{{}}); err == nil {
		t.Error("write after close: no error")
	}
}
