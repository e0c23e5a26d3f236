package parse

import (
	"fmt"
	"strings"
)

// Reason classifies a malformed line.
type Reason uint8

const (
	ReasonNone        Reason = iota
	ReasonFieldCount         // wrong number of tokens for the format
	ReasonNumber             // bad or out-of-range number
	ReasonAddress            // bad IP address
	ReasonEnum               // unknown value for action, log-status, type or flow-direction
	ReasonLineTooLong        // line longer than Config.MaxLineBytes
	ReasonNoFormat           // no header, no --format, and not a 14-token default line
	ReasonWrapper            // a {"message":...} wrapper line that is not valid
	numReasons
)

// NumReasons is the number of reasons, for arrays indexed by Reason.
const NumReasons = int(numReasons)

var reasonNames = [...]string{"", "field-count", "bad-number", "bad-address", "bad-enum", "line-too-long", "no-format", "bad-wrapper"}

// String returns a short kebab-case name ("field-count").
func (r Reason) String() string {
	if int(r) < len(reasonNames) {
		return reasonNames[r]
	}
	return fmt.Sprintf("reason-%d", int(r))
}

// Reasons returns every reason except ReasonNone, in order.
func Reasons() []Reason {
	out := make([]Reason, 0, NumReasons-1)
	for r := Reason(1); r < numReasons; r++ {
		out = append(out, r)
	}
	return out
}

// LineError describes one malformed line.
type LineError struct {
	Source  string // file name, object key or "-" for stdin
	Line    int64  // 1-based line number
	Reason  Reason
	Detail  string // what is wrong, e.g. `srcport: "70000" is out of range`
	Snippet string // the start of the line
}

func (e *LineError) Error() string {
	var b strings.Builder
	if e.Source != "" {
		b.WriteString(e.Source)
		b.WriteByte(':')
	}
	fmt.Fprintf(&b, "%d: %s: %s", e.Line, e.Reason, e.Detail)
	if e.Snippet != "" {
		fmt.Fprintf(&b, " (line: %q)", e.Snippet)
	}
	return b.String()
}

// Stats counts what a parse saw. Counters are exact; Errors keeps only the
// first few malformed lines of each source (Config.MaxReportedErrors).
type Stats struct {
	Lines     int64 // every line, including headers and blank lines
	Records   int64
	Headers   int64
	Blank     int64
	Bytes     int64 // bytes of (decompressed) text read
	Malformed [NumReasons]int64
	Errors    []LineError
	// Format is the format in force at the end of the stream (set by
	// ParseStream; nil when no header was seen and none was configured).
	Format *Format
}

// MalformedTotal returns the number of malformed lines.
func (s *Stats) MalformedTotal() int64 {
	var n int64
	for _, v := range s.Malformed {
		n += v
	}
	return n
}

// Add merges o into s. Errors are appended up to limit entries in total
// (limit <= 0: no limit).
func (s *Stats) Add(o *Stats, limit int) {
	s.Lines += o.Lines
	s.Records += o.Records
	s.Headers += o.Headers
	s.Blank += o.Blank
	s.Bytes += o.Bytes
	for i := range s.Malformed {
		s.Malformed[i] += o.Malformed[i]
	}
	if o.Format != nil {
		s.Format = o.Format
	}
	for _, e := range o.Errors {
		if limit > 0 && len(s.Errors) >= limit {
			break
		}
		s.Errors = append(s.Errors, e)
	}
}
