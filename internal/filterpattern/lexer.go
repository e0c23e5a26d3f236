package filterpattern

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SyntaxError is a pattern that does not parse. Its message gives the
// column (1-based, in characters) and what was expected there.
type SyntaxError struct {
	Pattern string
	Offset  int // byte offset of the problem
	Col     int // 1-based column of the problem, in characters
	Msg     string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("filter pattern: col %d: %s", e.Col, e.Msg)
}

// scanner walks the pattern text.
type scanner struct {
	src string
	pos int
}

func (s *scanner) errorf(off int, format string, args ...any) *SyntaxError {
	if off > len(s.src) {
		off = len(s.src)
	}
	return &SyntaxError{
		Pattern: s.src,
		Offset:  off,
		Col:     utf8.RuneCountInString(s.src[:off]) + 1,
		Msg:     fmt.Sprintf(format, args...),
	}
}

func (s *scanner) eof() bool { return s.pos >= len(s.src) }

// peek returns the current byte, or 0 at the end.
func (s *scanner) peek() byte {
	if s.pos < len(s.src) {
		return s.src[s.pos]
	}
	return 0
}

func (s *scanner) rest() string { return s.src[s.pos:] }

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func (s *scanner) skipSpaces() {
	for s.pos < len(s.src) && isSpace(s.src[s.pos]) {
		s.pos++
	}
}

// describe names what is at the current position, for error messages.
func (s *scanner) describe() string {
	if s.eof() {
		return "end of pattern"
	}
	r, _ := utf8.DecodeRuneInString(s.rest())
	return fmt.Sprintf("%q", r)
}

// quoted scans a "..." string starting at the opening quote. Inside, \"
// stands for " and \\ for \; any other backslash is kept as is.
func (s *scanner) quoted() (string, error) {
	start := s.pos
	s.pos++ // opening quote
	var b strings.Builder
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		switch {
		case c == '"':
			s.pos++
			return b.String(), nil
		case c == '\\' && s.pos+1 < len(s.src) && (s.src[s.pos+1] == '"' || s.src[s.pos+1] == '\\'):
			b.WriteByte(s.src[s.pos+1])
			s.pos += 2
		default:
			b.WriteByte(c)
			s.pos++
		}
	}
	return "", s.errorf(start, "unterminated quoted string: add the closing '\"'")
}

// regex scans a %...% regular expression starting at the opening '%' and
// returns its text without the delimiters.
func (s *scanner) regex() (string, error) {
	start := s.pos
	end := strings.IndexByte(s.src[start+1:], '%')
	if end < 0 {
		return "", s.errorf(start, "unterminated regular expression: add the closing '%%'")
	}
	s.pos = start + 1 + end + 1
	return s.src[start+1 : start+1+end], nil
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// name scans a field label: letters, digits, '_' and '-'.
func (s *scanner) name() string {
	start := s.pos
	for s.pos < len(s.src) && isNameByte(s.src[s.pos]) {
		s.pos++
	}
	return s.src[start:s.pos]
}

// ellipsis consumes "..." or "…" if the scanner is at one.
func (s *scanner) ellipsis() bool {
	for _, e := range [...]string{"...", "…"} {
		if strings.HasPrefix(s.rest(), e) {
			s.pos += len(e)
			return true
		}
	}
	return false
}

// op scans a comparison operator ("==" is read as "=").
func (s *scanner) op() (Op, bool) {
	r := s.rest()
	for _, o := range [...]struct {
		text string
		op   Op
	}{{"!=", OpNe}, {"<=", OpLe}, {">=", OpGe}, {"==", OpEq}, {"=", OpEq}, {"<", OpLt}, {">", OpGt}} {
		if strings.HasPrefix(r, o.text) {
			s.pos += len(o.text)
			return o.op, true
		}
	}
	return 0, false
}

// bareValue scans an unquoted condition value: everything up to a space,
// ',', ']', ')', '"', "&&" or "||".
func (s *scanner) bareValue() string {
	start := s.pos
	for s.pos < len(s.src) {
		c := s.src[s.pos]
		if isSpace(c) || c == ',' || c == ']' || c == ')' || c == '"' {
			break
		}
		if (c == '&' || c == '|') && s.pos+1 < len(s.src) && s.src[s.pos+1] == c {
			break
		}
		s.pos++
	}
	return s.src[start:s.pos]
}
