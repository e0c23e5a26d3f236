package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/embedded"
)

func (a *app) queryCommand() *cobra.Command {
	var sf storeFlags
	var out render.Format
	cmd := &cobra.Command{
		Use:   "query SQL",
		Short: "Run a read-only SQL query over the stored flows",
		Long: `query runs one read-only SQL statement (DuckDB dialect) over these views:

  flows       every stored record: one column per AWS field (account_id,
              srcaddr, dstport, log_status ...; start and "end" are Unix
              seconds; absent fields are NULL)
  flows_1m    per-minute rollup: start (bucket), srcaddr, dstaddr, dstport,
              protocol, action, interface_id ... and flows, packets, bytes
  flows_1h    the same per hour

The query cannot read or write files, reach the network, attach databases,
install extensions or change settings.`,
		Example: `  flowlens query "SELECT srcaddr, sum(bytes) AS bytes FROM flows GROUP BY 1 ORDER BY 2 DESC LIMIT 10"
  flowlens query -o csv "SELECT * FROM flows WHERE action = 'REJECT' AND dstport = 22"`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("give one SQL statement, quoted")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := sf.open()
			if err != nil {
				return err
			}
			defer s.Close()
			res, err := s.SQL(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			if res.Truncated {
				fmt.Fprintf(a.stderr, "flowlens: the result was cut at %d rows: add a LIMIT or aggregate\n", len(res.Rows))
			}
			return render.Render(a.stdout, analysis.ResultTable("query", "", res), out)
		},
	}
	sf.register(cmd.Flags())
	outputFlag(cmd, &out, render.FormatTable)
	return cmd
}

func (a *app) filterCommand() *cobra.Command {
	var qf queryFlags
	cmd := &cobra.Command{
		Use:   "filter PATTERN",
		Short: "Print the stored flows matching a CloudWatch Logs filter pattern",
		Long: `filter selects stored flows with the CloudWatch Logs filter-pattern syntax for
space-delimited logs. Bracket labels are positional, as in CloudWatch: they
name the fields of the default format in order (or of --format's layout).
The pattern is compiled to SQL over the store. See docs/FILTER.md.`,
		Example: `  flowlens filter '[version, account, eni, source, destination, srcport, destport="22", protocol="6", packets, bytes, windowstart, windowend, action="REJECT", flowlogstatus]'
  flowlens filter '[..., action=REJECT, status]' --since 24h
  flowlens filter '[v, a, e, src=10.0.2.*, ...]' -o jsonl`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return usagef("give one filter pattern, quoted")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			qf.pattern = args[0]
			s, err := qf.open()
			if err != nil {
				return err
			}
			defer s.Close()
			opts, warns, err := qf.options(patternDialect(s))
			if err != nil {
				return err
			}
			a.warn(warns)
			layout := parse.DefaultFormat()
			if qf.format != "" {
				layout, _ = parse.ParseFormat(qf.format)
			}
			res, err := rawFlows(cmd.Context(), s, layout, opts)
			if err != nil {
				return err
			}
			if len(res.Rows) == opts.Limit {
				fmt.Fprintf(a.stderr, "flowlens: showing the first %d matching flows (raise --limit for more)\n", opts.Limit)
			}
			return render.Render(a.stdout, analysis.ResultTable("flows", "", res), qf.out)
		},
	}
	qf.registerTable(cmd, 1000)
	_ = cmd.Flags().MarkHidden("pattern")
	return cmd
}

// rawFlows selects the stored flows of opts (time range, --where conditions
// and the compiled pattern), showing the columns of layout.
func rawFlows(ctx context.Context, s *embedded.Store, layout *parse.Format, opts analysis.Options) (*store.Result, error) {
	d := s.Dialect()
	var cols []string
	for _, id := range layout.Fields {
		if id != flowlog.FieldInvalid {
			cols = append(cols, d.Quote(id.Column()))
		}
	}
	where, args, err := store.CompileFilter(d, &opts.Filter)
	if err != nil {
		return nil, err
	}
	var conds []string
	var all []any
	if !opts.Range.Start.IsZero() {
		conds = append(conds, d.Quote("start")+" >= ?")
		all = append(all, opts.Range.Start.Unix())
	}
	if !opts.Range.End.IsZero() {
		conds = append(conds, d.Quote("start")+" < ?")
		all = append(all, opts.Range.End.Unix())
	}
	args = append(all, args...)
	if where != "" {
		conds = append(conds, "("+where+")")
	}
	q := "SELECT " + strings.Join(cols, ", ") + " FROM flows"
	if len(conds) > 0 {
		q += " WHERE " + strings.Join(conds, " AND ")
	}
	q += " ORDER BY " + d.Quote("start") + " " + d.Limit(opts.Limit)
	return s.SQL(ctx, q, args...)
}
