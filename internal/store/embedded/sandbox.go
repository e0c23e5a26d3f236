package embedded

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"

	duckdb "github.com/duckdb/duckdb-go/v2"

	"github.com/flowlens/flowlens/internal/store"
)

// Every statement run by the engine, user SQL and generated queries alike,
// goes through runChecked: it must be exactly one statement, and a SELECT
// (which covers WITH, FROM-first queries, VALUES, DESCRIBE, SUMMARIZE,
// SHOW and table-valued PRAGMAs) or an EXPLAIN of one. The engine's
// configuration (no file or network access outside the data directory, no
// extensions, locked settings) is the second line of defence; the statement
// check is what keeps COPY ... TO inside the data directory, CREATE, DROP,
// ATTACH, SET, INSTALL and LOAD out.

func forbidden(format string, args ...any) error {
	return fmt.Errorf("%w: %s", store.ErrForbidden, fmt.Sprintf(format, args...))
}

var stmtNames = map[duckdb.StmtType]string{
	duckdb.STATEMENT_TYPE_INSERT: "INSERT", duckdb.STATEMENT_TYPE_UPDATE: "UPDATE",
	duckdb.STATEMENT_TYPE_DELETE: "DELETE", duckdb.STATEMENT_TYPE_PREPARE: "PREPARE",
	duckdb.STATEMENT_TYPE_CREATE: "CREATE", duckdb.STATEMENT_TYPE_EXECUTE: "EXECUTE",
	duckdb.STATEMENT_TYPE_ALTER: "ALTER", duckdb.STATEMENT_TYPE_TRANSACTION: "a transaction statement",
	duckdb.STATEMENT_TYPE_COPY: "COPY", duckdb.STATEMENT_TYPE_ANALYZE: "ANALYZE",
	duckdb.STATEMENT_TYPE_VARIABLE_SET: "SET", duckdb.STATEMENT_TYPE_CREATE_FUNC: "CREATE FUNCTION",
	duckdb.STATEMENT_TYPE_DROP: "DROP", duckdb.STATEMENT_TYPE_EXPORT: "EXPORT",
	duckdb.STATEMENT_TYPE_PRAGMA: "PRAGMA", duckdb.STATEMENT_TYPE_VACUUM: "VACUUM",
	duckdb.STATEMENT_TYPE_CALL: "CALL", duckdb.STATEMENT_TYPE_SET: "SET",
	duckdb.STATEMENT_TYPE_LOAD: "INSTALL/LOAD", duckdb.STATEMENT_TYPE_ATTACH: "ATTACH",
	duckdb.STATEMENT_TYPE_DETACH: "DETACH", duckdb.STATEMENT_TYPE_EXTENSION: "an extension statement",
}

const allowedHint = "only one read-only query is allowed: SELECT, WITH, FROM, DESCRIBE, SUMMARIZE or EXPLAIN over flows, flows_1m and flows_1h"

// prepareChecked prepares query on c and checks its statement type.
func prepareChecked(c *duckdb.Conn, query string, depth int) (*duckdb.Stmt, error) {
	if strings.TrimSpace(strings.Trim(strings.TrimSpace(query), ";")) == "" {
		return nil, errors.New("empty SQL statement")
	}
	ds, err := c.Prepare(query)
	if err != nil {
		if strings.Contains(err.Error(), "multi-statement") {
			return nil, forbidden("several statements: %s", allowedHint)
		}
		return nil, sandboxError(err)
	}
	st := ds.(*duckdb.Stmt)
	typ, err := st.StatementType()
	if err != nil {
		st.Close()
		return nil, err
	}
	switch typ {
	case duckdb.STATEMENT_TYPE_SELECT:
		return st, nil
	case duckdb.STATEMENT_TYPE_EXPLAIN:
		inner, ok := stripExplain(query)
		if ok && depth == 0 {
			is, err := prepareChecked(c, inner, depth+1)
			if err == nil {
				is.Close()
				return st, nil
			}
			st.Close()
			if errors.Is(err, store.ErrForbidden) {
				return nil, err
			}
			return nil, forbidden("EXPLAIN of a statement that cannot be checked (%v): %s", err, allowedHint)
		}
		st.Close()
		return nil, forbidden("EXPLAIN must be followed by a query: %s", allowedHint)
	}
	st.Close()
	name := stmtNames[typ]
	if name == "" {
		name = fmt.Sprintf("statement type %d", typ)
	}
	return nil, forbidden("%s: %s", name, allowedHint)
}

// stripExplain returns the statement explained by an EXPLAIN [ANALYZE]
// [(options)] statement.
func stripExplain(q string) (string, bool) {
	i := skipSpace(q, 0)
	if !hasKeyword(q, i, "explain") {
		return "", false
	}
	i = skipSpace(q, i+len("explain"))
	if hasKeyword(q, i, "analyze") || hasKeyword(q, i, "analyse") {
		i = skipSpace(q, i+len("analyze"))
	}
	if i < len(q) && q[i] == '(' {
		depth, quote := 0, byte(0)
		for ; i < len(q); i++ {
			ch := q[i]
			switch {
			case quote != 0:
				if ch == quote {
					quote = 0
				}
			case ch == '\'' || ch == '"':
				quote = ch
			case ch == '(':
				depth++
			case ch == ')':
				depth--
			}
			if depth == 0 {
				break
			}
		}
		if i >= len(q) {
			return "", false
		}
		i = skipSpace(q, i+1)
	}
	return q[i:], i < len(q)
}

func hasKeyword(q string, i int, kw string) bool {
	if i+len(kw) > len(q) || !strings.EqualFold(q[i:i+len(kw)], kw) {
		return false
	}
	if j := i + len(kw); j < len(q) {
		c := q[j]
		return !(c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')
	}
	return true
}

// skipSpace skips white space and comments.
func skipSpace(q string, i int) int {
	for i < len(q) {
		switch {
		case q[i] == ' ' || q[i] == '\t' || q[i] == '\n' || q[i] == '\r':
			i++
		case strings.HasPrefix(q[i:], "--"):
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				return len(q)
			}
			i += j + 1
		case strings.HasPrefix(q[i:], "/*"):
			j := strings.Index(q[i+2:], "*/")
			if j < 0 {
				return len(q)
			}
			i += j + 4
		default:
			return i
		}
	}
	return i
}

// sandboxError marks DuckDB's permission errors (file or network access
// outside the data directory, extensions, locked settings) as forbidden.
func sandboxError(err error) error {
	msg := err.Error()
	if strings.Contains(msg, "Permission Error") || strings.Contains(msg, "configuration has been locked") {
		return fmt.Errorf("%w: %s (queries may only read flows, flows_1m and flows_1h)", store.ErrForbidden, strings.TrimSpace(msg))
	}
	return err
}

// rawResult is the rows of a checked query, normalized.
type rawResult struct {
	names     []string
	types     []string
	rows      [][]any
	truncated bool
}

// runChecked runs one checked statement on conn, reading at most maxRows
// rows (0: no limit).
func runChecked(ctx context.Context, conn *sql.Conn, query string, args []any, maxRows int) (*rawResult, error) {
	var res rawResult
	err := streamChecked(ctx, conn, query, args, func(names, types []string) {
		res.names, res.types = names, types
	}, func(vals []any) (bool, error) {
		if maxRows > 0 && len(res.rows) >= maxRows {
			res.truncated = true
			return false, nil
		}
		res.rows = append(res.rows, append([]any(nil), vals...))
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	return &res, nil
}

// streamChecked runs one checked statement on conn: head receives the
// column names and DuckDB types, then row each row's normalized values (a
// slice reused between calls) until it returns false or an error.
func streamChecked(ctx context.Context, conn *sql.Conn, query string, args []any,
	head func(names, types []string), row func(vals []any) (bool, error)) error {
	return conn.Raw(func(dc any) error {
		c, ok := dc.(*duckdb.Conn)
		if !ok {
			return fmt.Errorf("unexpected driver connection %T", dc)
		}
		st, err := prepareChecked(c, query, 0)
		if err != nil {
			return err
		}
		defer st.Close()
		named := make([]driver.NamedValue, len(args))
		for i, a := range args {
			named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
		}
		if err := st.Bind(named); err != nil {
			return err
		}
		rows, err := st.QueryBound(ctx)
		if err != nil {
			return sandboxError(err)
		}
		defer rows.Close()
		names := rows.Columns()
		types := make([]string, len(names))
		if tn, ok := rows.(driver.RowsColumnTypeDatabaseTypeName); ok {
			for i := range types {
				types[i] = tn.ColumnTypeDatabaseTypeName(i)
			}
		}
		head(names, types)
		vals := make([]driver.Value, len(names))
		out := make([]any, len(names))
		for {
			err := rows.Next(vals)
			if err == io.EOF {
				return nil
			}
			if err != nil {
				return err
			}
			for i, v := range vals {
				out[i] = normalize(v)
			}
			more, err := row(out)
			if err != nil || !more {
				return err
			}
		}
	})
}

func normalize(v any) any {
	switch x := v.(type) {
	case duckdb.Decimal:
		return x.Float64()
	case duckdb.UUID:
		return x.String()
	case *duckdb.UUID:
		return x.String()
	case []byte:
		return append([]byte(nil), x...)
	}
	return store.NormalizeValue(v)
}

// columnType maps a DuckDB type name to a result column type.
func columnType(name string) store.ColumnType {
	switch {
	case name == "VARCHAR" || name == "UUID" || strings.HasPrefix(name, "ENUM"):
		return store.TypeString
	case name == "UTINYINT" || name == "USMALLINT" || name == "UINTEGER" || name == "UBIGINT" || name == "UHUGEINT":
		return store.TypeUint
	case name == "TINYINT" || name == "SMALLINT" || name == "INTEGER" || name == "BIGINT" || name == "HUGEINT":
		return store.TypeInt
	case name == "FLOAT" || name == "DOUBLE" || strings.HasPrefix(name, "DECIMAL"):
		return store.TypeFloat
	case strings.HasPrefix(name, "TIMESTAMP") || name == "DATE":
		return store.TypeTime
	case name == "BOOLEAN":
		return store.TypeBool
	}
	return store.TypeOther
}
