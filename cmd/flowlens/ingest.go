package main

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/ingest"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/progress"
	"github.com/flowlens/flowlens/internal/source/file"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/embedded"
	"github.com/flowlens/flowlens/internal/timerange"
)

func (a *app) ingestCommand() *cobra.Command {
	var (
		in        inputFlags
		sf        storeFlags
		retention string
		quiet     bool
		asJSON    bool
	)
	cmd := &cobra.Command{
		Use:   "ingest PATH...",
		Short: "Store flow logs in the data directory (idempotent: objects already ingested are skipped)",
		Long: `ingest parses flow log files and stores their records in the data directory,
with hourly and per-minute rollups for fast dashboards. Every source object is
recorded in a ledger (path, size, modification time and content hash):
ingesting the same input again adds nothing, and an ingest killed half-way and
run again ends with exactly the right records. Objects whose data is corrupt
are not stored and are reported; fix them and run the ingest again.

'flowlens serve' and queries may run while an ingest does: they see objects
once they are committed.`,
		Example: `  flowlens ingest AWSLogs/
  flowlens ingest --data /var/lib/flowlens --retention 30d AWSLogs/
  flowlens ingest --from 2024-05-01 --json AWSLogs/ | jq .records`,
		Args: minArgs(1, "PATH (a file, directory, glob or - for stdin)"),
		RunE: func(cmd *cobra.Command, paths []string) error {
			fc, pc, err := in.configs(a.stdin)
			if err != nil {
				return err
			}
			cfg := sf.config()
			if retention != "" {
				d, err := timerange.ParseDuration(retention)
				if err != nil {
					return usageError{fmt.Errorf("--retention: %w", err)}
				}
				cfg.Retention = d
			}
			objs, err := a.list(fc, paths)
			if err != nil {
				return err
			}
			sum, err := a.ingest(cmd.Context(), cfg, fc, pc, objs, !quiet && !asJSON && a.isTerminal)
			if err != nil {
				return err
			}
			if asJSON {
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(sum); err != nil {
					return err
				}
			} else if !quiet {
				a.printIngest(sum)
			}
			for _, f := range sum.Failures {
				fmt.Fprintf(a.stderr, "flowlens: not ingested: %s: %s\n", f.Object, f.Error)
			}
			for _, e := range sum.Errors {
				fmt.Fprintf(a.stderr, "flowlens: %s\n", e.Error())
			}
			if in.strict && sum.Malformed > 0 {
				return malformedError{sum.Malformed}
			}
			if sum.Failed > 0 {
				return fmt.Errorf("%d object(s) could not be ingested (see above); run the ingest again once they are fixed", sum.Failed)
			}
			return nil
		},
	}
	in.register(cmd.Flags())
	sf.register(cmd.Flags())
	cmd.Flags().StringVar(&retention, "retention", "", "after ingesting, drop flows older than this (e.g. 30d)")
	cmd.Flags().BoolVarP(&quiet, "quiet", "q", false, "print nothing but errors")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	return cmd
}

// ingest runs one ingest into the store configured by cfg.
func (a *app) ingest(ctx context.Context, cfg embedded.Configuration, fc file.Configuration, pc parse.Config, objs []file.Object, showProgress bool) (ingest.Summary, error) {
	s, err := embedded.Open(cfg)
	if err != nil {
		return ingest.Summary{}, err
	}
	defer s.Close()
	return a.ingestInto(ctx, s, fc, pc, objs, showProgress, nil)
}

// ingestInto runs one ingest into s; keep optionally selects the records.
func (a *app) ingestInto(ctx context.Context, s store.Store, fc file.Configuration, pc parse.Config, objs []file.Object, showProgress bool, keep func(*flowlog.Record) bool) (ingest.Summary, error) {
	var bar *progress.Bar
	if showProgress {
		var total int64
		for _, o := range objs {
			total += max(o.Size, 0)
		}
		bar = progress.New(a.stderr, progress.Configuration{Label: "ingest", TotalObjects: int64(len(objs)), TotalBytes: total})
		bar.Start()
	}
	sum, err := ingest.Run(ctx, s, fc, pc, objs, bar, keep)
	if bar != nil {
		bar.Stop()
	}
	return sum, err
}

func (a *app) printIngest(s ingest.Summary) {
	rate := 0.0
	if s.Seconds > 0 {
		rate = float64(s.Records) / s.Seconds
	}
	fmt.Fprintf(a.stdout, "ingested %d record(s) from %d object(s) in %s (%.0f records/s)\n", s.Records, s.Ingested, s.Elapsed.Round(time.Millisecond), rate)
	fmt.Fprintf(a.stdout, "skipped %d object(s) already ingested\n", s.Skipped)
	if s.Duplicates > 0 {
		fmt.Fprintf(a.stdout, "skipped %d object(s) with the same content as an ingested one (duplicates)\n", s.Duplicates)
	}
	if s.Failed > 0 {
		fmt.Fprintf(a.stdout, "failed %d object(s)\n", s.Failed)
	}
	if s.Malformed > 0 {
		reasons := make([]string, 0, len(s.MalformedBy))
		for r := range s.MalformedBy {
			reasons = append(reasons, r)
		}
		sort.Strings(reasons)
		fmt.Fprintf(a.stdout, "malformed lines: %d", s.Malformed)
		for _, r := range reasons {
			fmt.Fprintf(a.stdout, " (%s %d)", r, s.MalformedBy[r])
		}
		fmt.Fprintln(a.stdout)
	}
}
