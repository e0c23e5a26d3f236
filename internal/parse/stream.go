package parse

import (
	"bytes"
	"context"
	"io"
	"sync"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// Handler receives parsed records. ParseStream calls it concurrently from up
// to `workers` goroutines; worker is in [0, workers) and no two concurrent
// calls share a worker index, so handlers can keep per-worker state without
// locks. The batch and its records are valid only during the call.
type Handler func(worker int, batch []flowlog.Record) error

// BatchSize is the most records ParseStream passes in one handler call.
const BatchSize = 2048

// ParseStream parses r on several workers: the stream is cut into chunks at
// line boundaries and each chunk is parsed by one worker. Header lines take
// effect exactly where they are, also across chunks. Malformed lines are
// counted in the returned Stats (line numbers are exact); the error is a read
// error, a handler error, or ctx's error.
func ParseStream(ctx context.Context, r io.Reader, source string, cfg Config, workers int, h Handler) (Stats, error) {
	cfg.normalize()
	if workers <= 1 {
		return parseSequential(ctx, r, source, cfg, h)
	}
	s := &streamRun{cfg: cfg, source: source, h: h, free: make(chan []byte, workers+2)}
	for i := 0; i < workers+2; i++ {
		// Room for the carried start of a line, then ChunkBytes read at
		// once: a buffered reader with a buffer no larger than that reads
		// straight into it instead of copying.
		s.free <- make([]byte, cfg.MaxLineBytes+cfg.ChunkBytes)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	s.cancel = cancel
	work := make(chan *chunk, workers)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			s.worker(ctx, w, work)
		}(w)
	}
	readErr := s.dispatch(ctx, r, work)
	close(work)
	wg.Wait()
	st := s.merge()
	if s.err != nil {
		return st, s.err
	}
	if readErr != nil {
		return st, readErr
	}
	return st, ctx.Err()
}

func parseSequential(ctx context.Context, r io.Reader, source string, cfg Config, h Handler) (Stats, error) {
	rd := NewReader(r, source, cfg)
	batch := make([]flowlog.Record, BatchSize)
	for {
		if err := ctx.Err(); err != nil {
			return rd.stats, err
		}
		n, err := rd.Read(batch)
		rd.stats.Format = rd.p.format
		if n > 0 {
			if herr := h(0, batch[:n]); herr != nil {
				return rd.stats, herr
			}
		}
		if err == io.EOF {
			return rd.stats, nil
		}
		if err != nil {
			return rd.stats, err
		}
	}
}

// chunk is a run of whole lines.
type chunk struct {
	seq      int
	data     []byte
	buf      []byte // pooled buffer backing data
	tooLong  bool   // data is the start of one over-long line
	startFmt *Format
	prev     *chunk
	// Set by the worker before resolved is closed:
	endFmt   *Format
	lineEnd  int64 // lines up to and including this chunk
	resolved chan struct{}
	stats    Stats
}

type streamRun struct {
	cfg    Config
	source string
	h      Handler
	free   chan []byte
	cancel context.CancelFunc

	mu     sync.Mutex
	done   []*chunk
	err    error
	bytes  int64
	latest *Format // format at the end of the last resolved chunk
}

func (s *streamRun) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
	s.cancel()
}

// dispatch reads r into chunks cut at the last newline and sends them to the
// workers in order.
func (s *streamRun) dispatch(ctx context.Context, r io.Reader, work chan<- *chunk) error {
	prev := &chunk{resolved: make(chan struct{}), endFmt: s.cfg.Format}
	close(prev.resolved)
	var carry []byte
	skipping := false
	seq := 0
	send := func(c *chunk) bool {
		c.seq, c.prev, c.resolved = seq, prev, make(chan struct{})
		s.mu.Lock()
		c.startFmt = s.latest
		if seq == 0 {
			c.startFmt = s.firstFormat(c.data)
		}
		s.mu.Unlock()
		seq++
		prev = c
		select {
		case work <- c:
			return true
		case <-ctx.Done():
			return false
		}
	}
	s.latest = s.cfg.Format
	for {
		var buf []byte
		select {
		case buf = <-s.free:
		case <-ctx.Done():
			return nil
		}
		n := copy(buf, carry)
		m, err := fill(r, buf[n:min(len(buf), n+s.cfg.ChunkBytes)])
		s.bytes += int64(m)
		n += m
		eof := err == io.EOF
		var readErr error
		if err != nil && !eof {
			// Parse what was read before the error (the records of a
			// truncated object are kept), then report it.
			readErr, eof = err, true
		}
		data := buf[:n]
		if skipping {
			i := bytes.IndexByte(data, '\n')
			if i < 0 {
				carry = carry[:0]
				s.free <- buf
				if eof {
					return readErr
				}
				continue
			}
			skipping = false
			data = data[i+1:]
		}
		cut := len(data)
		if !eof {
			cut = bytes.LastIndexByte(data, '\n') + 1
		}
		if cut == 0 && len(data) > 0 {
			// A full chunk without a newline: one over-long line.
			if !send(&chunk{data: data[:min(len(data), snippetLen)], buf: buf, tooLong: true}) {
				return nil
			}
			carry, skipping = carry[:0], true
			continue
		}
		carry = append(carry[:0], data[cut:]...)
		if cut > 0 {
			if !send(&chunk{data: data[:cut], buf: buf}) {
				return nil
			}
		} else {
			s.free <- buf
		}
		if eof {
			return readErr
		}
	}
}

// firstFormat returns the format for the first chunk: the configured one, or
// that of a header on its first line, so the common S3 object (header then
// records) is never parsed twice.
func (s *streamRun) firstFormat(data []byte) *Format {
	line := data
	if i := bytes.IndexByte(data, '\n'); i >= 0 {
		line = data[:i]
	}
	p := NewParser(s.cfg)
	var rec flowlog.Record
	if p.parse(line, &rec) == lineHeader {
		return p.format
	}
	return s.cfg.Format
}

type workerState struct {
	p    *Parser
	recs []flowlog.Record
}

func (s *streamRun) worker(ctx context.Context, w int, work <-chan *chunk) {
	// Room for the records of a chunk of typical lines (80 bytes or more)
	// from the start: growing copies, and touches new pages.
	ws := &workerState{p: NewParser(s.cfg), recs: make([]flowlog.Record, (s.cfg.ChunkBytes+s.cfg.MaxLineBytes)/80)}
	for c := range work {
		s.process(ctx, w, ws, c)
	}
}

func (s *streamRun) process(ctx context.Context, w int, ws *workerState, c *chunk) {
	n := s.parseChunk(ws, c, c.startFmt)
	prev := c.prev
	<-prev.resolved
	c.prev = nil
	if prev.endFmt != c.startFmt && !c.tooLong {
		n = s.parseChunk(ws, c, prev.endFmt)
	}
	c.endFmt = ws.p.format
	if c.tooLong {
		c.endFmt = prev.endFmt
	}
	for i := range c.stats.Errors {
		c.stats.Errors[i].Line += prev.lineEnd
	}
	c.lineEnd = prev.lineEnd + c.stats.Lines
	s.mu.Lock()
	s.latest = c.endFmt
	s.done = append(s.done, c)
	s.mu.Unlock()
	close(c.resolved)
	s.free <- c.buf
	c.buf, c.data = nil, nil

	for i := 0; i < n && ctx.Err() == nil; i += BatchSize {
		if err := s.h(w, ws.recs[i:min(i+BatchSize, n)]); err != nil {
			s.fail(err)
			return
		}
	}
}

// parseChunk parses c with format f into ws.recs, resetting c.stats; it
// returns the number of records. Line numbers are relative to the chunk.
func (s *streamRun) parseChunk(ws *workerState, c *chunk, f *Format) int {
	c.stats = Stats{}
	sink := lineSink{stats: &c.stats, source: s.source, maxErrors: s.cfg.MaxReportedErrors}
	if c.tooLong {
		sink.tooLong(c.data, 1, s.cfg.MaxLineBytes)
		return 0
	}
	p := ws.p
	if p.format != f {
		// A new format: slots outside it may hold stale values.
		clear(ws.recs)
	}
	p.setFormat(f)
	p.header = p.header[:0]
	n := 0
	var lineNo int64
	data := c.data
	for len(data) > 0 {
		// Most lines: parsed where they are, ends found as they go.
		if m, k := p.fastLines(data, ws.recs[n:], s.cfg.MaxLineBytes); k > 0 {
			data = data[m:]
			n += k
			lineNo += int64(k)
			c.stats.Lines += int64(k)
			c.stats.Records += int64(k)
			if len(data) == 0 {
				break
			}
		}
		var line []byte
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			line, data = data, nil
		}
		lineNo++
		if len(line) > s.cfg.MaxLineBytes {
			sink.tooLong(line, lineNo, s.cfg.MaxLineBytes)
			continue
		}
		if n == len(ws.recs) {
			ws.recs = append(ws.recs, make([]flowlog.Record, max(1024, len(ws.recs)))...) // short lines
		}
		kind := p.parse(line, &ws.recs[n])
		sink.take(p, kind, line, lineNo)
		if kind == lineRecord {
			n++
		}
	}
	return n
}

// merge sums the chunk stats in stream order.
func (s *streamRun) merge() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	ordered := make([]*chunk, len(s.done))
	copy(ordered, s.done)
	sortChunks(ordered)
	var st Stats
	for _, c := range ordered {
		st.Add(&c.stats, s.cfg.MaxReportedErrors)
	}
	st.Bytes = s.bytes
	st.Format = s.latest
	return st
}

func sortChunks(cs []*chunk) {
	// Insertion sort: chunks finish nearly in order.
	for i := 1; i < len(cs); i++ {
		for j := i; j > 0 && cs[j].seq < cs[j-1].seq; j-- {
			cs[j], cs[j-1] = cs[j-1], cs[j]
		}
	}
}

// fill reads into buf until it is full or r fails. Unlike io.ReadFull it
// returns io.EOF for a clean end whatever was read, and passes any other
// error (io.ErrUnexpectedEOF from a truncated decompressor included) through.
func fill(r io.Reader, buf []byte) (int, error) {
	n := 0
	for n < len(buf) {
		m, err := r.Read(buf[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
