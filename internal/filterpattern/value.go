package filterpattern

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// ValueKind says how a value in a pattern compares with the text of a field.
type ValueKind uint8

const (
	// ValueString compares as text, exactly and case-sensitively.
	ValueString ValueKind = iota + 1
	// ValueNumber is a value that reads as a number (integer, decimal or
	// scientific notation, optional sign): it compares numerically with
	// fields whose text reads as a number too.
	ValueNumber
	// ValueWildcard contains '*', which matches any run of characters.
	ValueWildcard
	// ValueRegex is a regular expression written between '%' signs; it
	// matches when it matches any part of the text.
	ValueRegex
)

// Value is the right-hand side of a condition, or the text of a term.
type Value struct {
	// Text is the value as written, without quotes or escapes (for a
	// regular expression, without the enclosing '%').
	Text string
	Kind ValueKind

	num   number         // ValueNumber
	parts []string       // ValueWildcard: Text split at '*'
	re    *regexp.Regexp // ValueRegex
	bytes []byte         // Text as bytes, for term search
}

// newValue classifies text. Terms (inField false) never use wildcards
// or numbers: they are searched for as written.
func newValue(text string, regex, inField bool) (Value, error) {
	v := Value{Text: text, Kind: ValueString, bytes: []byte(text)}
	switch {
	case regex:
		re, err := compileRegex(text)
		if err != nil {
			return Value{}, err
		}
		v.Kind, v.re = ValueRegex, re
	case !inField:
	case strings.IndexByte(text, '*') >= 0:
		v.Kind, v.parts = ValueWildcard, strings.Split(text, "*")
	default:
		if n, ok := parseNumber(text); ok {
			v.Kind, v.num = ValueNumber, n
		}
	}
	return v, nil
}

// regexAllowed lists the characters CloudWatch accepts in a regular
// expression: letters, digits, the symbols _#=@/;,-: and the operators
// ^$?[]{}|\*+. (no parentheses, no multi-byte characters).
func regexAllowed(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte(`_#=@/;,-:^$?[]{}|\*+.`, c) >= 0
}

// valueError is a bad value; off is the byte offset of the problem in
// the value's text.
type valueError struct {
	off int
	msg string
}

func (e *valueError) Error() string { return e.msg }

func compileRegex(text string) (*regexp.Regexp, error) {
	if text == "" {
		return nil, fmt.Errorf("empty regular expression %%%%")
	}
	for i := 0; i < len(text); i++ {
		if !regexAllowed(text[i]) {
			return nil, &valueError{i, fmt.Sprintf("character %q is not allowed in a regular expression (CloudWatch allows letters, digits, the symbols _#=@/;,-: and the operators ^$?[]{}|\\*+.; write \\s for a space)", text[i])}
		}
	}
	re, err := regexp.Compile(text)
	if err != nil {
		return nil, fmt.Errorf("bad regular expression %%%s%%: %v", text, err)
	}
	return re, nil
}

// number is a numeric value. Integers up to 2^64-1 in magnitude compare
// exactly; anything else compares as a float64.
type number struct {
	neg   bool
	exact bool // mag holds the magnitude exactly
	huge  bool // an integer beyond 2^64-1 in magnitude
	mag   uint64
	f     float64 // the value, always set
}

// isNumberText reports whether s reads as a number in the CloudWatch
// sense: [+-]?(digits[.digits?]|.digits)([eE][+-]?digits)?. The SQL
// dialects use the same grammar (numberRegexp).
func isNumberText[T string | []byte](s T) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// numberRegexp is isNumberText as an RE2 expression (full match), written
// with [.] rather than \. so it needs no escaping in any SQL dialect.
const numberRegexp = `[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?`

// parseNumber parses s if it reads as a number. It does not allocate for
// plain integers, the text of every numeric flow log field.
func parseNumber[T string | []byte](s T) (number, bool) {
	if !isNumberText(s) {
		return number{}, false
	}
	var n number
	i := 0
	if s[0] == '+' || s[0] == '-' {
		n.neg = s[0] == '-'
		i++
	}
	// Fast path: digits only.
	var mag uint64
	exact := true
	for j := i; j < len(s); j++ {
		c := s[j]
		if c < '0' || c > '9' {
			exact = false
			break
		}
		d := uint64(c - '0')
		if mag > (math.MaxUint64-d)/10 {
			exact = false
			n.huge = isDigits(s[j:])
			break
		}
		mag = mag*10 + d
	}
	if exact {
		n.exact, n.mag, n.f = true, mag, float64(mag)
		if n.neg {
			n.f = -n.f
		}
		if mag == 0 {
			n.neg = false
		}
		return n, true
	}
	f, err := strconv.ParseFloat(string(s), 64)
	if err != nil && !math.IsInf(f, 0) {
		return number{}, false // unreachable: the grammar is a subset of ParseFloat's
	}
	n.f = f
	// Integral values up to 2^53 (exactly representable) compare exactly:
	// "1e6" equals 1000000 and "22.0" equals 22.
	if a := math.Abs(f); a == math.Trunc(a) && a <= 1<<53 {
		n.exact, n.mag = true, uint64(a)
		if n.mag == 0 {
			n.neg = false
		}
	}
	return n, true
}

// exactNumber returns the integer -mag (neg) or mag.
func exactNumber(neg bool, mag uint64) number {
	n := number{neg: neg && mag != 0, exact: true, mag: mag, f: float64(mag)}
	if n.neg {
		n.f = -n.f
	}
	return n
}

func isDigits[T string | []byte](s T) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cmpNumber returns -1, 0 or +1 as a is less than, equal to or greater than b.
func cmpNumber(a, b number) int {
	if a.exact && b.exact {
		switch {
		case a.neg && !b.neg:
			return -1
		case !a.neg && b.neg:
			return 1
		}
		c := 0
		switch {
		case a.mag < b.mag:
			c = -1
		case a.mag > b.mag:
			c = 1
		}
		if a.neg {
			c = -c
		}
		return c
	}
	// An integer beyond 2^64-1 is larger in magnitude than any exact one.
	switch {
	case a.exact && b.huge:
		if b.neg {
			return 1
		}
		return -1
	case a.huge && b.exact:
		if a.neg {
			return -1
		}
		return 1
	}
	switch {
	case a.f < b.f:
		return -1
	case a.f > b.f:
		return 1
	}
	return 0
}

// globMatch reports whether s matches the wildcard pattern split at '*'
// into parts (at least two).
func globMatch[T string | []byte](parts []string, s T) bool {
	first, last := parts[0], parts[len(parts)-1]
	if len(s) < len(first)+len(last) {
		return false
	}
	if string(s[:len(first)]) != first || string(s[len(s)-len(last):]) != last {
		return false
	}
	s = s[len(first) : len(s)-len(last)]
	for _, mid := range parts[1 : len(parts)-1] {
		i := index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return true
}

// index returns the index of the first occurrence of sub in s, or -1.
func index[T string | []byte](s T, sub string) int {
	if sub == "" {
		return 0
	}
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i] == sub[0] && string(s[i:i+len(sub)]) == sub {
			return i
		}
	}
	return -1
}

// likePattern turns a wildcard value into a LIKE pattern with '\' as the
// escape character.
func likePattern(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		switch c := text[i]; c {
		case '*':
			b.WriteByte('%')
		case '%', '_', '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}
