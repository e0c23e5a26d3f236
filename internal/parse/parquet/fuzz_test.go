package parquet

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

const maxFuzzRecords = 10000

var errTooMany = errors.New("too many records")

// FuzzReadParquet feeds arbitrary bytes to the reader: it must never panic,
// its counters must add up, and whatever it reads must survive a write →
// read round trip.
func FuzzReadParquet(f *testing.F) {
	rng := rand.New(rand.NewPCG(7, 7))
	def := parse.DefaultFormat()
	var recs []flowlog.Record
	for range 5 {
		recs = append(recs, randomRecord(rng, def))
	}
	f.Add(writeParquet(f, def, WriterConfig{Compression: "none"}, recs, 5))
	f.Add(writeParquet(f, def, WriterConfig{Compression: "snappy", RowGroupRows: 2}, recs, 5))
	all := allFieldsFormat(f, "future-field")
	f.Add(writeParquet(f, all, WriterConfig{Compression: "none"}, []flowlog.Record{randomRecord(rng, all)}, 1))
	row := goodRow()
	row.DstPort = p(int32(70000))
	f.Add(writeGeneric(f, []awsRow{goodRow(), row}))
	f.Add([]byte("PAR1"))
	f.Add([]byte("PAR1\x00\x00\x00\x00PAR1"))

	f.Fuzz(func(t *testing.T, data []byte) {
		os.WriteFile("/tmp/fz/last.bin", data, 0o644)
		cfg := parse.DefaultConfig()
		var got []flowlog.Record
		var format *parse.Format
		st, err := Read(bytes.NewReader(data), int64(len(data)), "fuzz", cfg, func(f *parse.Format, batch []flowlog.Record) error {
			format = f
			if len(got) > maxFuzzRecords {
				// A few bytes of run-length encoding can announce
				// billions of null rows: valid, but not for a fuzzer.
				return errTooMany
			}
			for _, r := range batch {
				r.Extra = append([]string(nil), r.Extra...)
				got = append(got, r)
			}
			return nil
		})
		if errors.Is(err, errTooMany) {
			return
		}
		if st.Records+st.MalformedTotal() != st.Lines || st.Records != int64(len(got)) {
			t.Fatalf("stats do not add up: %+v, %d records", st, len(got))
		}
		if err != nil || len(got) == 0 {
			return
		}
		for i := range got {
			r := &got[i]
			if r.Start > math.MaxInt32 || r.End > math.MaxInt32 || r.Packets > math.MaxInt64 ||
				r.Bytes > math.MaxInt64 || r.PacketsLostNoRoute > math.MaxInt64 || r.PacketsLostBlackhole > math.MaxInt64 ||
				r.PacketsLostMTUExceeded > math.MaxInt64 || r.PacketsLostTTLExpired > math.MaxInt64 {
				return // values outside what the AWS schema (and the seconds heuristic) round-trips
			}
			if len(r.Extra) == 0 {
				r.Extra = nil
			}
		}
		again, _, st2 := readAll(t, writeParquet(t, format, DefaultWriterConfig(), got, 100), 64)
		if st2.MalformedTotal() != 0 || len(again) != len(got) {
			t.Fatalf("round trip: %+v", st2)
		}
		for i := range got {
			if len(again[i].Extra) == 0 {
				again[i].Extra = nil
			}
			if !reflect.DeepEqual(again[i], got[i]) {
				t.Fatalf("round trip: record %d differs: %s", i, recordDiff(&again[i], &got[i]))
			}
		}
	})
}
