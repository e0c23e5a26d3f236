// Package progress draws a one-line progress report on a terminal for long
// work (ingest, scans): objects, bytes, records/s, ETA and malformed lines.
package progress

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// Configuration configures a Bar.
type Configuration struct {
	// Label starts the line ("ingest").
	Label string
	// Interval between redraws.
	Interval time.Duration
	// TotalObjects and TotalBytes are the expected totals (0: unknown).
	TotalObjects int64
	TotalBytes   int64
}

// DefaultConfiguration redraws 5 times a second.
func DefaultConfiguration() Configuration {
	return Configuration{Interval: 200 * time.Millisecond}
}

// Bar counts progress (safe for concurrent use) and, once started, redraws
// its line on w until stopped.
type Bar struct {
	cfg       Configuration
	w         io.Writer
	start     time.Time
	objects   atomic.Int64
	bytes     atomic.Int64
	records   atomic.Int64
	malformed atomic.Int64
	stop      chan struct{}
	done      sync.WaitGroup
	now       func() time.Time
}

// New returns a Bar drawing on w.
func New(w io.Writer, cfg Configuration) *Bar {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultConfiguration().Interval
	}
	return &Bar{cfg: cfg, w: w, now: time.Now}
}

// ObjectDone counts a finished object of size bytes (as counted in TotalBytes).
func (b *Bar) ObjectDone(bytes int64) {
	b.objects.Add(1)
	b.bytes.Add(bytes)
}

// AddRecords counts records.
func (b *Bar) AddRecords(n int64) { b.records.Add(n) }

// AddMalformed counts malformed lines.
func (b *Bar) AddMalformed(n int64) { b.malformed.Add(n) }

// Records returns the records counted so far.
func (b *Bar) Records() int64 { return b.records.Load() }

// Start begins redrawing.
func (b *Bar) Start() {
	b.start = b.now()
	b.stop = make(chan struct{})
	b.done.Add(1)
	go func() {
		defer b.done.Done()
		t := time.NewTicker(b.cfg.Interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				fmt.Fprintf(b.w, "\r\033[K%s", b.Line())
			case <-b.stop:
				fmt.Fprint(b.w, "\r\033[K")
				return
			}
		}
	}()
}

// Stop stops redrawing and clears the line.
func (b *Bar) Stop() {
	if b.stop != nil {
		close(b.stop)
		b.done.Wait()
		b.stop = nil
	}
}

// Line renders the current state.
func (b *Bar) Line() string {
	elapsed := b.now().Sub(b.start)
	objs, bytes, recs, bad := b.objects.Load(), b.bytes.Load(), b.records.Load(), b.malformed.Load()
	s := b.cfg.Label
	if s != "" {
		s += ": "
	}
	if b.cfg.TotalObjects > 0 {
		s += fmt.Sprintf("%d/%d files", objs, b.cfg.TotalObjects)
	} else {
		s += fmt.Sprintf("%d files", objs)
	}
	if b.cfg.TotalBytes > 0 {
		s += fmt.Sprintf("  %s/%s (%.0f%%)", human(bytes), human(b.cfg.TotalBytes), 100*float64(bytes)/float64(b.cfg.TotalBytes))
	} else {
		s += "  " + human(bytes)
	}
	rate := 0.0
	if secs := elapsed.Seconds(); secs > 0 {
		rate = float64(recs) / secs
	}
	s += fmt.Sprintf("  %d records  %s records/s", recs, humanCount(rate))
	if b.cfg.TotalBytes > 0 && bytes > 0 && bytes < b.cfg.TotalBytes {
		eta := time.Duration(float64(elapsed) * float64(b.cfg.TotalBytes-bytes) / float64(bytes))
		s += "  ETA " + eta.Round(time.Second).String()
	}
	if bad > 0 {
		s += fmt.Sprintf("  %d malformed", bad)
	}
	return s
}

func human(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

func humanCount(f float64) string {
	switch {
	case f >= 1e6:
		return fmt.Sprintf("%.2fM", f/1e6)
	case f >= 1e3:
		return fmt.Sprintf("%.1fk", f/1e3)
	}
	return fmt.Sprintf("%.0f", f)
}
