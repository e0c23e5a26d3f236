package main

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/memory"
)

// analysisStore opens the data directory, or, when paths are given, reads
// them into a temporary in-memory store (the one-shot mode: flowlens top src
// flows.log.gz). A --pattern is then applied while reading (the memory store
// evaluates structured queries only). The returned func closes what it made.
func (a *app) analysisStore(ctx context.Context, qf *queryFlags, in *inputFlags, paths []string) (store.Store, func(), error) {
	if len(paths) == 0 {
		s, err := qf.open()
		if err != nil {
			return nil, nil, err
		}
		return s, func() { s.Close() }, nil
	}
	fc, pc, err := in.configs(a.stdin)
	if err != nil {
		return nil, nil, err
	}
	var keep func(*flowlog.Record) bool
	if qf.pattern != "" {
		b, err := qf.bindPattern()
		if err != nil {
			return nil, nil, err
		}
		a.warn(b.Warnings())
		keep = b.Match
		qf.pattern = "" // applied here; the memory store sees the kept records only
	}
	objs, err := a.list(fc, paths)
	if err != nil {
		return nil, nil, err
	}
	s := memory.New(memory.DefaultConfiguration())
	sum, err := a.ingestInto(ctx, s, fc, pc, objs, a.isTerminal, keep)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	for _, f := range sum.Failures {
		fmt.Fprintf(a.stderr, "flowlens: not read: %s: %s\n", f.Object, f.Error)
	}
	if sum.Malformed > 0 {
		fmt.Fprintf(a.stderr, "flowlens: %d malformed line(s) skipped\n", sum.Malformed)
		for _, e := range sum.Errors {
			fmt.Fprintf(a.stderr, "  %s\n", e.Error())
		}
	}
	return s, func() { s.Close() }, nil
}

// analyze opens the store (or a one-shot store over paths), builds the
// options of the query flags, runs fn and prints its tables.
func (a *app) analyze(ctx context.Context, qf *queryFlags, in *inputFlags, paths []string, fn func(context.Context, store.Reader, analysis.Options) ([]*render.Table, error)) error {
	s, done, err := a.analysisStore(ctx, qf, in, paths)
	if err != nil {
		return err
	}
	defer done()
	opts, warns, err := qf.options(patternDialect(s))
	if err != nil {
		return err
	}
	a.warn(warns)
	tables, err := fn(ctx, s, opts)
	if err != nil {
		return err
	}
	if len(tables) == 1 {
		return render.Render(a.stdout, tables[0], qf.out)
	}
	return render.RenderAll(a.stdout, tables, qf.out)
}

func (a *app) topCommand() *cobra.Command {
	var qf queryFlags
	var in inputFlags
	var by string
	names := make([]string, 0)
	for _, d := range analysis.Dimensions() {
		names = append(names, d.String())
	}
	cmd := &cobra.Command{
		Use:   "top WHAT [PATH...]",
		Short: "Rank talkers, ports, protocols, ENIs or subnets by bytes, packets or flows",
		Long:  "top ranks the stored flows (or, with PATHs, the given files through a temporary\nstore) by one dimension. WHAT is one of: " + strings.Join(names, ", ") + ".",
		Example: `  flowlens top src --since 24h
  flowlens top pair --by packets --limit 20
  flowlens top dstport --where action=REJECT
  flowlens top src flows.log.gz          # one-shot, straight on files`,
		Args:      minArgs(1, "WHAT to rank ("+strings.Join(names, ", ")+")"),
		ValidArgs: names,
		RunE: func(cmd *cobra.Command, args []string) error {
			dim, err := analysis.ParseDimension(args[0])
			if err != nil {
				return usageError{err}
			}
			metric, err := analysis.ParseMetric(by)
			if err != nil {
				return usageError{err}
			}
			return a.analyze(cmd.Context(), &qf, &in, args[1:], func(ctx context.Context, s store.Reader, opts analysis.Options) ([]*render.Table, error) {
				res, err := analysis.Top(ctx, s, analysis.TopOptions{Options: opts, By: dim, Metric: metric})
				if err != nil {
					return nil, err
				}
				return []*render.Table{res.Table()}, nil
			})
		},
	}
	qf.registerTable(cmd, 10)
	cmd.Flags().StringVar(&by, "by", "bytes", "rank by bytes, packets or flows")
	registerOneShot(cmd, &in)
	return cmd
}

// registerOneShot adds the file-input flags that matter in one-shot mode.
func registerOneShot(cmd *cobra.Command, in *inputFlags) {
	cmd.Flags().StringVar(&in.format, "file-format", "", "one-shot mode: field list of header-less input lines")
	in.maxErrors = 5
}

func (a *app) summaryCommand() *cobra.Command {
	var qf queryFlags
	var in inputFlags
	cmd := &cobra.Command{
		Use:   "summary [PATH...]",
		Short: "Totals, accept/reject, top talkers, ports and rejected sources",
		Example: `  flowlens summary
  flowlens summary --since 7d -o json
  flowlens summary AWSLogs/            # one-shot, straight on files`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			return a.analyze(cmd.Context(), &qf, &in, paths, func(ctx context.Context, s store.Reader, opts analysis.Options) ([]*render.Table, error) {
				if opts.Limit == 0 {
					opts.Limit = analysis.SummaryTop
				}
				sum, err := analysis.Summarize(ctx, s, opts)
				if err != nil {
					return nil, err
				}
				return sum.Tables(), nil
			})
		},
	}
	qf.registerTable(cmd, 0)
	registerOneShot(cmd, &in)
	return cmd
}

func (a *app) reportCommand() *cobra.Command {
	var qf queryFlags
	var in inputFlags
	var list bool
	var files []string
	cmd := &cobra.Command{
		Use:   "report NAME [PARAM=VALUE...]",
		Short: "Run a built-in report: AWS's Athena and CloudWatch Logs Insights flow log queries",
		Example: `  flowlens report --list
  flowlens report top-talkers --since 24h
  flowlens report traffic-from source=10.0.1.5
  flowlens report VpcFlowLogsRejectedTraffic -o csv`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if list || len(args) == 0 {
				return a.listReports(qf.out)
			}
			params := map[string]string{}
			for _, p := range args[1:] {
				k, v, ok := strings.Cut(p, "=")
				if !ok {
					return usagef("report parameters are NAME=VALUE, got %q", p)
				}
				params[k] = v
			}
			return a.analyze(cmd.Context(), &qf, &in, files, func(ctx context.Context, s store.Reader, opts analysis.Options) ([]*render.Table, error) {
				tables, err := analysis.RunReport(ctx, s, args[0], params, opts)
				if err != nil {
					return nil, usageError{err}
				}
				return tables, nil
			})
		},
	}
	qf.registerTable(cmd, 0)
	cmd.Flags().BoolVar(&list, "list", false, "list the reports")
	cmd.Flags().StringSliceVar(&files, "file", nil, "one-shot mode: run on these files instead of the data directory")
	registerOneShot(cmd, &in)
	return cmd
}

func (a *app) listReports(out render.Format) error {
	t := &render.Table{Name: "reports", Title: "Built-in reports", Columns: []render.Column{
		{Name: "name"}, {Name: "origin"}, {Name: "params"}, {Name: "description"},
	}}
	reports := analysis.Reports()
	sort.Slice(reports, func(i, j int) bool { return reports[i].Name < reports[j].Name })
	for _, r := range reports {
		var ps []string
		for _, p := range r.Params {
			ps = append(ps, p.Name)
		}
		t.Rows = append(t.Rows, []any{r.Name, r.Origin, strings.Join(ps, " "), r.Description})
	}
	return render.Render(a.stdout, t, out)
}
