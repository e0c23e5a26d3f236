package filterpattern

import (
	"strings"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// Dialect is what differs between the SQL engines a pattern compiles to.
// Every method returns SQL text; those that take a value leave a '?'
// placeholder for it. Expressions passed in (col, text) are already quoted
// or parenthesized as needed.
type Dialect interface {
	// Ident quotes a column name.
	Ident(name string) string
	// Text returns the AWS text of a (non-NULL) column of the given kind,
	// as flowlog.AppendText writes it: decimal numbers, enum names,
	// canonical addresses, strings verbatim.
	Text(col string, kind flowlog.Kind) string
	// Number returns the value of a numeric column (KindUint*, KindTime)
	// as a number of the AWS unit (Unix seconds for start and end).
	Number(col string, kind flowlog.Kind) string
	// Double converts a numeric expression to DOUBLE.
	Double(expr string) string
	// ParseNumber returns the value of text as a DOUBLE when it reads as
	// a number (the grammar of numberRegexp, matched in full), else NULL.
	ParseNumber(text string) string
	// Like is true when text matches the LIKE pattern given as '?',
	// case-sensitively, with '\' escaping '%', '_' and '\'.
	Like(text string) string
	// Regexp is true when the RE2 expression given as '?' matches any
	// part of text.
	Regexp(text string) string
	// Contains is true when text contains the string given as '?'.
	Contains(text string) string
	// Line joins texts with single spaces.
	Line(texts []string) string
}

// DuckDB is the Dialect of the embedded store.
type DuckDB struct{}

var _ Dialect = DuckDB{}

func (DuckDB) Ident(name string) string {
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

func (DuckDB) Text(col string, kind flowlog.Kind) string {
	if kind.IsNumeric() {
		return "CAST(" + col + " AS VARCHAR)"
	}
	return col
}

func (DuckDB) Number(col string, _ flowlog.Kind) string { return col }

func (DuckDB) Double(expr string) string { return "CAST(" + expr + " AS DOUBLE)" }

func (DuckDB) ParseNumber(text string) string {
	return "(CASE WHEN regexp_full_match(" + text + ", '" + numberRegexp + "') THEN TRY_CAST(" + text + " AS DOUBLE) END)"
}

func (DuckDB) Like(text string) string     { return text + ` LIKE ? ESCAPE '\'` }
func (DuckDB) Regexp(text string) string   { return "regexp_matches(" + text + ", ?)" }
func (DuckDB) Contains(text string) string { return "contains(" + text + ", ?)" }
func (DuckDB) Line(texts []string) string  { return "concat_ws(' ', " + strings.Join(texts, ", ") + ")" }

// ClickHouse is the Dialect of a ClickHouse store with the same columns
// (addresses as String in canonical form, start and end as Unix seconds).
type ClickHouse struct{}

var _ Dialect = ClickHouse{}

func (ClickHouse) Ident(name string) string {
	return "`" + strings.ReplaceAll(strings.ReplaceAll(name, `\`, `\\`), "`", "\\`") + "`"
}

func (ClickHouse) Text(col string, kind flowlog.Kind) string {
	if kind.IsNumeric() {
		return "toString(" + col + ")"
	}
	return col
}

func (ClickHouse) Number(col string, _ flowlog.Kind) string { return col }

func (ClickHouse) Double(expr string) string { return "toFloat64(" + expr + ")" }

func (ClickHouse) ParseNumber(text string) string {
	return "if(match(" + text + ", '^" + numberRegexp + "$'), toFloat64OrNull(" + text + "), NULL)"
}

// Like relies on ClickHouse's LIKE, where '\' is always the escape character.
func (ClickHouse) Like(text string) string     { return text + " LIKE ?" }
func (ClickHouse) Regexp(text string) string   { return "match(" + text + ", ?)" }
func (ClickHouse) Contains(text string) string { return "(position(" + text + ", ?) > 0)" }
func (ClickHouse) Line(texts []string) string {
	return "concatWithSeparator(' ', " + strings.Join(texts, ", ") + ")"
}
