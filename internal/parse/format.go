// Package parse turns flow log text into flowlog.Records. The format of a
// line (which field is in which column) comes from an S3 header line, an AWS
// format string or a plain field list; without any, 14-token lines are the
// default version 2 format.
package parse

import (
	"errors"
	"fmt"
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// Format is the ordered list of columns of a flow log line.
type Format struct {
	// Fields holds one entry per column: the field ID, or FieldInvalid for a
	// column this version of flowlens does not know.
	Fields []flowlog.FieldID
	// Names holds the AWS (dash spelled) name of each column, as given for
	// unknown columns.
	Names []string
	// ExtraNames lists the unknown columns in order; their values go to
	// Record.Extra.
	ExtraNames []string
	// set is the set of known fields of the format.
	set flowlog.FieldSet
	// def is IsDefault(), for the parser's fast path.
	def bool
}

// ErrEmptyFormat is returned for a format with no fields.
var ErrEmptyFormat = errors.New("empty format: give at least one field, e.g. \"${version} ${srcaddr} ${dstaddr}\"")

// ParseFormat parses a format given as an AWS format string
// ("${version} ${account-id} ..."), a space separated field list as in S3
// header lines ("version account-id ..."), or a comma separated list. Both
// dash and underscore spellings are accepted. Unknown names are kept as extra
// columns (see Format.ExtraNames); a name that repeats is an error.
func ParseFormat(s string) (*Format, error) {
	tokens := strings.FieldsFunc(s, func(r rune) bool {
		return r == ' ' || r == '\t' || r == ',' || r == '\n' || r == '\r'
	})
	if len(tokens) == 0 {
		return nil, ErrEmptyFormat
	}
	names := make([]string, 0, len(tokens))
	for _, t := range tokens {
		name := t
		if strings.HasPrefix(t, "${") && strings.HasSuffix(t, "}") {
			name = t[2 : len(t)-1]
		} else if strings.ContainsAny(t, "${}") {
			return nil, fmt.Errorf("format: malformed field %q: use ${name} or a plain name", t)
		}
		if name == "" {
			return nil, fmt.Errorf("format: empty field name in %q", t)
		}
		if !validName(name) {
			return nil, fmt.Errorf("format: %q is not a field name (letters, digits, '-' and '_' only)", name)
		}
		names = append(names, name)
	}
	return NewFormat(names)
}

func validName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// NewFormat builds a format from field names (dash or underscore spelling).
func NewFormat(names []string) (*Format, error) {
	if len(names) == 0 {
		return nil, ErrEmptyFormat
	}
	f := &Format{Fields: make([]flowlog.FieldID, len(names)), Names: make([]string, len(names))}
	seen := make(map[string]bool, len(names))
	for i, n := range names {
		id, ok := flowlog.Lookup(n)
		canon := strings.ReplaceAll(n, "_", "-")
		if ok {
			canon = id.Name()
			f.set.Add(id)
		} else {
			f.ExtraNames = append(f.ExtraNames, canon)
		}
		if seen[canon] {
			return nil, fmt.Errorf("format: field %q appears twice", canon)
		}
		seen[canon] = true
		f.Fields[i] = id
		f.Names[i] = canon
	}
	f.def = f.IsDefault()
	return f, nil
}

// FormatOf builds a format from known field IDs.
func FormatOf(ids ...flowlog.FieldID) *Format {
	names := make([]string, len(ids))
	for i, id := range ids {
		names[i] = id.Name()
	}
	f, err := NewFormat(names)
	if err != nil {
		panic(err) // only reachable with invalid or repeated IDs: a programming error
	}
	return f
}

// DefaultFormat returns the default (version 2, 14 fields) format.
func DefaultFormat() *Format { return FormatOf(flowlog.DefaultFields()...) }

// Len returns the number of columns.
func (f *Format) Len() int { return len(f.Fields) }

// Has reports whether the format contains the known field id.
func (f *Format) Has(id flowlog.FieldID) bool { return f.set.Has(id) }

// Set returns the set of known fields of the format.
func (f *Format) Set() flowlog.FieldSet { return f.set }

// IsDefault reports whether f is the default version 2 format.
func (f *Format) IsDefault() bool {
	def := flowlog.DefaultFields()
	if len(f.Fields) != len(def) {
		return false
	}
	for i := range def {
		if f.Fields[i] != def[i] {
			return false
		}
	}
	return true
}

// Version returns the version AWS writes for records of this format.
func (f *Format) Version() uint8 { return flowlog.VersionOf(f.Fields) }

// String returns the AWS format string: "${version} ${account-id} ...".
func (f *Format) String() string {
	var b strings.Builder
	for i, n := range f.Names {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString("${")
		b.WriteString(n)
		b.WriteByte('}')
	}
	return b.String()
}

// Header returns the S3 header line (without newline): "version account-id ...".
func (f *Format) Header() string { return strings.Join(f.Names, " ") }

// AppendLine appends r as one text line in format f (no newline) to dst. A
// field absent from r is written as "-". Unknown columns take their value
// from r.Extra by position ("-" when missing or empty).
func (f *Format) AppendLine(dst []byte, r *flowlog.Record) []byte {
	extra := 0
	for i, id := range f.Fields {
		if i > 0 {
			dst = append(dst, ' ')
		}
		if id == flowlog.FieldInvalid {
			if extra < len(r.Extra) && r.Extra[extra] != "" {
				dst = append(dst, r.Extra[extra]...)
			} else {
				dst = append(dst, '-')
			}
			extra++
			continue
		}
		dst = flowlog.AppendText(dst, r, id)
	}
	return dst
}
