package storetest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/store"
)

// RunFiles runs the data-driven tests matching glob (relative to the
// storetest package directory when not absolute), one fresh store per file.
//
// A file is a sequence of commands, each a line followed by indented lines
// (its block); '#' starts a comment:
//
//	load <name> [hash=<h>]      ingest the block (flow log lines) as one object
//	eval <query spec>           run a structured query; the block holds the rows
//	sql <statement>             run SQL; the block holds the rows
//	error <query spec>          the query must fail; the block holds a substring of the error
//	prune <time>                prune before <time>; the block holds the removed record count
//	sources                     the block holds "<name> <records> <malformed> [dup=<name>] [pruned]" per ledger entry
//
// A query spec is made of key=value words: range=<start>..<end> (RFC 3339,
// either side may be empty), by=<dim>,... (a field, <addr field>/<bits4>/<bits6>,
// <field><<limit> for store.BelowDim, <port field>@<first ephemeral port>
// for store.ServiceDim, hour or weekday), bucket=<duration>, measures=<m>,... (flows, packets,
// bytes, sum(f), distinct(f), approx(f), min(f), max(f)), where=<cond>,...
// (f=v, f!=v, f<v, f<=v, f>v, f>=v, f=a|b for IN, f!=a|b for NOT IN, f~<prefix>|...,
// f!~<prefix>, f? present, !f absent), order=[-]<col>,..., limit=<n>,
// unordered=true (the rows are sorted as the oracle's before the
// comparison), res=auto|raw|1m|1h and plan=<substring of the plan>. Without res, eval
// runs at every resolution able to answer and all must give the rows, which
// must also equal the oracle's. Rows are cells separated by blanks, '-' for
// absent values, times in RFC 3339.
func RunFiles(t *testing.T, open Opener, glob string) { RunFilesWith(t, open, glob, Capabilities{}) }

// RunFilesWith is RunFiles for a backend with the given capabilities: with
// NoSQL, `sql` commands check that SQL fails; with RawOnly, `plan=` is not
// checked.
func RunFilesWith(t *testing.T, open Opener, glob string, caps Capabilities) {
	if !filepath.IsAbs(glob) {
		glob = filepath.Join(packageDir(), glob)
	}
	files, err := filepath.Glob(glob)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no test files match %s", glob)
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) { runFile(t, open, f, caps) })
	}
}

// packageDir is the directory of this package's sources (tests run in the
// backend's directory).
func packageDir() string {
	for _, d := range []string{"../storetest", "storetest", "."} {
		if _, err := os.Stat(filepath.Join(d, "testdata")); err == nil {
			if _, err := os.Stat(filepath.Join(d, "datadriven.go")); err == nil {
				return d
			}
		}
	}
	return "../storetest"
}

type command struct {
	line  int
	verb  string
	arg   string
	block []string
}

func readCommands(path string) ([]command, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cmds []command
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(cmds) == 0 {
				return nil, fmt.Errorf("%s:%d: indented line outside a command", path, n)
			}
			cmds[len(cmds)-1].block = append(cmds[len(cmds)-1].block, trimmed)
			continue
		}
		verb, arg, _ := strings.Cut(trimmed, " ")
		cmds = append(cmds, command{line: n, verb: verb, arg: strings.TrimSpace(arg)})
	}
	return cmds, sc.Err()
}

func runFile(t *testing.T, open Opener, path string, caps Capabilities) {
	cmds, err := readCommands(path)
	if err != nil {
		t.Fatal(err)
	}
	s := openStore(t, open)
	w := openWriter(t, s)
	defer func() {
		if err := w.Close(); err != nil {
			t.Errorf("close writer: %v", err)
		}
	}()
	ctx := context.Background()
	var all []flowlog.Record
	hashes := map[string]bool{} // copies add no records (see store.SourceID)
	for _, c := range cmds {
		where := fmt.Sprintf("%s:%d", filepath.Base(path), c.line)
		if c.verb != "load" && c.verb != "prune" {
			if err := w.Flush(ctx); err != nil {
				t.Fatalf("%s: flush: %v", where, err)
			}
		}
		switch c.verb {
		case "load":
			recs, err := load(ctx, w, c)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			if h := specValue(c.arg, "hash"); h != "" {
				k := fmt.Sprint(len(strings.Join(c.block, "\n")), h)
				if hashes[k] {
					recs = nil
				}
				hashes[k] = true
			}
			all = append(all, recs...)
		case "eval":
			evalCommand(t, s, all, c, where, caps)
		case "error":
			q, err := parseSpec(c.arg)
			if err == nil {
				_, err = s.Query(ctx, q)
			}
			if err == nil {
				t.Errorf("%s: query succeeded, want an error", where)
			} else if len(c.block) > 0 && !strings.Contains(err.Error(), c.block[0]) {
				t.Errorf("%s: error %q does not contain %q", where, err, c.block[0])
			}
		case "sql":
			if caps.NoSQL {
				if _, err := s.SQL(ctx, c.arg); err == nil {
					t.Errorf("%s: SQL succeeded on a backend without SQL", where)
				}
				continue
			}
			res, err := s.SQL(ctx, c.arg)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			if msg := diffRows(res.Rows, c.block); msg != "" {
				t.Errorf("%s: %s", where, msg)
			}
		case "prune":
			at, err := time.Parse(time.RFC3339, c.arg)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			res, err := w.Prune(ctx, at)
			if err != nil {
				t.Fatalf("%s: %v", where, err)
			}
			if len(c.block) > 0 && strconv.FormatInt(res.Records, 10) != c.block[0] {
				t.Errorf("%s: pruned %d records, want %s", where, res.Records, c.block[0])
			}
			kept := all[:0]
			for _, r := range all {
				dayEnd := time.Unix(r.Start, 0).UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
				if !r.Has(flowlog.FieldStart) || dayEnd.After(at) {
					kept = append(kept, r)
				}
			}
			all = kept
		case "sources":
			checkSources(t, s, c, where)
		default:
			t.Fatalf("%s: unknown command %q", where, c.verb)
		}
	}
}

func load(ctx context.Context, w store.Writer, c command) ([]flowlog.Record, error) {
	words := strings.Fields(c.arg)
	if len(words) == 0 {
		return nil, errors.New("load: missing object name")
	}
	id := store.SourceID{Name: words[0], Size: int64(len(strings.Join(c.block, "\n"))), ModTime: day0}
	if len(c.block) > 0 && (c.block[0][0] < '0' || c.block[0][0] > '9') {
		// A header line: name the unknown fields.
		if f, err := parse.ParseFormat(c.block[0]); err == nil {
			id.ExtraNames = f.ExtraNames
		}
	}
	var meta store.ObjectMeta
	for _, kv := range words[1:] {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "hash":
			meta.Hash = v
		default:
			return nil, fmt.Errorf("load: unknown option %q", k)
		}
	}
	a, skipped, err := w.Begin(ctx, id)
	if err != nil || skipped {
		return nil, err
	}
	defer a.Rollback()
	r := parse.NewReader(strings.NewReader(strings.Join(c.block, "\n")+"\n"), id.Name, parse.DefaultConfig())
	batch := make([]flowlog.Record, 64)
	var kept []flowlog.Record
	for {
		n, err := r.Read(batch)
		for i := 0; i < n; i++ {
			rec := batch[i]
			rec.Extra = append([]string(nil), rec.Extra...)
			kept = append(kept, rec)
		}
		if n > 0 {
			if aerr := a.Append(batch[:n]); aerr != nil {
				return nil, aerr
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	meta.Malformed = r.Stats().MalformedTotal()
	a.SetMeta(meta)
	if err := a.Commit(); err != nil {
		return nil, err
	}
	return kept, nil
}

func evalCommand(t *testing.T, s store.Store, all []flowlog.Record, c command, where string, caps Capabilities) {
	t.Helper()
	q, err := parseSpec(c.arg)
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	wantPlan := specValue(c.arg, "plan")
	resolutions := []store.Resolution{q.Resolution}
	if !strings.Contains(c.arg, "res=") {
		resolutions = []store.Resolution{store.ResolutionAuto, store.ResolutionRaw}
		for _, r := range []store.Resolution{store.ResolutionMinute, store.ResolutionHour} {
			if store.Covers(r, &q) {
				resolutions = append(resolutions, r)
			}
		}
	}
	for _, r := range resolutions {
		q.Resolution = r
		res, err := s.Query(context.Background(), q)
		if err != nil {
			t.Fatalf("%s (at %s): %v", where, r, err)
		}
		if q.Unordered {
			SortRows(res, q)
		}
		if msg := diffRows(res.Rows, c.block); msg != "" {
			t.Errorf("%s (at %s, plan %s): %s", where, r, res.Plan, msg)
		}
		if wantPlan != "" && !caps.RawOnly && !strings.Contains(res.Plan, wantPlan) {
			t.Errorf("%s: plan %q, want one containing %q", where, res.Plan, wantPlan)
		}
	}
	want, err := Oracle(all, q)
	if err != nil {
		t.Fatalf("%s: oracle: %v", where, err)
	}
	if msg := diffRows(want.Rows, c.block); msg != "" {
		t.Errorf("%s: the oracle disagrees with the expected rows: %s", where, msg)
	}
}

func formatCell(v any) string {
	switch x := v.(type) {
	case nil:
		return "-"
	case time.Time:
		return x.UTC().Format(time.RFC3339)
	}
	return fmt.Sprint(v)
}

func diffRows(rows [][]any, want []string) string {
	var got []string
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = formatCell(v)
		}
		got = append(got, strings.Join(cells, " "))
	}
	norm := make([]string, len(want))
	for i, w := range want {
		norm[i] = strings.Join(strings.Fields(w), " ")
	}
	if strings.Join(got, "\n") != strings.Join(norm, "\n") {
		return fmt.Sprintf("rows differ\ngot:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(norm, "\n  "))
	}
	return ""
}

func checkSources(t *testing.T, s store.Store, c command, where string) {
	t.Helper()
	src, err := s.Sources(context.Background())
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	var got []string
	for _, e := range src {
		line := fmt.Sprintf("%s %d %d", e.Source.Name, e.Records, e.Malformed)
		if e.DuplicateOf != "" {
			line += " dup=" + e.DuplicateOf
		}
		if !e.PrunedAt.IsZero() {
			line += " pruned"
		}
		got = append(got, line)
	}
	if strings.Join(got, "\n") != strings.Join(c.block, "\n") {
		t.Errorf("%s: sources\ngot:\n  %s\nwant:\n  %s", where, strings.Join(got, "\n  "), strings.Join(c.block, "\n  "))
	}
}
