package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/timerange"
)

func (a *app) generateCommand() *cobra.Command {
	cfg := generate.DefaultConfiguration()
	var (
		out, format, start, duration string
		noHeader                     bool
		layout                       = string(cfg.Layout)
	)
	cmd := &cobra.Command{
		Use:   "generate --out DIR|-",
		Short: "Write realistic synthetic flow logs (and their ground-truth inventory)",
		Long: `generate writes deterministic, realistic VPC flow logs: a VPC with subnets in
three AZs, a few hundred ENIs with roles (load balancers, web, app, database,
cache, NAT gateways, bastions), Zipf-distributed talkers, internet clients,
about 5% REJECT (mostly scans from the internet), NODATA/SKIPDATA records and a
share of IPv6. The same seed and options always give the same bytes.

With --layout s3 or hive, objects are gzip files with AWS-style keys and header
lines, as 'aws s3 sync' would copy them; inventory.json beside them holds the
ground truth (ENIs, roles, subnets, scanners). With --layout flat and --out -,
the records go to standard output.`,
		Example: `  flowlens generate --records 1000000 --layout s3 --out demo-data
  flowlens generate --duration 24h --rate 50 --layout hive --hourly --out data
  flowlens generate --records 100 --layout flat --out - | flowlens cat -o jsonl -
  flowlens generate --format '${version} ${vpc-id} ${srcaddr} ${dstaddr} ${flow-direction} ${traffic-path}' --out v5`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cfg.Layout.UnmarshalText([]byte(layout)); err != nil {
				return usageError{fmt.Errorf("--layout: %w", err)}
			}
			if format != "" {
				f, err := parse.ParseFormat(format)
				if err != nil {
					return usageError{fmt.Errorf("--format: %w", err)}
				}
				cfg.Format = f
			}
			if start != "" {
				t, err := timerange.ParseTime(start)
				if err != nil {
					return usageError{fmt.Errorf("--start: %w", err)}
				}
				cfg.Start = t
			}
			if duration != "" {
				d, err := timerange.ParseDuration(duration)
				if err != nil {
					return usageError{fmt.Errorf("--duration: %w", err)}
				}
				cfg.Duration = d
			}
			cfg.Header = !noHeader
			if out == "" {
				return usagef("--out is required: a directory, or - for standard output (flat layout)")
			}
			if a.isTerminal && out != "-" {
				cfg.Progress = a.generateProgress()
			}
			var sum *generate.Summary
			var err error
			if out == "-" {
				if cfg.Layout != generate.LayoutFlat {
					return usagef("--out - needs --layout flat")
				}
				sum, err = generate.WriteFlat(cmd.Context(), cfg, a.stdout)
			} else {
				sum, err = generate.WriteTree(cmd.Context(), cfg, out)
			}
			if err != nil {
				return err
			}
			if out != "-" {
				if a.isTerminal {
					fmt.Fprint(a.stderr, "\r\033[K")
				}
				fmt.Fprintf(a.stderr, "generated %d records in %d object(s): %.1f MB of text, %.1f MB written, in %s\n",
					sum.Records, len(sum.Objects), float64(sum.TextBytes)/1e6, float64(sum.WrittenBytes)/1e6, sum.Elapsed.Round(time.Millisecond))
				if sum.InventoryPath != "" {
					fmt.Fprintf(a.stderr, "ground truth: %s\n", sum.InventoryPath)
				}
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&out, "out", "", "output directory, or - for standard output (flat layout)")
	fs.Int64Var(&cfg.Seed, "seed", cfg.Seed, "random seed: the same seed and options give the same output")
	fs.Int64Var(&cfg.Records, "records", 0, "number of records (default: --rate × --duration)")
	fs.Float64Var(&cfg.Rate, "rate", cfg.Rate, "records per second, when --records is not set")
	fs.StringVar(&duration, "duration", cfg.Duration.String(), "time span of the records (e.g. 1h, 7d)")
	fs.StringVar(&start, "start", cfg.Start.Format(time.RFC3339), "start of the time span")
	fs.StringVar(&format, "format", "", "record format (default: the version 2 default format); Transit Gateway fields make Transit Gateway logs")
	fs.StringVar(&layout, "layout", layout, "flat, s3 or hive")
	fs.BoolVar(&cfg.Hourly, "hourly", false, "hourly partitions in S3/Hive keys")
	fs.StringVar(&cfg.OrgID, "org", "", "organisation id segment (o-xxxxxxxxxx) after AWSLogs/")
	fs.StringVar(&cfg.Prefix, "prefix", "", "bucket prefix folder before AWSLogs/")
	fs.BoolVar(&cfg.Gzip, "gzip", false, "gzip the flat file (S3/Hive objects are always gzip)")
	fs.BoolVar(&noHeader, "no-header", false, "omit the header line of a flat file")
	fs.IntVar(&cfg.Objects, "objects", 0, "approximate number of S3/Hive objects (default: one per 5 minutes)")
	fs.IntVar(&cfg.ENIs, "enis", cfg.ENIs, "approximate number of network interfaces")
	fs.DurationVar(&cfg.AggregationInterval, "interval", cfg.AggregationInterval, "maximum aggregation interval: 1m or 10m")
	fs.StringVar(&cfg.Account, "account", cfg.Account, "AWS account id")
	fs.StringVar(&cfg.Region, "region", cfg.Region, "AWS region")
	fs.IntVar(&cfg.Workers, "workers", 0, "parallel workers (never changes the output)")
	_ = cmd.RegisterFlagCompletionFunc("layout", cobra.FixedCompletions([]string{"flat", "s3", "hive"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// generateProgress prints a one-line progress report on the terminal.
func (a *app) generateProgress() generate.ProgressFunc {
	last := time.Time{}
	return func(p generate.Progress) {
		if time.Since(last) < 200*time.Millisecond && p.Records < p.TotalRecords {
			return
		}
		last = time.Now()
		pct := 0.0
		if p.TotalRecords > 0 {
			pct = 100 * float64(p.Records) / float64(p.TotalRecords)
		}
		fmt.Fprintf(a.stderr, "\r\033[Kgenerating: %5.1f%%  %d/%d records  %d/%d objects  %.1f MB",
			pct, p.Records, p.TotalRecords, p.Objects, p.TotalObjects, float64(p.Bytes)/1e6)
	}
}
