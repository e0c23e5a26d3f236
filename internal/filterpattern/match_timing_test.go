package filterpattern

import (
	"testing"

	"github.com/flowlens/flowlens/internal/parse"
)

var benchPatterns = []struct{ name, pattern string }{
	{"reject-ssh", `[version, account, eni, source, destination, srcport, destport=22, protocol=6, packets, bytes, windowstart, windowend, action=REJECT, flowlogstatus]`},
	{"tail-action", `[..., action=REJECT, status]`},
	{"src-wildcard", `[v, a, e, src=10.0.2.*, ...]`},
	{"bytes-range", `[..., bytes>=1000000 && bytes<5000000, start, end, action, status]`},
	{"floating", `[..., dp=443, protocol=6, ...]`},
	{"terms", `REJECT -"10.0.2." ?NODATA`},
}

// BenchmarkMatch measures Bound.Match on records and Pattern.MatchLine on
// their text lines (default format).
func BenchmarkMatch(b *testing.B) {
	format := parse.DefaultFormat()
	recs := genRecords(format, 3, 1024)
	lines := make([][]byte, len(recs))
	size := 0
	for i := range recs {
		lines[i] = format.AppendLine(nil, &recs[i])
		size += len(lines[i]) + 1
	}
	for _, bp := range benchPatterns {
		bound := mustBind(b, bp.pattern, format.Fields)
		b.Run(bp.name+"/record", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(size / len(recs)))
			n := 0
			for i := 0; i < b.N; i++ {
				if bound.Match(&recs[i%len(recs)]) {
					n++
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/record")
		})
		b.Run(bp.name+"/line", func(b *testing.B) {
			p := bound.Pattern()
			b.ReportAllocs()
			b.SetBytes(int64(size / len(recs)))
			n := 0
			for i := 0; i < b.N; i++ {
				if p.MatchLine(lines[i%len(lines)]) {
					n++
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/record")
		})
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(benchPatterns[0].pattern); err != nil {
			b.Fatal(err)
		}
	}
}

// TestMatchDoesNotAllocate guards the zero-allocation promise of the hot
// path (no regular expressions involved).
func TestMatchDoesNotAllocate(t *testing.T) {
	format := parse.DefaultFormat()
	recs := genRecords(format, 3, 64)
	line := format.AppendLine(nil, &recs[0])
	for _, bp := range benchPatterns {
		bound := mustBind(t, bp.pattern, format.Fields)
		if n := testing.AllocsPerRun(100, func() { bound.Match(&recs[0]) }); n != 0 {
			t.Errorf("%s: Match allocates %.1f times per call", bp.name, n)
		}
		if n := testing.AllocsPerRun(100, func() { bound.Pattern().MatchLine(line) }); n != 0 {
			t.Errorf("%s: MatchLine allocates %.1f times per call", bp.name, n)
		}
	}
}
