package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/filterpattern"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/embedded"
	"github.com/flowlens/flowlens/internal/timerange"
	"github.com/flowlens/flowlens/internal/where"
)

// storeFlags locate the data directory.
type storeFlags struct {
	data string
}

func (f *storeFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.data, "data", "", "data directory (default $FLOWLENS_DATA, else $XDG_DATA_HOME/flowlens)")
}

func (f *storeFlags) config() embedded.Configuration {
	cfg := embedded.DefaultConfiguration()
	switch {
	case f.data != "":
		cfg.Dir = f.data
	case os.Getenv("FLOWLENS_DATA") != "":
		cfg.Dir = os.Getenv("FLOWLENS_DATA")
	}
	return cfg
}

// open opens the store for reading; it must exist.
func (f *storeFlags) open() (*embedded.Store, error) {
	cfg := f.config()
	if _, err := os.Stat(cfg.Dir); err != nil {
		return nil, fmt.Errorf("no flowlens data in %s: ingest flow logs first (flowlens ingest --data %s PATH...) or pass --data", cfg.Dir, cfg.Dir)
	}
	return embedded.Open(cfg)
}

// queryFlags are the flags of every query-like command.
type queryFlags struct {
	storeFlags
	since, from, to string
	where           string
	pattern         string
	format          string
	limit           int
	out             render.Format
}

func (f *queryFlags) register(cmd *cobra.Command, defLimit int) {
	fs := cmd.Flags()
	f.storeFlags.register(fs)
	fs.StringVar(&f.since, "since", "", "only flows that started in the last DURATION (90m, 24h, 7d)")
	fs.StringVar(&f.from, "from", "", "only flows that started at or after this time (RFC 3339, date or Unix seconds)")
	fs.StringVar(&f.to, "to", "", "only flows that started before this time")
	fs.StringVar(&f.where, "where", "", "field filter: 'dstport=22|3389,action=REJECT', 'srcaddr=10.0.0.0/8', 'bytes>=1000000'")
	fs.StringVar(&f.pattern, "pattern", "", "CloudWatch Logs filter pattern, e.g. '[version, account, eni, src, dst, sport, dport=22, ...]'")
	fs.StringVar(&f.format, "format", "", "field layout the --pattern labels refer to (default: the default format)")
	fs.IntVar(&f.limit, "limit", defLimit, "maximum rows")
}

// registerTable registers the query flags and -o for tabular output.
func (f *queryFlags) registerTable(cmd *cobra.Command, defLimit int) {
	f.register(cmd, defLimit)
	outputFlag(cmd, &f.out, render.FormatTable)
}

// options builds the analysis options: time range and filter.
func (f *queryFlags) options(d filterpattern.Dialect) (analysis.Options, []string, error) {
	var opts analysis.Options
	r, err := timerange.Parse(f.since, f.from, f.to, time.Now())
	if err != nil {
		return opts, nil, usageError{err}
	}
	opts.Range = store.TimeRange{Start: r.From, End: r.To}
	opts.Filter, err = where.Parse(f.where)
	if err != nil {
		return opts, nil, usageError{err}
	}
	opts.Limit = f.limit
	var warnings []string
	if f.pattern != "" {
		sql, args, warns, err := f.compilePattern(d)
		if err != nil {
			return opts, nil, err
		}
		opts.Filter.SQL, opts.Filter.Args = sql, args
		warnings = warns
	}
	return opts, warnings, nil
}

// bindPattern parses --pattern and binds its labels to the layout of
// --format (the default format when empty).
func (f *queryFlags) bindPattern() (*filterpattern.Bound, error) {
	p, err := filterpattern.Parse(f.pattern)
	if err != nil {
		return nil, usageError{err}
	}
	layout := parse.DefaultFormat()
	if f.format != "" {
		if layout, err = parse.ParseFormat(f.format); err != nil {
			return nil, usageError{fmt.Errorf("--format: %w", err)}
		}
	}
	b, err := p.Bind(layout.Fields)
	if err != nil {
		return nil, usageError{err}
	}
	return b, nil
}

// compilePattern compiles --pattern to a SQL predicate over the flows view.
func (f *queryFlags) compilePattern(d filterpattern.Dialect) (string, []any, []string, error) {
	b, err := f.bindPattern()
	if err != nil {
		return "", nil, nil, err
	}
	sql, args, err := b.SQL(d)
	if err != nil {
		return "", nil, nil, fmt.Errorf("filter pattern %q cannot run against the store: %w", f.pattern, err)
	}
	return sql, args, b.Warnings(), nil
}

// patternDialect returns the filter-pattern dialect of a store.
func patternDialect(s store.Store) filterpattern.Dialect {
	if s.Dialect().Name() == "clickhouse" {
		return filterpattern.ClickHouse{}
	}
	return filterpattern.DuckDB{}
}

func (a *app) warn(warnings []string) {
	for _, w := range warnings {
		fmt.Fprintf(a.stderr, "flowlens: warning: %s\n", w)
	}
}

func (a *app) sourcesCommand() *cobra.Command {
	var sf storeFlags
	var out render.Format
	cmd := &cobra.Command{
		Use:   "sources",
		Short: "List the ingest ledger: every source object ingested, with its records",
		Args:  noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := sf.open()
			if err != nil {
				return err
			}
			defer s.Close()
			srcs, err := s.Sources(cmd.Context())
			if err != nil {
				return err
			}
			t := &render.Table{Name: "sources", Title: "Ingested sources", Columns: []render.Column{
				{Name: "source", Kind: render.KindString}, {Name: "size", Kind: render.KindBytes}, {Name: "records", Kind: render.KindInt},
				{Name: "malformed", Kind: render.KindInt}, {Name: "ingested_at", Kind: render.KindTime}, {Name: "hash", Kind: render.KindID},
				{Name: "note", Kind: render.KindString},
			}}
			for _, src := range srcs {
				note := ""
				if src.DuplicateOf != "" {
					note = "duplicate of " + src.DuplicateOf
				}
				if !src.PrunedAt.IsZero() {
					note = strings.TrimSpace(note + " pruned " + src.PrunedAt.UTC().Format(time.RFC3339))
				}
				t.Rows = append(t.Rows, []any{src.Source.Name, src.Source.Size, src.Records, src.Malformed, src.IngestedAt, src.Hash, note})
			}
			return render.Render(a.stdout, t, out)
		},
	}
	sf.register(cmd.Flags())
	outputFlag(cmd, &out, render.FormatTable)
	return cmd
}

func (a *app) pruneCommand() *cobra.Command {
	var sf storeFlags
	var retention, before string
	cmd := &cobra.Command{
		Use:   "prune --retention 30d | --before TIME",
		Short: "Drop stored flows (and their rollups) older than the retention",
		Example: `  flowlens prune --retention 30d
  flowlens prune --before 2024-05-01`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			cut, err := pruneCut(retention, before, time.Now())
			if err != nil {
				return err
			}
			s, err := sf.open()
			if err != nil {
				return err
			}
			defer s.Close()
			return a.prune(cmd.Context(), s, cut)
		},
	}
	sf.register(cmd.Flags())
	cmd.Flags().StringVar(&retention, "retention", "", "keep this much history (e.g. 30d)")
	cmd.Flags().StringVar(&before, "before", "", "drop flows before this time")
	return cmd
}

func pruneCut(retention, before string, now time.Time) (time.Time, error) {
	switch {
	case retention != "" && before != "":
		return time.Time{}, usagef("--retention and --before are exclusive")
	case retention != "":
		d, err := timerange.ParseDuration(retention)
		if err != nil {
			return time.Time{}, usageError{fmt.Errorf("--retention: %w", err)}
		}
		return now.Add(-d), nil
	case before != "":
		t, err := timerange.ParseTime(before)
		if err != nil {
			return time.Time{}, usageError{fmt.Errorf("--before: %w", err)}
		}
		return t, nil
	}
	return time.Time{}, usagef("give --retention DURATION or --before TIME")
}

func (a *app) prune(ctx context.Context, s *embedded.Store, cut time.Time) error {
	w, err := s.Writer(ctx)
	if err != nil {
		return err
	}
	res, err := w.Prune(ctx, cut)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "pruned %d partition(s) before %s: %d file(s), %d record(s), %.1f MB\n",
		len(res.Partitions), cut.UTC().Format(time.RFC3339), res.Files, res.Records, float64(res.Bytes)/1e6)
	return nil
}
