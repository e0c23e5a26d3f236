package parse

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// fuzzSeeds returns lines from the parser tests and, when present, the AWS
// documentation records of the shared conformance fixtures.
func fuzzSeeds() []string {
	seeds := []string{
		"2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK",
		"2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA",
		"2 123456789010 eni-1235b8ca123456789 2001:db8:1234:a100:8d6e:3477:df66:f105 2001:db8:1234:a102:3304:8879:34cf:4071 34892 22 6 54 8855 1477913708 1477913820 ACCEPT OK",
		`{"message":"2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK"}`,
		"version srcaddr dstaddr",
		"2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 1439387263000 1439387264999 ACCEPT OK",
	}
	if f, err := os.Open("../../../shared/conformance/aws-docs/aws-docs-records.txt"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			seeds = append(seeds, strings.TrimPrefix(sc.Text(), "#format:"))
		}
	}
	return seeds
}

// FuzzParseLine checks that no input panics and that every record survives
// parse → print → parse unchanged.
func FuzzParseLine(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s, "")
		f.Add(s, "version srcaddr dstaddr srcport dstport protocol start end action log-status tcp-flags type flow-direction")
		f.Add(s, "account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status version")
	}
	f.Fuzz(func(t *testing.T, line, format string) {
		cfg := DefaultConfig()
		if format != "" {
			ff, err := ParseFormat(format)
			if err != nil {
				return
			}
			cfg.Format = ff
		}
		p := NewParser(cfg)
		var rec flowlog.Record
		ok, err := p.ParseLine([]byte(line), &rec)
		// The fast path must agree with the general path exactly.
		g := NewParser(cfg)
		g.noFast = true
		var grec flowlog.Record
		gok, gerr := g.ParseLine([]byte(line), &grec)
		if ok != gok || (err == nil) != (gerr == nil) || (err != nil && err.Error() != gerr.Error()) {
			t.Fatalf("fast path %v %v, general path %v %v for %q", ok, err, gok, gerr, line)
		}
		if ok && dump(&rec, p.Format()) != dump(&grec, g.Format()) {
			t.Fatalf("fast path and general path differ for %q:\n%s\n%s", line, dump(&rec, p.Format()), dump(&grec, g.Format()))
		}
		if !ok {
			if err != nil && err.Error() == "" {
				t.Fatal("empty error")
			}
			return
		}
		if rec.Start > maxInt32 || rec.End > maxInt32 {
			// Seconds past 2038 print as values the millisecond rule
			// (> 2^31 means milliseconds) would read again: no round trip.
			return
		}
		fm := p.Format()
		if fm == nil {
			fm = DefaultFormat()
		}
		printed := fm.AppendLine(nil, &rec)
		q := NewParser(Config{Format: fm})
		var again flowlog.Record
		ok2, err := q.ParseLine(printed, &again)
		if !ok2 || err != nil {
			t.Fatalf("reparse of %q (from %q): %v", printed, line, err)
		}
		if a, b := dump(&rec, fm), dump(&again, fm); a != b {
			t.Fatalf("round trip of %q:\n%s\n%s", line, a, b)
		}
	})
}

// FuzzParseFormat checks that no format string panics and that accepted
// formats round-trip through String.
func FuzzParseFormat(f *testing.F) {
	f.Add("${version} ${account-id} ${interface-id}")
	f.Add("version account_id interface-id new-field")
	f.Add("${version")
	f.Add("a,,b")
	f.Fuzz(func(t *testing.T, s string) {
		ff, err := ParseFormat(s)
		if err != nil {
			return
		}
		again, err := ParseFormat(ff.String())
		if err != nil {
			t.Fatalf("reparse of %q: %v", ff.String(), err)
		}
		if again.Header() != ff.Header() || len(again.ExtraNames) != len(ff.ExtraNames) {
			t.Fatalf("round trip: %q vs %q", again.Header(), ff.Header())
		}
	})
}
