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
		// The fast paths (fastDefault, fastFill's loop) must agree with the
		// general path exactly.
		g := NewParser(cfg)
		g.noFast = true
		var grec flowlog.Record
		gok, gerr := g.ParseLine([]byte(line), &grec)
		l := NewParser(cfg)
		l.noDefault = true
		var lrec flowlog.Record
		lok, lerr := l.ParseLine([]byte(line), &lrec)
		for _, o := range []struct {
			name string
			ok   bool
			err  error
			rec  *flowlog.Record
			f    *Format
		}{{"general path", gok, gerr, &grec, g.Format()}, {"fastFill loop", lok, lerr, &lrec, l.Format()}} {
			if ok != o.ok || (err == nil) != (o.err == nil) || (err != nil && err.Error() != o.err.Error()) {
				t.Fatalf("fast path %v %v, %s %v %v for %q", ok, err, o.name, o.ok, o.err, line)
			}
			if ok && dump(&rec, p.Format()) != dump(o.rec, o.f) {
				t.Fatalf("fast path and %s differ for %q:\n%s\n%s", o.name, line, dump(&rec, p.Format()), dump(o.rec, o.f))
			}
		}
		// A projection changes which fields are kept, nothing else.
		for _, fields := range []flowlog.FieldSet{statsFields, flowlog.SetOf(flowlog.FieldAccountID, flowlog.FieldSrcPort)} {
			for _, noFast := range []bool{false, true} {
				pcfg := cfg
				pcfg.Fields = fields
				q := NewParser(pcfg)
				q.noFast = noFast
				var qrec flowlog.Record
				qok, qerr := q.ParseLine([]byte(line), &qrec)
				if ok != qok || (err == nil) != (qerr == nil) || (err != nil && err.Error() != qerr.Error()) {
					t.Fatalf("projection (noFast %v): %v %v, without: %v %v for %q", noFast, qok, qerr, ok, err, line)
				}
				if !ok {
					continue
				}
				kept := rec
				kept.Present = flowlog.FieldSet{rec.Present[0] & fields[0], rec.Present[1] & fields[1]}
				if a, b := dump(&qrec, q.Format()), dump(&kept, p.Format()); a != b {
					t.Fatalf("projection (noFast %v) of %q:\n%s\nwant\n%s", noFast, line, a, b)
				}
			}
		}
		// fastLines takes a line with its newline, in place, only when
		// ParseLine makes the same record of it.
		f := NewParser(cfg)
		data := []byte(line + "\n2 more")
		recs := make([]flowlog.Record, 2)
		if m, k := f.fastLines(data, recs, DefaultConfig().MaxLineBytes); k > 0 {
			if k != 1 || m != len(line)+1 || !ok || dump(&recs[0], f.Format()) != dump(&rec, p.Format()) {
				t.Fatalf("fastLines took %d bytes, %d records of %q (ParseLine: %v %v)", m, k, line, ok, err)
			}
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
