// Package timerange parses the time bounds that query-like commands accept:
// --since (a duration back from now), --from and --to (RFC 3339, a date, or
// Unix seconds/milliseconds).
package timerange

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Range is a half-open interval [From, To). A zero bound is open.
type Range struct {
	From time.Time
	To   time.Time
}

// Contains reports whether t is inside the range.
func (r Range) Contains(t time.Time) bool {
	return (r.From.IsZero() || !t.Before(r.From)) && (r.To.IsZero() || t.Before(r.To))
}

// IsZero reports whether both bounds are open.
func (r Range) IsZero() bool { return r.From.IsZero() && r.To.IsZero() }

// String renders the range for messages.
func (r Range) String() string {
	f, t := "-∞", "+∞"
	if !r.From.IsZero() {
		f = r.From.UTC().Format(time.RFC3339)
	}
	if !r.To.IsZero() {
		t = r.To.UTC().Format(time.RFC3339)
	}
	return "[" + f + ", " + t + ")"
}

// Parse builds a Range from the flag values (each may be empty). since is a
// duration such as 90m, 24h or 7d, counted back from now; it cannot be
// combined with from.
func Parse(since, from, to string, now time.Time) (Range, error) {
	var r Range
	if since != "" && from != "" {
		return r, fmt.Errorf("--since and --from are exclusive: use one")
	}
	if since != "" {
		d, err := ParseDuration(since)
		if err != nil {
			return r, fmt.Errorf("--since: %w", err)
		}
		r.From = now.Add(-d)
	}
	var err error
	if from != "" {
		if r.From, err = ParseTime(from); err != nil {
			return r, fmt.Errorf("--from: %w", err)
		}
	}
	if to != "" {
		if r.To, err = ParseTime(to); err != nil {
			return r, fmt.Errorf("--to: %w", err)
		}
	}
	if !r.From.IsZero() && !r.To.IsZero() && !r.From.Before(r.To) {
		return r, fmt.Errorf("empty time range %s: --from must be before --to", r)
	}
	return r, nil
}

// ParseDuration accepts Go durations plus d (days) and w (weeks): 30d, 2w, 1d12h.
func ParseDuration(s string) (time.Duration, error) {
	orig := s
	var total time.Duration
	for _, unit := range []struct {
		suffix byte
		d      time.Duration
	}{{'w', 7 * 24 * time.Hour}, {'d', 24 * time.Hour}} {
		if i := strings.IndexByte(s, unit.suffix); i > 0 {
			n, err := strconv.ParseFloat(s[:i], 64)
			if err != nil || n < 0 {
				return 0, fmt.Errorf("bad duration %q (use e.g. 90m, 24h, 7d, 2w)", orig)
			}
			total += time.Duration(n * float64(unit.d))
			s = s[i+1:]
		}
	}
	if s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return 0, fmt.Errorf("bad duration %q (use e.g. 90m, 24h, 7d, 2w)", orig)
		}
		total += d
	}
	if total <= 0 {
		return 0, fmt.Errorf("bad duration %q: must be positive", orig)
	}
	return total, nil
}

// ParseTime accepts RFC 3339 (with or without seconds or zone; no zone means
// UTC), a date (2006-01-02, meaning its midnight UTC), or Unix seconds or
// milliseconds.
func ParseTime(s string) (time.Time, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n > 1<<31-1 {
			return time.UnixMilli(n).UTC(), nil
		}
		return time.Unix(n, 0).UTC(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q (use RFC 3339 like 2024-05-01T10:00:00Z, a date like 2024-05-01, or Unix seconds)", s)
}
