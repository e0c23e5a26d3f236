package filterpattern

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// duckType is the column type the flowlens store uses for a field kind.
func duckType(k flowlog.Kind) string {
	switch k {
	case flowlog.KindUint8:
		return "UTINYINT"
	case flowlog.KindUint16:
		return "USMALLINT"
	case flowlog.KindUint64:
		return "UBIGINT"
	case flowlog.KindTime:
		return "BIGINT"
	}
	return "VARCHAR"
}

// loadDuckDB creates table name with one column per field of f (plus rid,
// the index of the record) and inserts recs, absent fields as NULL.
func loadDuckDB(t *testing.T, db *sql.DB, name string, f *parse.Format, recs []flowlog.Record) {
	t.Helper()
	d := DuckDB{}
	cols := []string{"rid INTEGER"}
	marks := []string{"?"}
	for _, id := range f.Fields {
		cols = append(cols, d.Ident(id.Column())+" "+duckType(id.Kind()))
		marks = append(marks, "?")
	}
	if _, err := db.Exec(fmt.Sprintf("CREATE TABLE %s (%s)", name, strings.Join(cols, ", "))); err != nil {
		t.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		t.Fatal(err)
	}
	stmt, err := tx.Prepare(fmt.Sprintf("INSERT INTO %s VALUES (%s)", name, strings.Join(marks, ", ")))
	if err != nil {
		t.Fatal(err)
	}
	for i := range recs {
		r := &recs[i]
		args := []any{i}
		for _, id := range f.Fields {
			var v any
			switch {
			case !r.Has(id):
			case id.Kind() == flowlog.KindTime:
				v = r.Start
				if id == flowlog.FieldEnd {
					v = r.End
				}
			case id.Kind().IsNumeric():
				// database/sql refuses uint64 values above MaxInt64:
				// pass them as text, which DuckDB converts.
				u, _ := r.Uint(id)
				v = int64(u)
				if u > math.MaxInt64 {
					v = strconv.FormatUint(u, 10)
				}
			default:
				v = r.Text(id) // enum names, canonical addresses, strings
			}
			args = append(args, v)
		}
		if _, err := stmt.Exec(args...); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
}

// TestSQLDuckDB is the key correctness test of the SQL generation: for
// every pattern, the rows an in-memory DuckDB selects with the generated
// WHERE clause are exactly the records Bound.Match accepts.
func TestSQLDuckDB(t *testing.T) {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	queries := 0
	for ci, c := range differentialCases(t, 150) {
		table := fmt.Sprintf("flows%d", ci)
		loadDuckDB(t, db, table, c.format, c.records)
		for _, pattern := range c.patterns {
			b := bindOrSkip(t, c, pattern)
			if b == nil {
				continue
			}
			want := []int{}
			for i := range c.records {
				if b.Match(&c.records[i]) {
					want = append(want, i)
				}
			}
			where, args, err := b.SQL(DuckDB{})
			if err != nil {
				t.Fatalf("%s: SQL(%q): %v", c.name, pattern, err)
			}
			got := []int{}
			rows, err := db.Query("SELECT rid FROM "+table+" WHERE "+where+" ORDER BY rid", args...)
			if err != nil {
				t.Fatalf("%s: %s\nWHERE %s\nargs %v\n%v", c.name, pattern, where, args, err)
			}
			for rows.Next() {
				var rid int
				if err := rows.Scan(&rid); err != nil {
					t.Fatal(err)
				}
				got = append(got, rid)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			rows.Close()
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: %s\nWHERE %s\nargs %v\nDuckDB selects %d rows, Match accepts %d; first difference: %s",
					c.name, pattern, where, args, len(got), len(want), firstDiff(c, got, want))
			}
			queries++
		}
	}
	if queries < 300 {
		t.Fatalf("only %d queries ran", queries)
	}
	t.Logf("%d queries agree with the Go matcher", queries)
}

func firstDiff(c differentialCase, got, want []int) string {
	in := func(xs []int, x int) bool {
		for _, y := range xs {
			if y == x {
				return true
			}
		}
		return false
	}
	for i := range c.records {
		if in(got, i) != in(want, i) {
			return fmt.Sprintf("record %d (SQL %v, Go %v): %s", i, in(got, i), in(want, i), c.format.AppendLine(nil, &c.records[i]))
		}
	}
	return "none"
}

// TestSQLDuckDBNotPushable checks the fallback contract: when SQL refuses,
// the error says so.
func TestSQLDuckDBNotPushable(t *testing.T) {
	format := mustFormat(t, "version srcaddr future-field action")
	f := func(pattern string) {
		t.Helper()
		b := mustBind(t, pattern, format.Fields)
		if _, _, err := b.SQL(DuckDB{}); !errors.Is(err, ErrNotPushable) {
			t.Fatalf("SQL(%q) error = %v, want ErrNotPushable", pattern, err)
		}
	}
	f("[v, s, x=blue, a]")
	f("[..., x=blue, ...]")
	f("blue")
}
