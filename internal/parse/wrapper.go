package parse

import (
	"encoding/json"
	"unicode/utf8"
)

// unwrapMessage returns the "message" string member of a top-level JSON
// object line, as Kinesis Data Firehose and some exporters wrap flow log
// lines ({"message":"2 123456789012 eni-..."}). The result aliases line when
// the string has no escapes; otherwise it is decoded into *scratch.
func unwrapMessage(line []byte, scratch *[]byte) ([]byte, bool) {
	s := jsonScanner{b: line}
	s.ws()
	if !s.eat('{') {
		return nil, false
	}
	var msg []byte
	found := false
	for {
		s.ws()
		if s.eat('}') {
			break
		}
		key, kesc, ok := s.str()
		if !ok {
			return nil, false
		}
		s.ws()
		if !s.eat(':') {
			return nil, false
		}
		s.ws()
		if !kesc && string(key) == "message" && s.peek() == '"' {
			v, vesc, ok := s.str()
			if !ok {
				return nil, false
			}
			if vesc {
				var out string
				if json.Unmarshal(line[s.last:s.i], &out) != nil {
					return nil, false
				}
				*scratch = append((*scratch)[:0], out...)
				v = *scratch
			}
			msg, found = v, true
		} else if !s.skipValue() {
			return nil, false
		}
		s.ws()
		if s.eat(',') {
			continue
		}
		if s.eat('}') {
			break
		}
		return nil, false
	}
	s.ws()
	if s.i != len(s.b) || !found {
		return nil, false
	}
	return msg, true
}

type jsonScanner struct {
	b    []byte
	i    int
	last int // start of the last string scanned, quote included
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) && (s.b[s.i] == ' ' || s.b[s.i] == '\t' || s.b[s.i] == '\n' || s.b[s.i] == '\r') {
		s.i++
	}
}

func (s *jsonScanner) peek() byte {
	if s.i < len(s.b) {
		return s.b[s.i]
	}
	return 0
}

func (s *jsonScanner) eat(c byte) bool {
	if s.i < len(s.b) && s.b[s.i] == c {
		s.i++
		return true
	}
	return false
}

// str scans a JSON string and returns its raw content (without quotes) and
// whether it contains escapes.
func (s *jsonScanner) str() ([]byte, bool, bool) {
	s.last = s.i
	if !s.eat('"') {
		return nil, false, false
	}
	start, esc := s.i, false
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			v := s.b[start:s.i]
			s.i++
			if !esc && !utf8.Valid(v) {
				return nil, false, false
			}
			return v, esc, true
		case c == '\\':
			esc = true
			s.i += 2
		case c < 0x20:
			return nil, false, false
		default:
			s.i++
		}
	}
	return nil, false, false
}

// skipValue skips any JSON value, validating only its structure.
func (s *jsonScanner) skipValue() bool {
	switch c := s.peek(); c {
	case '"':
		_, _, ok := s.str()
		return ok
	case '{', '[':
		depth := 0
		for s.i < len(s.b) {
			switch s.b[s.i] {
			case '"':
				if _, _, ok := s.str(); !ok {
					return false
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					s.i++
					return true
				}
			}
			s.i++
		}
		return false
	default:
		start := s.i
		for s.i < len(s.b) {
			c := s.b[s.i]
			if c == ',' || c == '}' || c == ']' || c == ' ' || c == '\t' || c == '\r' || c == '\n' {
				break
			}
			s.i++
		}
		return s.i > start
	}
}
