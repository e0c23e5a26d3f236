package parse

import (
	"bytes"
	"fmt"
	"net/netip"
	"strconv"
	"unsafe"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// Config configures parsing.
type Config struct {
	// Format of the lines. Nil means: from the S3 header line when there is
	// one, else lines of 14 tokens are the default version 2 format. Header
	// lines in the input always take precedence: they describe the data
	// that follows them.
	Format *Format
	// MaxLineBytes caps the length of one line; longer lines are counted as
	// ReasonLineTooLong and skipped.
	MaxLineBytes int
	// MaxReportedErrors is how many malformed lines per source are kept in
	// Stats.Errors with their details (all are counted).
	MaxReportedErrors int
	// InternLimit bounds the distinct strings kept per parser for reuse.
	InternLimit int
	// ChunkBytes is the unit of work of ParseStream's workers.
	ChunkBytes int
	// Fields, when not empty, is the set of fields the caller reads: a
	// projection of text lines (Parquet columns are read whole). It
	// changes nothing to what is a record and what is a malformed line:
	// every token is still checked against its column (numbers,
	// addresses, enums) and counted the same way. But the fields outside
	// the set are not kept: Present never contains them, their slots hold
	// unspecified values (not always zero), and their strings are not
	// interned, which saves time. Unknown columns (Record.Extra) are
	// always kept.
	Fields flowlog.FieldSet

	noFast bool // tests: the general path only
}

// DefaultConfig returns the defaults.
func DefaultConfig() Config {
	return Config{MaxLineBytes: 64 << 10, MaxReportedErrors: 5, InternLimit: 1 << 16, ChunkBytes: 256 << 10}
}

func (c *Config) normalize() {
	d := DefaultConfig()
	if c.MaxLineBytes <= 0 {
		c.MaxLineBytes = d.MaxLineBytes
	}
	if c.MaxReportedErrors < 0 {
		c.MaxReportedErrors = 0
	}
	if c.InternLimit <= 0 {
		c.InternLimit = d.InternLimit
	}
	if c.ChunkBytes <= 0 {
		c.ChunkBytes = d.ChunkBytes
	}
	if c.ChunkBytes < 2*c.MaxLineBytes {
		c.ChunkBytes = 2 * c.MaxLineBytes
	}
}

// lineKind tells what a line was.
type lineKind uint8

const (
	lineRecord lineKind = iota
	lineBlank
	lineHeader
	lineMalformed
)

// lineErr describes why a line is malformed without allocating.
type lineErr struct {
	reason Reason
	field  string // column name
	msg    string // constant text
	tok    []byte // offending token (aliases the line)
	got    int    // token count, for ReasonFieldCount
	want   int
}

func (e *lineErr) detail() string {
	switch e.reason {
	case ReasonFieldCount:
		return fmt.Sprintf("%d fields, the format has %d", e.got, e.want)
	case ReasonNoFormat:
		return fmt.Sprintf("no header line and %d fields (the default format has 14): pass the format with --format, e.g. --format '${version} ${vpc-id} ...'", e.got)
	case ReasonLineTooLong:
		return e.msg
	}
	if e.field != "" {
		return fmt.Sprintf("%s: %q %s", e.field, e.tok, e.msg)
	}
	return e.msg
}

// Parser parses single lines. It is not safe for concurrent use; give each
// goroutine its own. Strings it stores in records are interned copies, never
// views of the input.
type Parser struct {
	format   *Format
	explicit bool
	defFmt   *Format
	intern   *interner
	toks     [][]byte
	unwrap   []byte
	header   []byte // bytes of the last header line, to reuse its Format
	last     [flowlog.NumFields]string
	strCache [flowlog.NumFields]*[strCacheSize]string
	noFast   bool // tests: general path only
	err      lineErr

	// keep is the projection (every field without one).
	keep flowlog.FieldSet
	// scratch receives the values of the fields outside the projection,
	// which the general path parses (checks) but does not keep.
	scratch flowlog.Record
	// The fast path of opsFormat (see compile).
	opsFormat *Format
	ops       []colOp
	present   flowlog.FieldSet
	noDefault bool // tests: fastFill's loop, not fastDefault
}

// NewParser returns a parser for cfg.
func NewParser(cfg Config) *Parser {
	cfg.normalize()
	p := &Parser{format: cfg.Format, explicit: cfg.Format != nil, intern: newInterner(cfg.InternLimit)}
	p.defFmt = DefaultFormat()
	p.noFast = cfg.noFast
	p.keep = cfg.Fields
	if cfg.Fields.Len() == 0 {
		p.keep = flowlog.FieldSet{^uint64(0), ^uint64(0)}
	}
	return p
}

// Format returns the format in force (nil before a header when none was
// configured).
func (p *Parser) Format() *Format { return p.format }

// setFormat sets the format in force (used by stream workers).
func (p *Parser) setFormat(f *Format) { p.format = f }

// ParseLine parses one line (without its newline) into rec. It returns
// (true, nil) for a record, (false, nil) for a blank or header line, and a
// *LineError (with Line 0 and no Source) for a malformed line.
func (p *Parser) ParseLine(line []byte, rec *flowlog.Record) (bool, error) {
	switch p.parse(line, rec) {
	case lineRecord:
		return true, nil
	case lineMalformed:
		return false, &LineError{Reason: p.err.reason, Detail: p.err.detail(), Snippet: snippet(line)}
	}
	return false, nil
}

// spaceTab marks the bytes that separate fields: spaces, tabs and CRs.
var spaceTab = [256]bool{' ': true, '\t': true, '\r': true}

func isSpace(c byte) bool { return spaceTab[c] }

func (p *Parser) tokenize(line []byte) {
	p.toks = p.toks[:0]
	i, n := 0, len(line)
	for {
		for i < n && spaceTab[line[i]] {
			i++
		}
		if i >= n {
			return
		}
		j := i
		for j < n && !spaceTab[line[j]] {
			j++
		}
		p.toks = append(p.toks, line[i:j])
		i = j
	}
}

func (p *Parser) parse(line []byte, rec *flowlog.Record) lineKind {
	// Trim trailing whitespace and CR, leading whitespace.
	for len(line) > 0 && spaceTab[line[len(line)-1]] {
		line = line[:len(line)-1]
	}
	for len(line) > 0 && spaceTab[line[0]] {
		line = line[1:]
	}
	if len(line) == 0 {
		return lineBlank
	}
	if c := line[0]; c == '{' {
		msg, ok := unwrapMessage(line, &p.unwrap)
		if !ok {
			p.err = lineErr{reason: ReasonWrapper, msg: `a line starting with '{' must be a JSON object with a "message" string`}
			return lineMalformed
		}
		return p.parse(msg, rec)
	} else if c >= 'a' && c <= 'z' {
		// Header lines start with a field name; data lines rarely start
		// with a lower-case letter (custom formats led by an id field).
		p.tokenize(line)
		if p.isHeader() {
			p.takeHeader(line)
			return lineHeader
		}
	}
	f := p.format
	if f == nil {
		f = p.defFmt
	}
	if !p.noFast && p.fastFill(f, line, rec) {
		return lineRecord
	}
	kind := p.fill(f, line, rec)
	if kind == lineMalformed && p.err.reason == ReasonFieldCount && p.format == nil {
		p.err.reason = ReasonNoFormat
	}
	return kind
}

// isHeader reports whether the tokens are a header line: the first token is a
// known field name and at least half of the tokens are.
func (p *Parser) isHeader() bool {
	t := p.toks
	if len(t) == 0 || len(t[0]) == 0 || t[0][0] < 'a' || t[0][0] > 'z' {
		return false
	}
	if _, ok := lookupBytes(t[0]); !ok {
		return false
	}
	known := 0
	for _, tok := range t {
		if !validName(unsafe.String(&tok[0], len(tok))) {
			return false
		}
		if _, ok := lookupBytes(tok); ok {
			known++
		}
	}
	return 2*known >= len(t)
}

func (p *Parser) takeHeader(line []byte) {
	if p.format != nil && bytes.Equal(line, p.header) {
		return
	}
	names := make([]string, len(p.toks))
	for i, t := range p.toks {
		names[i] = string(t)
	}
	f, err := NewFormat(names)
	if err != nil {
		return // repeated names: not a usable header; keep the current format
	}
	if p.format == nil || p.format.Header() != f.Header() {
		p.format = f
	}
	p.header = append(p.header[:0], line...)
}

// lookupBytes looks a field name up without allocating.
func lookupBytes(b []byte) (flowlog.FieldID, bool) {
	if len(b) == 0 || len(b) > 40 {
		return 0, false
	}
	return flowlog.Lookup(unsafe.String(&b[0], len(b)))
}

const maxInt32 = 1<<31 - 1

// fill parses line into rec with format f, splitting tokens as it goes.
func (p *Parser) fill(f *Format, line []byte, rec *flowlog.Record) lineKind {
	rec.Present = flowlog.FieldSet{}
	if rec.Extra != nil {
		rec.Extra = rec.Extra[:0]
	}
	fields := f.Fields
	i, n, col := 0, len(line), 0
	for {
		for i < n && spaceTab[line[i]] {
			i++
		}
		if i >= n {
			break
		}
		j := i
		for j < n && !spaceTab[line[j]] {
			j++
		}
		tok := line[i:j]
		i = j
		if col >= len(fields) {
			return p.countErr(line, len(fields))
		}
		id := fields[col]
		col++
		if id == flowlog.FieldInvalid {
			if len(tok) == 1 && tok[0] == '-' {
				rec.Extra = append(rec.Extra, "")
			} else {
				rec.Extra = append(rec.Extra, p.intern.intern(tok))
			}
			continue
		}
		dst := rec
		if !p.keep.Has(id) {
			// Outside the projection: checked, not kept.
			if id.Kind() == flowlog.KindString {
				continue
			}
			dst = &p.scratch
		}
		if len(tok) == 1 && tok[0] == '-' {
			clearField(dst, id)
			continue
		}
		if !p.setField(dst, id, tok) {
			// Report a wrong field count before a bad value: a shifted
			// line makes every later value look wrong.
			p.tokenize(line)
			if len(p.toks) != len(fields) {
				return p.countErr(line, len(fields))
			}
			return lineMalformed
		}
	}
	if col != len(fields) {
		return p.countErr(line, len(fields))
	}
	return lineRecord
}

func (p *Parser) countErr(line []byte, want int) lineKind {
	p.tokenize(line)
	p.err = lineErr{reason: ReasonFieldCount, got: len(p.toks), want: want}
	return lineMalformed
}

func (p *Parser) bad(reason Reason, id flowlog.FieldID, tok []byte, msg string) bool {
	p.err = lineErr{reason: reason, field: id.Name(), tok: tok, msg: msg}
	return false
}

func (p *Parser) setField(rec *flowlog.Record, id flowlog.FieldID, tok []byte) bool {
	switch id.Kind() {
	case flowlog.KindString:
		// Consecutive records often repeat a value (account, VPC): compare
		// with the last one before the intern map.
		if last := p.last[id]; string(tok) != last {
			p.last[id] = p.intern.intern(tok)
		}
		*rec.StringPtr(id) = p.last[id]
	case flowlog.KindAddr:
		a, ok := parseAddr(tok)
		if !ok {
			return p.bad(ReasonAddress, id, tok, "is not an IP address")
		}
		*rec.AddrPtr(id) = a
	case flowlog.KindTime:
		v, ok := parseUint(tok, 1<<62)
		if !ok {
			return p.bad(ReasonNumber, id, tok, "is not a Unix time")
		}
		if v > maxInt32 {
			v /= 1000 // milliseconds, as flowlogs-reader treats them
		}
		if id == flowlog.FieldStart {
			rec.Start = int64(v)
		} else {
			rec.End = int64(v)
		}
	case flowlog.KindUint8, flowlog.KindUint16, flowlog.KindUint64:
		v, ok := parseUint(tok, flowlog.MaxUint(id))
		if !ok {
			if _, isNum := parseUint(tok, 1<<64-1); isNum {
				return p.bad(ReasonNumber, id, tok, "is out of range (max "+strconv.FormatUint(flowlog.MaxUint(id), 10)+")")
			}
			return p.bad(ReasonNumber, id, tok, "is not a number")
		}
		rec.SetUint(id, v)
		return true
	case flowlog.KindAction:
		v, ok := flowlog.ParseAction(tok)
		if !ok {
			return p.bad(ReasonEnum, id, tok, "is not ACCEPT or REJECT")
		}
		rec.Action = v
	case flowlog.KindLogStatus:
		v, ok := flowlog.ParseLogStatus(tok)
		if !ok {
			return p.bad(ReasonEnum, id, tok, "is not OK, NODATA or SKIPDATA")
		}
		rec.Status = v
	case flowlog.KindTrafficType:
		v, ok := flowlog.ParseTrafficType(tok)
		if !ok {
			return p.bad(ReasonEnum, id, tok, "is not IPv4, IPv6 or EFA")
		}
		rec.Type = v
	case flowlog.KindFlowDirection:
		v, ok := flowlog.ParseFlowDirection(tok)
		if !ok {
			return p.bad(ReasonEnum, id, tok, "is not ingress or egress")
		}
		rec.Direction = v
	}
	rec.Present.Add(id)
	return true
}

// clearField zeroes the slot of id (the field is absent).
func clearField(rec *flowlog.Record, id flowlog.FieldID) {
	switch id.Kind() {
	case flowlog.KindString:
		*rec.StringPtr(id) = ""
	case flowlog.KindAddr:
		*rec.AddrPtr(id) = netip.Addr{}
	default:
		rec.SetUint(id, 0)
		rec.Present.Remove(id)
	}
}

const snippetLen = 120

func snippet(line []byte) string {
	if len(line) > snippetLen {
		return string(line[:snippetLen]) + "…"
	}
	return string(line)
}
