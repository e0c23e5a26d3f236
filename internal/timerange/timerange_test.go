package timerange

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	now := time.Date(2026, 1, 10, 12, 0, 0, 0, time.UTC)
	f := func(since, from, to, want, wantErr string) {
		t.Helper()
		r, err := Parse(since, from, to, now)
		if wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Fatalf("Parse(%q,%q,%q) err = %v, want %q", since, from, to, err, wantErr)
			}
			return
		}
		if err != nil {
			t.Fatalf("Parse(%q,%q,%q): %v", since, from, to, err)
		}
		if got := r.String(); got != want {
			t.Fatalf("Parse(%q,%q,%q) = %s, want %s", since, from, to, got, want)
		}
	}
	f("", "", "", "[-∞, +∞)", "")
	f("24h", "", "", "[2026-01-09T12:00:00Z, +∞)", "")
	f("7d", "", "", "[2026-01-03T12:00:00Z, +∞)", "")
	f("1d12h", "", "", "[2026-01-09T00:00:00Z, +∞)", "")
	f("2w", "", "", "[2025-12-27T12:00:00Z, +∞)", "")
	f("", "2026-01-01", "2026-01-02T06:30:00+02:00", "[2026-01-01T00:00:00Z, 2026-01-02T04:30:00Z)", "")
	f("", "1767225600", "1767225600000", "", "empty time range")
	f("", "1767225600", "1767229200000", "[2026-01-01T00:00:00Z, 2026-01-01T01:00:00Z)", "")
	f("", "2026-01-01T10:00", "", "[2026-01-01T10:00:00Z, +∞)", "")
	f("1h", "2026-01-01", "", "", "exclusive")
	f("-1h", "", "", "", "bad duration")
	f("xd", "", "", "", "bad duration")
	f("", "yesterday", "", "", "bad time")
	f("", "", "2026-13-01", "", "bad time")
	if !(Range{}).Contains(now) || (Range{From: now}).Contains(now.Add(-time.Second)) || (Range{To: now}).Contains(now) {
		t.Fatal("Contains")
	}
}
