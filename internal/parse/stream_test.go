package parse

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// readAll parses text with a Reader and returns the dumped records.
func readAll(t *testing.T, text string, cfg Config) ([]string, *Stats) {
	t.Helper()
	rd := NewReader(strings.NewReader(text), "test.log", cfg)
	var out []string
	batch := make([]flowlog.Record, 7) // small, to cross batch boundaries
	for {
		n, err := rd.Read(batch)
		for i := 0; i < n; i++ {
			out = append(out, dump(&batch[i], rd.Format()))
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return out, rd.Stats()
}

// streamAll parses text with ParseStream and returns the dumped records,
// sorted (workers do not preserve order).
func streamAll(t *testing.T, text string, cfg Config, workers int) ([]string, Stats) {
	t.Helper()
	var mu sync.Mutex
	var out []string
	st, err := ParseStream(context.Background(), strings.NewReader(text), "test.log", cfg, workers, func(w int, batch []flowlog.Record) error {
		mu.Lock()
		defer mu.Unlock()
		for i := range batch {
			out = append(out, dump(&batch[i], nil))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(out)
	return out, st
}

func TestReaderHeadersAndErrors(t *testing.T) {
	text := "version srcaddr dstaddr\n" +
		"2 10.0.0.1 10.0.0.2\n" +
		"\n" +
		"2 10.0.0.1\n" + // line 4: field count
		"version srcaddr dstaddr\n" + // repeated header (concatenated objects)
		"3 10.0.0.3 10.0.0.4\r\n" +
		"srcaddr dstaddr\n" + // a different header mid-stream
		"10.0.0.5 bad\n" + // line 8: bad address
		"10.0.0.5 10.0.0.6" // no final newline
	recs, st := readAll(t, text, DefaultConfig())
	want := []string{
		"version=2 srcaddr=10.0.0.1 dstaddr=10.0.0.2",
		"version=3 srcaddr=10.0.0.3 dstaddr=10.0.0.4",
		"srcaddr=10.0.0.5 dstaddr=10.0.0.6",
	}
	if strings.Join(recs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("records:\n%s\nwant:\n%s", strings.Join(recs, "\n"), strings.Join(want, "\n"))
	}
	if st.Lines != 9 || st.Records != 3 || st.Headers != 3 || st.Blank != 1 || st.MalformedTotal() != 2 {
		t.Fatalf("stats: %+v", st)
	}
	if st.Bytes != int64(len(text)) {
		t.Fatalf("bytes = %d, want %d", st.Bytes, len(text))
	}
	if len(st.Errors) != 2 || st.Errors[0].Line != 4 || st.Errors[1].Line != 8 || st.Errors[1].Reason != ReasonAddress {
		t.Fatalf("errors: %+v", st.Errors)
	}
	if got := st.Errors[0].Error(); got != `test.log:4: field-count: 2 fields, the format has 3 (line: "2 10.0.0.1")` {
		t.Fatalf("error text: %s", got)
	}
}

func TestReaderLineTooLong(t *testing.T) {
	cfg := DefaultConfig()
	cfg.MaxLineBytes = 64
	long := strings.Repeat("x", 5000)
	text := "2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK\n" + long + "\n" +
		"2 123 eni-b 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK\n" + long
	for _, workers := range []int{1, 2} {
		var recs []string
		var st Stats
		if workers == 1 {
			r, s := readAll(t, text, cfg)
			recs, st = r, *s
		} else {
			recs, st = streamAll(t, text, cfg, workers)
		}
		if len(recs) != 2 || st.Lines != 4 || st.Malformed[ReasonLineTooLong] != 2 {
			t.Fatalf("workers=%d: %d records, stats %+v", workers, len(recs), st)
		}
		if st.Errors[0].Line != 2 || st.Errors[1].Line != 4 {
			t.Fatalf("workers=%d: error lines %+v", workers, st.Errors)
		}
	}
}

// genText builds a stream of n lines mixing formats, headers, blank and
// malformed lines.
func genText(rng *rand.Rand, n int) string {
	var b strings.Builder
	formats := []string{
		"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status",
		"version srcaddr dstaddr srcport dstport protocol action tcp-flags",
	}
	cur := -1
	for i := 0; i < n; i++ {
		switch r := rng.IntN(1000); {
		case r < 3:
			cur = rng.IntN(len(formats))
			b.WriteString(formats[cur])
		case r < 10:
			// blank
		case r < 20:
			b.WriteString("2 garbage")
		case cur == 1:
			fmt.Fprintf(&b, "3 10.%d.%d.1 10.0.0.%d %d 443 6 REJECT %d", rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(65536), rng.IntN(64))
		default:
			fmt.Fprintf(&b, "2 123456789012 eni-%d 10.0.%d.%d 172.16.0.%d %d 22 6 %d %d 1600000000 1600000060 ACCEPT OK",
				rng.IntN(50), rng.IntN(256), rng.IntN(256), rng.IntN(256), rng.IntN(65536), rng.IntN(100), rng.IntN(100000))
		}
		if rng.IntN(10) == 0 {
			b.WriteString("\r")
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestParseStreamMatchesReader(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	text := genText(rng, 20000)
	want, wst := readAll(t, text, DefaultConfig())
	sort.Strings(want)
	for _, chunk := range []int{1 << 10, 4 << 10, 64 << 10, 1 << 20} {
		for _, workers := range []int{2, 3, 5} {
			cfg := DefaultConfig()
			cfg.MaxLineBytes = 256
			cfg.ChunkBytes = chunk
			cfg.MaxReportedErrors = 1000
			wcfg := DefaultConfig()
			wcfg.MaxLineBytes = 256
			wcfg.MaxReportedErrors = 1000
			_, wantSt := readAll(t, text, wcfg)
			got, st := streamAll(t, text, cfg, workers)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Fatalf("chunk=%d workers=%d: records differ (%d vs %d)", chunk, workers, len(got), len(want))
			}
			if st.Lines != wst.Lines || st.Records != wst.Records || st.Headers != wst.Headers || st.Blank != wst.Blank || st.Malformed != wst.Malformed || st.Bytes != wst.Bytes {
				t.Fatalf("chunk=%d workers=%d: stats %+v, want %+v", chunk, workers, st, *wst)
			}
			if len(st.Errors) != len(wantSt.Errors) {
				t.Fatalf("chunk=%d workers=%d: %d errors, want %d", chunk, workers, len(st.Errors), len(wantSt.Errors))
			}
			for i := range st.Errors {
				if st.Errors[i] != wantSt.Errors[i] {
					t.Fatalf("chunk=%d workers=%d: error %d = %+v, want %+v", chunk, workers, i, st.Errors[i], wantSt.Errors[i])
				}
			}
		}
	}
}

func TestParseStreamHandlerError(t *testing.T) {
	text := genText(rand.New(rand.NewPCG(3, 4)), 50000)
	boom := errors.New("boom")
	cfg := DefaultConfig()
	cfg.ChunkBytes = 4 << 10
	cfg.MaxLineBytes = 1 << 10
	for _, workers := range []int{1, 2} {
		_, err := ParseStream(context.Background(), strings.NewReader(text), "x", cfg, workers, func(int, []flowlog.Record) error { return boom })
		if !errors.Is(err, boom) {
			t.Fatalf("workers=%d: err = %v, want boom", workers, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ParseStream(ctx, strings.NewReader(text), "x", cfg, 2, func(int, []flowlog.Record) error { return nil }); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v", err)
	}
}

type failingReader struct{ n int }

func (f *failingReader) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, errors.New("disk on fire")
	}
	line := "2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK\n"
	f.n--
	return copy(p, line), nil
}

func TestReadError(t *testing.T) {
	for _, workers := range []int{1, 2} {
		n := 0
		st, err := ParseStream(context.Background(), &failingReader{n: 10}, "x", DefaultConfig(), workers, func(_ int, b []flowlog.Record) error {
			n += len(b)
			return nil
		})
		if err == nil || !strings.Contains(err.Error(), "disk on fire") {
			t.Fatalf("workers=%d: err = %v", workers, err)
		}
		if n != 10 || st.Records != 10 {
			t.Fatalf("records before the error: %d (stats %d), want 10", n, st.Records)
		}
	}
}

type truncatedReader struct{ r io.Reader }

func (t truncatedReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if err == io.EOF {
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// A decompressor reporting a truncated stream must not look like a clean end.
func TestParseStreamTruncated(t *testing.T) {
	text := genText(rand.New(rand.NewPCG(5, 6)), 3000)
	for _, workers := range []int{1, 2} {
		st, err := ParseStream(context.Background(), truncatedReader{strings.NewReader(text)}, "x", DefaultConfig(), workers, func(int, []flowlog.Record) error { return nil })
		if !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("workers=%d: err = %v, want unexpected EOF", workers, err)
		}
		if st.Records == 0 {
			t.Fatalf("workers=%d: the records before the truncation are lost", workers)
		}
	}
}

func TestReaderReset(t *testing.T) {
	rd := NewReader(strings.NewReader("srcaddr\n10.0.0.1\n"), "a", DefaultConfig())
	batch := make([]flowlog.Record, 4)
	if n, _ := rd.Read(batch); n != 1 || rd.Format() == nil || rd.Stats().Format == nil {
		t.Fatalf("first stream: n=%d format=%v", n, rd.Format())
	}
	rd.Reset(strings.NewReader("2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK\nbad\n"), "b")
	n, _ := rd.Read(batch)
	st := rd.Stats()
	if n != 1 || st.Lines != 2 || st.MalformedTotal() != 1 || st.Errors[0].Source != "b" || st.Errors[0].Line != 2 {
		t.Fatalf("after Reset: n=%d stats=%+v", n, st)
	}
}

// edgeText has default-format lines that the fast paths must either take
// exactly as the general path does or leave to it.
const edgeText = `2 123456789012 eni-0a1b2c3d4e5f60001 10.0.1.2 172.31.255.255 49152 443 6 12 3456 1767571200 1767571260 ACCEPT OK
2 123456789012 eni-0a1b2c3d4e5f60001 - - - - - - - 1767571200 1767571260 - NODATA
- - - - - - - - - - - - - -
2 unknown eni-1 2001:db8::1 2600:1f18:3a24:fe00:cc2:85a8:4349:6293 0 0 58 1 64 1 2 REJECT OK
2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 1439387263000 1439387264999 ACCEPT OK
2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 18446744073709551615 18446744073709551616 100 160 ACCEPT OK
2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 00000000000000000001 1 100 160 ACCEPT OK
2 123 eni-a 10.0.0.1 10.0.0.2 70000 2 6 1 40 100 160 ACCEPT OK
2 123 eni-a 10.0.0.1 10.0.0.2 1 2 256 1 40 100 160 ACCEPT OK
2 123 eni-a 010.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK
2 123 eni-a 10.0.0.1 10.0.0.256 1 2 6 1 40 100 160 ACCEPT OK
2 123 eni-a 10.0.0.1 ::ffff:1.2.3.4 1 2 6 1 40 100 160 ACCEPT OK
2 123 eni-a 10.0.0.1 fe80::1%eth0 1 2 6 1 40 100 160 ACCEPT OK
2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK 
2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK` + "\r" + `
2  123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK
 2 123 eni-a 10.0.0.1	10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK
2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT
2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK OK
2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ALLOW OK
2 123 eni-` + "\x01" + `a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK
255 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK
256 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK
{"message":"2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK"}
version srcaddr dstaddr
3 10.0.0.3 10.0.0.4
version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status
2 123456789012 eni-0a1b2c3d4e5f60001 10.0.1.2 172.31.255.255 49152 443 6 12 3456 1767571200 1767571260 ACCEPT OK
2 123 eni-` + "\xff\xfe" + ` 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK
2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK`

// The fast paths (fastLines in Reader and ParseStream, fastDefault,
// fastFill) give the same records, counts and errors as the general path,
// with and without a projection.
func TestFastPathsMatchGeneral(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	long := "2 123 eni-" + strings.Repeat("a", 300) + " 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK\n"
	texts := []string{edgeText, edgeText + "\n", genText(rng, 3000), strings.Repeat(edgeText+"\n"+long, 20)}
	for ti, text := range texts {
		for _, fields := range []flowlog.FieldSet{{}, statsFields} {
			for _, workers := range []int{1, 2} {
				cfg := DefaultConfig()
				cfg.MaxLineBytes = 256
				cfg.ChunkBytes = 2048
				cfg.MaxReportedErrors = 1000
				cfg.Fields = fields
				general := cfg
				general.noFast = true
				var got, want []string
				var st, wst Stats
				if workers == 1 {
					var s, ws *Stats
					got, s = readAll(t, text, cfg)
					want, ws = readAll(t, text, general)
					st, wst = *s, *ws
				} else {
					got, st = streamAll(t, text, cfg, workers)
					want, wst = streamAll(t, text, general, workers)
				}
				if strings.Join(got, "\n") != strings.Join(want, "\n") {
					t.Fatalf("text %d, fields %v, workers %d: records differ:\n%s\nwant:\n%s", ti, fields, workers, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				st.Format, wst.Format = nil, nil
				if fmt.Sprint(st) != fmt.Sprint(wst) {
					t.Fatalf("text %d, fields %v, workers %d: stats differ:\n%+v\nwant:\n%+v", ti, fields, workers, st, wst)
				}
				if ti == 0 && (st.Records == 0 || st.MalformedTotal() == 0) {
					t.Fatalf("edge text: %d records, %d malformed: the test tests nothing", st.Records, st.MalformedTotal())
				}
			}
		}
	}
}
