package embedded

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	_ "github.com/duckdb/duckdb-go/v2" // the "duckdb" database/sql driver

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/store"
)

// The query engine is an in-memory DuckDB instance, sandboxed before any
// user SQL can run: external access is off except for reading the data
// directory, extensions cannot be installed or loaded, and the
// configuration is locked. Its only catalog objects are the views flows,
// flows_1m and flows_1h over the Parquet files of the live commits; they are
// recreated whenever the set of live commits changes.

type viewColumn struct {
	name string
	typ  pqType
}

func addrViewColumns(col string) []viewColumn {
	v4, hi, lo := store.AddrColumns(col)
	return []viewColumn{{col, pqString}, {v4, pqU32}, {hi, pqU64}, {lo, pqU64}}
}

// rawViewColumns returns the columns of the flows view.
func rawViewColumns() []viewColumn {
	var out []viewColumn
	for _, f := range flowlog.Fields() {
		if f.Kind == flowlog.KindAddr {
			out = append(out, addrViewColumns(f.Column)...)
			continue
		}
		out = append(out, viewColumn{f.Column, pqTypeOf(f.Kind)})
	}
	return append(out, viewColumn{"extra", pqString})
}

// rollupViewColumns returns the columns of the views of a cube.
func rollupViewColumns(c *store.Cube) []viewColumn {
	out := []viewColumn{{flowlog.FieldStart.Column(), pqI64}}
	for _, f := range c.Dims {
		if f.Kind() == flowlog.KindAddr {
			out = append(out, addrViewColumns(f.Column())...)
			continue
		}
		out = append(out, viewColumn{f.Column(), pqTypeOf(f.Kind())})
	}
	if c.ServiceFrom != 0 {
		out = append(out, viewColumn{store.ServiceColumn(flowlog.FieldSrcPort), pqU16}, viewColumn{store.ServiceColumn(flowlog.FieldDstPort), pqU16})
	}
	return append(out, viewColumn{store.ColFlows, pqU64}, viewColumn{store.ColPackets, pqU64}, viewColumn{store.ColBytes, pqU64})
}

func viewColumnsOf(level string) []viewColumn {
	_, c, _ := parseLevel(level)
	if c == nil {
		return rawViewColumns()
	}
	return rollupViewColumns(c)
}

// viewName returns the view of a level.
func viewName(d Dialect, level string) string {
	r, c, _ := parseLevel(level)
	if c == nil {
		return d.Table(r, "")
	}
	return d.Table(r, c.Name)
}

func sqlString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// viewSQL returns the SELECT of a view over files: one read_parquet per set
// of files with the same columns, missing columns as typed NULLs.
func viewSQL(d Dialect, dir string, cols []viewColumn, files []fileInfo) string {
	groups := map[string][]fileInfo{}
	var keys []string
	for _, f := range files {
		k := strings.Join(f.Columns, ",")
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], f)
	}
	sort.Strings(keys)
	selectList := func(have map[string]bool) string {
		parts := make([]string, len(cols))
		for i, c := range cols {
			src := "NULL"
			if have[c.name] {
				src = d.Quote(c.name)
			}
			parts[i] = fmt.Sprintf("CAST(%s AS %s) AS %s", src, c.typ.sqlType(), d.Quote(c.name))
		}
		return strings.Join(parts, ", ")
	}
	if len(keys) == 0 {
		return "SELECT " + selectList(nil) + " WHERE false"
	}
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		have := map[string]bool{}
		for _, c := range groups[k][0].Columns {
			have[c] = true
		}
		paths := make([]string, len(groups[k]))
		for j, f := range groups[k] {
			paths[j] = sqlString(filepath.Join(dir, filepath.FromSlash(f.Path)))
		}
		fmt.Fprintf(&b, "SELECT %s FROM read_parquet([%s])", selectList(have), strings.Join(paths, ", "))
	}
	return b.String()
}

// openEngine creates the sandboxed DuckDB instance.
func (s *Store) openEngine() error {
	tmp, err := os.MkdirTemp("", "flowlens-duckdb-")
	if err != nil {
		return err
	}
	db, err := sql.Open("duckdb", "")
	if err != nil {
		os.RemoveAll(tmp)
		return fmt.Errorf("embedded store: open DuckDB: %w", err)
	}
	setup := []string{
		fmt.Sprintf("SET threads = %d", s.cfg.Threads),
		"SET temp_directory = " + sqlString(tmp),
		"SET allowed_directories = [" + sqlString(filepath.Join(s.cfg.Dir, dataDir)+string(filepath.Separator)) + "]",
		// Data files are immutable: their footers can be cached.
		"SET parquet_metadata_cache = true",
		"SET autoinstall_known_extensions = false",
		"SET autoload_known_extensions = false",
		"SET enable_external_access = false",
	}
	if s.cfg.MemoryLimit != "" {
		setup = append(setup, "SET memory_limit = "+sqlString(s.cfg.MemoryLimit))
	}
	for _, level := range allLevels() {
		setup = append(setup, fmt.Sprintf("CREATE OR REPLACE VIEW %s AS %s", viewName(s.dialect, level),
			viewSQL(s.dialect, s.cfg.Dir, viewColumnsOf(level), nil)))
	}
	setup = append(setup, "SET lock_configuration = true")
	for _, q := range setup {
		if _, err := db.Exec(q); err != nil {
			db.Close()
			os.RemoveAll(tmp)
			return fmt.Errorf("embedded store: DuckDB setup %q: %w", q, err)
		}
	}
	s.db, s.duckTmp = db, tmp
	return nil
}

// refresh reloads the live commits and recreates the views when they
// changed. force drops the cached listing (after a query failed because a
// file vanished under it).
func (s *Store) refresh(ctx context.Context, force bool) (*snapshot, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, store.ErrClosed
	}
	if force {
		s.viewKey = "\x00"
	}
	snap, err := loadSnapshot(s.cfg.Dir, s.cache)
	if err != nil {
		return nil, err
	}
	if k := snap.key(); k != s.viewKey {
		for _, level := range allLevels() {
			q := fmt.Sprintf("CREATE OR REPLACE VIEW %s AS %s", viewName(s.dialect, level),
				viewSQL(s.dialect, s.cfg.Dir, viewColumnsOf(level), snap.files(level)))
			if _, err := s.db.ExecContext(ctx, q); err != nil {
				return nil, fmt.Errorf("embedded store: create view: %w", err)
			}
		}
		s.viewKey = k
	}
	s.snap = snap
	return snap, nil
}
