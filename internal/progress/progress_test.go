package progress

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestLine(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	b := New(&bytes.Buffer{}, Configuration{Label: "ingest", TotalObjects: 4, TotalBytes: 4 << 20})
	b.now = func() time.Time { return now }
	b.start = now
	now = now.Add(2 * time.Second)
	b.ObjectDone(1 << 20)
	b.AddRecords(50000)
	b.AddMalformed(3)
	got := b.Line()
	for _, want := range []string{"ingest: 1/4 files", "1.0 MiB/4.0 MiB (25%)", "50000 records", "25.0k records/s", "ETA 6s", "3 malformed"} {
		if !strings.Contains(got, want) {
			t.Errorf("line %q lacks %q", got, want)
		}
	}
}

func TestStartStop(t *testing.T) {
	var out bytes.Buffer
	b := New(&out, Configuration{Interval: time.Millisecond})
	b.Start()
	b.AddRecords(7)
	time.Sleep(20 * time.Millisecond)
	b.Stop()
	if !strings.Contains(out.String(), "7 records") || !strings.HasSuffix(out.String(), "\r\033[K") {
		t.Fatalf("output %q", out.String())
	}
}
