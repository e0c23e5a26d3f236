package filterpattern

import (
	"math/rand"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// differentialCase is a format, records of that format and patterns to
// run over them.
type differentialCase struct {
	name     string
	format   *parse.Format
	records  []flowlog.Record
	patterns []string
}

// differentialCases returns the hand-written patterns and nRandom random
// ones for the default and the custom format, over 600 records each.
func differentialCases(t testing.TB, nRandom int) []differentialCase {
	t.Helper()
	var cases []differentialCase
	for i, c := range []struct {
		name    string
		format  *parse.Format
		written []string
	}{
		{"default", parse.DefaultFormat(), defaultPatterns},
		{"custom", mustFormat(t, customFormat), customPatterns},
	} {
		recs := genRecords(c.format, int64(10+i), 600)
		rng := rand.New(rand.NewSource(int64(100 + i)))
		patterns := append([]string(nil), c.written...)
		for len(patterns) < len(c.written)+nRandom {
			patterns = append(patterns, randomPattern(rng, c.format, recs))
		}
		cases = append(cases, differentialCase{c.name, c.format, recs, patterns})
	}
	return cases
}

// bindOrSkip binds a pattern; patterns that do not fit the layout are
// checked to fail on every line too, and reported as nil.
func bindOrSkip(t *testing.T, c differentialCase, pattern string) *Bound {
	t.Helper()
	p, err := Parse(pattern)
	if err != nil {
		t.Fatalf("%s: Parse(%q): %v", c.name, pattern, err)
	}
	if s := p.String(); s != pattern && pattern != `""` {
		if p2, err := Parse(s); err != nil || p2.String() != s {
			t.Fatalf("%s: %q prints as %q, which does not round-trip", c.name, pattern, s)
		}
	}
	b, err := p.Bind(c.format.Fields)
	if err != nil {
		for i := range c.records {
			if line := c.format.AppendLine(nil, &c.records[i]); p.MatchLine(line) {
				t.Fatalf("%s: Bind(%q) fails (%v) but the pattern matches %q", c.name, pattern, err, line)
			}
		}
		return nil
	}
	return b
}

// TestMatchEqualsMatchLine checks that matching a record gives the same
// answer as matching its text line, for every pattern and record.
func TestMatchEqualsMatchLine(t *testing.T) {
	matched, total := 0, 0
	for _, c := range differentialCases(t, 300) {
		for _, pattern := range c.patterns {
			b := bindOrSkip(t, c, pattern)
			if b == nil {
				continue
			}
			for i := range c.records {
				r := &c.records[i]
				line := c.format.AppendLine(nil, r)
				got, want := b.Match(r), b.Pattern().MatchLine(line)
				if got != want {
					t.Fatalf("%s: %s: Match = %v but MatchLine = %v on\n%s", c.name, pattern, got, want, line)
				}
				total++
				if got {
					matched++
				}
			}
		}
	}
	// Guard against a vacuous test: a fair share of the pairs must match
	// and a fair share must not.
	if matched < total/20 || matched > total*19/20 {
		t.Fatalf("%d of %d (record, pattern) pairs match: the patterns do not discriminate", matched, total)
	}
	t.Logf("%d of %d (record, pattern) pairs match", matched, total)
}
