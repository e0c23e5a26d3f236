package parse

import (
	"bytes"
	"errors"
	"io"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// lineSink accumulates the outcome of lines into a Stats.
type lineSink struct {
	stats     *Stats
	source    string
	maxErrors int
}

// take records the outcome of one line (numbered lineNo).
func (s *lineSink) take(p *Parser, kind lineKind, line []byte, lineNo int64) {
	st := s.stats
	st.Lines++
	switch kind {
	case lineRecord:
		st.Records++
	case lineBlank:
		st.Blank++
	case lineHeader:
		st.Headers++
	case lineMalformed:
		s.malformed(p.err.reason, p.err.detail, line, lineNo)
	}
}

func (s *lineSink) malformed(reason Reason, detail func() string, line []byte, lineNo int64) {
	s.stats.Malformed[reason]++
	if len(s.stats.Errors) < s.maxErrors {
		s.stats.Errors = append(s.stats.Errors, LineError{
			Source: s.source, Line: lineNo, Reason: reason, Detail: detail(), Snippet: snippet(line),
		})
	}
}

func (s *lineSink) tooLong(line []byte, lineNo int64, max int) {
	s.stats.Lines++
	e := lineErr{reason: ReasonLineTooLong, msg: "line longer than " + itoa(max) + " bytes (raise the limit or check the input is a flow log)"}
	s.malformed(ReasonLineTooLong, e.detail, line, lineNo)
}

func itoa(n int) string { return string(appendInt(nil, int64(n))) }

func appendInt(b []byte, n int64) []byte {
	if n < 0 {
		b = append(b, '-')
		n = -n
	}
	var tmp [20]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			break
		}
	}
	return append(b, tmp[i:]...)
}

// Reader reads records from a text stream, in order.
type Reader struct {
	r        io.Reader
	cfg      Config
	p        *Parser
	sink     lineSink
	stats    Stats
	buf      []byte
	start    int
	end      int
	eof      bool
	err      error
	lineNo   int64
	skipping bool // discarding the rest of an over-long line
}

// NewReader returns a Reader of r. source names r in errors (a path, an
// object key, or "-").
func NewReader(r io.Reader, source string, cfg Config) *Reader {
	cfg.normalize()
	size := 1 << 20
	if size < 2*cfg.MaxLineBytes {
		size = 2 * cfg.MaxLineBytes
	}
	rd := &Reader{r: r, cfg: cfg, p: NewParser(cfg), buf: make([]byte, size)}
	rd.sink = lineSink{stats: &rd.stats, source: source, maxErrors: cfg.MaxReportedErrors}
	return rd
}

// Reset makes r read a new stream, keeping its buffer and the strings it
// interned, with the configured format (a header of the previous stream no
// longer applies). Stats start from zero.
func (r *Reader) Reset(src io.Reader, source string) {
	r.r = src
	r.stats = Stats{}
	r.sink = lineSink{stats: &r.stats, source: source, maxErrors: r.cfg.MaxReportedErrors}
	r.start, r.end, r.eof, r.err, r.lineNo, r.skipping = 0, 0, false, nil, 0, false
	r.p.format = r.cfg.Format
	r.p.header = r.p.header[:0]
}

// Stats returns what the reader has seen so far.
func (r *Reader) Stats() *Stats {
	r.stats.Format = r.p.format
	return &r.stats
}

// Format returns the format in force (nil until a header when none was
// configured and no line has needed one).
func (r *Reader) Format() *Format { return r.p.Format() }

// Read parses up to len(recs) records into recs and returns how many. It
// returns io.EOF (with n == 0) when the stream is exhausted. Malformed lines
// are counted in Stats, not returned; a non-nil error other than io.EOF is a
// read error, after which the records parsed before it remain valid.
func (r *Reader) Read(recs []flowlog.Record) (int, error) {
	n := 0
	for n < len(recs) {
		if !r.skipping {
			// Most lines: parsed where they are, ends found as they go.
			m, k := r.p.fastLines(r.buf[r.start:r.end], recs[n:], r.cfg.MaxLineBytes)
			r.start += m
			n += k
			r.lineNo += int64(k)
			r.stats.Lines += int64(k)
			r.stats.Records += int64(k)
			if n == len(recs) {
				break
			}
		}
		line, ok := r.nextLine()
		if !ok {
			break
		}
		r.lineNo++
		if len(line) > r.cfg.MaxLineBytes {
			r.sink.tooLong(line, r.lineNo, r.cfg.MaxLineBytes)
			continue
		}
		kind := r.p.parse(line, &recs[n])
		r.sink.take(r.p, kind, line, r.lineNo)
		if kind == lineRecord {
			n++
		}
	}
	if n > 0 {
		return n, nil
	}
	if r.err != nil {
		return 0, r.err
	}
	return 0, io.EOF
}

// nextLine returns the next line without its newline; the slice is valid
// until the next call.
func (r *Reader) nextLine() ([]byte, bool) {
	for {
		if i := bytes.IndexByte(r.buf[r.start:r.end], '\n'); i >= 0 {
			line := r.buf[r.start : r.start+i]
			r.start += i + 1
			if r.skipping {
				r.skipping = false
				continue
			}
			return line, true
		}
		if r.eof || r.err != nil {
			if r.start < r.end && !r.skipping {
				line := r.buf[r.start:r.end]
				r.start = r.end
				return line, true
			}
			r.start, r.end = 0, 0
			return nil, false
		}
		if r.start > 0 {
			r.end = copy(r.buf, r.buf[r.start:r.end])
			r.start = 0
		}
		if r.end == len(r.buf) {
			// No newline in a full buffer: an over-long line. Count it
			// once, then discard up to the next newline.
			if !r.skipping {
				r.lineNo++
				r.sink.tooLong(r.buf[:r.end], r.lineNo, r.cfg.MaxLineBytes)
				r.skipping = true
			}
			r.end = 0
		}
		m, err := r.r.Read(r.buf[r.end:])
		r.end += m
		r.stats.Bytes += int64(m)
		if err != nil {
			if errors.Is(err, io.EOF) {
				r.eof = true
			} else {
				r.err = err
			}
		}
	}
}
