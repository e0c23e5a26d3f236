package filterpattern

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// TestSQLText pins the SQL of a few patterns in both dialects. The DuckDB
// results are checked against the Go matcher by TestSQLDuckDB; these cases
// show what the SQL looks like and guard the ClickHouse dialect, which has
// no server in the tests.
func TestSQLText(t *testing.T) {
	def := flowlog.DefaultFields()
	f := func(pattern string, d Dialect, want string, wantArgs ...any) {
		t.Helper()
		b := mustBind(t, pattern, def)
		got, args, err := b.SQL(d)
		if err != nil {
			t.Fatalf("SQL(%q): %v", pattern, err)
		}
		if got != want {
			t.Fatalf("SQL(%q):\n got  %s\n want %s", pattern, got, want)
		}
		if !reflect.DeepEqual(args, wantArgs) {
			t.Fatalf("SQL(%q) args = %#v, want %#v", pattern, args, wantArgs)
		}
	}
	duck, ch := DuckDB{}, ClickHouse{}
	f(`[..., action="REJECT", status]`, duck, `("action" IS NOT NULL AND "action" = ?)`, "REJECT")
	f(`[..., action="REJECT", status]`, ch, "(`action` IS NOT NULL AND `action` = ?)", "REJECT")
	f(`[..., action!=REJECT, status]`, duck, `("action" IS NULL OR "action" <> ?)`, "REJECT")
	f(`[v, a, e, src=10.0.2.*, ...]`, duck, `("srcaddr" IS NOT NULL AND "srcaddr" LIKE ? ESCAPE '\')`, "10.0.2.%")
	f(`[v, a, e=eni_0*, ...]`, ch, "(`interface_id` IS NOT NULL AND `interface_id` LIKE ?)", `eni\_0%`)
	f(`[v, a, e, s, d, sp, destport=4*, ...]`, duck, `("dstport" IS NOT NULL AND CAST("dstport" AS VARCHAR) LIKE ? ESCAPE '\')`, "4%")
	f(`[v, a, e, s, d, sp, destport=4*, ...]`, ch, "(`dstport` IS NOT NULL AND toString(`dstport`) LIKE ?)", "4%")
	f(`[..., bytes>=1000000, start, end, action, status]`, duck, `("bytes" IS NOT NULL AND "bytes" >= ?)`, int64(1000000))
	f(`[..., bytes>=18446744073709551615, start, end, action, status]`, duck, `("bytes" IS NOT NULL AND "bytes" >= ?)`, "18446744073709551615")
	f(`[..., packets>1.5, bytes, start, end, action, status]`, ch, "(`packets` IS NOT NULL AND toFloat64(`packets`) > ?)", 1.5)
	f(`[..., start, end<=1700000000, action, status]`, duck, `("end" IS NOT NULL AND "end" <= ?)`, int64(1700000000))
	f(`[..., start=-5, end, action, status]`, duck, `("start" IS NOT NULL AND "start" = ?)`, int64(-5))
	f(`[v, a, e, s, d, sp, dp<70000, ...]`, duck, `"dstport" IS NOT NULL`)
	f(`[v, a, e, s, d, sp, dp>=-1, ...]`, duck, `"dstport" IS NOT NULL`)
	f(`[v, a, e, s, d, sp, dp>70000, ...]`, duck, `FALSE`)
	f(`[v, a, e, s, d, sp, dp!=70000, ...]`, duck, `TRUE`)
	f(`[v, a, e, s="-", ...]`, duck, `"srcaddr" IS NULL`)
	f(`[v, a, e, s!="-", ...]`, duck, `"srcaddr" IS NOT NULL`)
	f(`[v, a, e, s=*, ...]`, duck, `TRUE`)
	f(`[..., end=%^17%, action!=A*, status]`, duck,
		`(("end" IS NOT NULL AND regexp_matches(CAST("end" AS VARCHAR), ?)) AND ("action" IS NULL OR NOT ("action" LIKE ? ESCAPE '\')))`, "^17", "A%")
	f(`[..., end=%^17%, action!=A*, status]`, ch,
		"((`end` IS NOT NULL AND match(toString(`end`), ?)) AND (`action` IS NULL OR NOT (`action` LIKE ?)))", "^17", "A%")
	f(`[..., action=1, status]`, duck, `FALSE`)
	f(`[..., action!=1, status]`, duck, `TRUE`)
	f(`[v, account>100, ...]`, duck,
		`("account_id" IS NOT NULL AND COALESCE((CASE WHEN regexp_full_match("account_id", '[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?') THEN TRY_CAST("account_id" AS DOUBLE) END) > ?, FALSE))`, 100.0)
	f(`[v, account!=100, ...]`, ch,
		"(`account_id` IS NULL OR COALESCE(if(match(`account_id`, '^[+-]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][+-]?[0-9]+)?$'), toFloat64OrNull(`account_id`), NULL) <> ?, TRUE))", 100.0)
	f(`[v, a, e, s, d, sp, dp=22 || dp=443, pr=6, ...]`, duck,
		`((("dstport" IS NOT NULL AND "dstport" = ?) OR ("dstport" IS NOT NULL AND "dstport" = ?)) AND ("protocol" IS NOT NULL AND "protocol" = ?))`, int64(22), int64(443), int64(6))
	// A floating element may sit on any column; only those whose text can
	// read ACCEPT remain (not the numbers, addresses, nor log-status).
	f(`[..., x=ACCEPT, ...]`, duck, `(("account_id" IS NOT NULL AND "account_id" = ?) OR ("interface_id" IS NOT NULL AND "interface_id" = ?) OR ("action" IS NOT NULL AND "action" = ?))`, "ACCEPT", "ACCEPT", "ACCEPT")
	f(`[v, a, e, s=10.0.0.01, ...]`, duck, `FALSE`)
	f(`[v, a, e, s=2001:DB8::1, ...]`, duck, `FALSE`)
	f(`[v, a, e, s=2001:db8::1, ...]`, duck, `("srcaddr" IS NOT NULL AND "srcaddr" = ?)`, "2001:db8::1")
	f(`[..., x=ACCEPT, y=OK]`, duck, `(("action" IS NOT NULL AND "action" = ?) AND ("log_status" IS NOT NULL AND "log_status" = ?))`, "ACCEPT", "OK")
	f(`[a, ..., b, ..., c]`, duck, `TRUE`)
	f(``, duck, `TRUE`)
	f(`""`, duck, `TRUE`)
	f(`-""`, duck, `FALSE`)
	f(`REJECT`, ch,
		"(position(concatWithSeparator(' ', COALESCE(toString(`version`), '-'), COALESCE(`account_id`, '-'), COALESCE(`interface_id`, '-'), COALESCE(`srcaddr`, '-'), COALESCE(`dstaddr`, '-'), COALESCE(toString(`srcport`), '-'), COALESCE(toString(`dstport`), '-'), COALESCE(toString(`protocol`), '-'), COALESCE(toString(`packets`), '-'), COALESCE(toString(`bytes`), '-'), COALESCE(toString(`start`), '-'), COALESCE(toString(`end`), '-'), COALESCE(`action`, '-'), COALESCE(`log_status`, '-')), ?) > 0)", "REJECT")
	f(`-%^2\s%`, duck,
		`NOT (regexp_matches(concat_ws(' ', COALESCE(CAST("version" AS VARCHAR), '-'), COALESCE("account_id", '-'), COALESCE("interface_id", '-'), COALESCE("srcaddr", '-'), COALESCE("dstaddr", '-'), COALESCE(CAST("srcport" AS VARCHAR), '-'), COALESCE(CAST("dstport" AS VARCHAR), '-'), COALESCE(CAST("protocol" AS VARCHAR), '-'), COALESCE(CAST("packets" AS VARCHAR), '-'), COALESCE(CAST("bytes" AS VARCHAR), '-'), COALESCE(CAST("start" AS VARCHAR), '-'), COALESCE(CAST("end" AS VARCHAR), '-'), COALESCE("action", '-'), COALESCE("log_status", '-')), ?))`, `^2\s`)
}

func TestSQLNotPushable(t *testing.T) {
	// Floating runs whose placements multiply beyond the bound.
	layout := make([]flowlog.FieldID, 0, 60)
	for _, f := range flowlog.Fields()[:60] {
		layout = append(layout, f.ID)
	}
	b := mustBind(t, "[..., a=1, ..., b=1, ..., c=1, ..., d=1, ...]", layout)
	_, _, err := b.SQL(DuckDB{})
	if !errors.Is(err, ErrNotPushable) || !strings.Contains(err.Error(), "more than 4096 comparisons") {
		t.Fatalf("SQL error = %v, want ErrNotPushable (too many placements)", err)
	}
	// Bound.Match still works on such a pattern.
	var r flowlog.Record
	if b.Match(&r) {
		t.Fatal("an empty record matched [..., a=1, ..., b=1, ...]")
	}
}
