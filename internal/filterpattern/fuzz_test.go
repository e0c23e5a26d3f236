package filterpattern

import (
	"testing"

	"github.com/flowlens/flowlens/internal/parse"
)

// FuzzParsePattern checks that Parse never panics, that the canonical
// form of a pattern parses to a pattern with the same canonical form and
// the same matches, and that binding, matching and SQL generation never
// panic and agree with MatchLine.
func FuzzParsePattern(f *testing.F) {
	for _, p := range defaultPatterns {
		f.Add(p)
	}
	for _, p := range customPatterns {
		f.Add(p)
	}
	for _, p := range []string{
		"[a, b c]", "[]", "[a] b", `{ $.x = 1 }`, "[...=1]", "[a=%(x)%]", "- -x", `"a"b`,
		"[w1!=ERROR&&w1!=WARN, w2]", "[..., request=*.html*, status_code=4*,]", "[(c=1 || c=2) && c!=3]",
		`"ERROR" - "Exiting"`, `?"ERROR" "MainThread" ?"WARN" "Deadlock"`, "[a=\"x\\\"y\"]", "[…, x]",
	} {
		f.Add(p)
	}
	format := parse.DefaultFormat()
	recs := genRecords(format, 7, 20)
	lines := make([][]byte, len(recs))
	for i := range recs {
		lines[i] = format.AppendLine(nil, &recs[i])
	}
	extra := [][]byte{
		[]byte(`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`),
		[]byte("ERROR WARN message"), []byte(""), []byte(`"unterminated [x`),
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := Parse(in)
		if err != nil {
			if _, ok := err.(*SyntaxError); !ok {
				t.Fatalf("Parse(%q) error %T is not a *SyntaxError", in, err)
			}
			return
		}
		s := p.String()
		p2, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) ok, but its canonical form %q fails: %v", in, s, err)
		}
		if s2 := p2.String(); s2 != s {
			t.Fatalf("canonical form of %q is not stable: %q then %q", in, s, s2)
		}
		for _, l := range append(lines, extra...) {
			if p.MatchLine(l) != p2.MatchLine(l) {
				t.Fatalf("%q and its canonical form %q disagree on %q", in, s, l)
			}
		}
		b, err := p.Bind(format.Fields)
		if err != nil {
			return
		}
		for i := range recs {
			if b.Match(&recs[i]) != p.MatchLine(lines[i]) {
				t.Fatalf("%q: Match and MatchLine disagree on %q", in, lines[i])
			}
		}
		for _, d := range []Dialect{DuckDB{}, ClickHouse{}} {
			where, _, err := b.SQL(d)
			if err == nil && where == "" {
				t.Fatalf("%q: empty SQL", in)
			}
		}
	})
}
