package main

import (
	"time"

	"github.com/spf13/cobra"

	"github.com/flowlens/flowlens/internal/filestats"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/source/file"
)

func (a *app) statsCommand() *cobra.Command {
	var in inputFlags
	var out render.Format
	cmd := &cobra.Command{
		Use:   "stats PATH...",
		Short: "Count records, throughput, versions, statuses, actions, time range and distinct endpoints",
		Long: `stats reads flow log files as fast as the machine allows and prints what
they hold: records, lines and bytes read with the records/s and MB/s achieved;
records by version, log-status and action; the time range; distinct ENIs,
source and destination addresses; and malformed lines by reason.`,
		Example: `  flowlens stats flows.log
  flowlens stats --from 2024-05-01 --to 2024-05-02 AWSLogs/
  aws s3 cp s3://bucket/key.log.gz - | flowlens stats -
  flowlens stats -o json AWSLogs/ | jq .summary`,
		Args: minArgs(1, "PATH (a file, directory, glob or - for stdin)"),
		RunE: func(cmd *cobra.Command, paths []string) error {
			fc, pc, err := in.configs(a.stdin)
			if err != nil {
				return err
			}
			// Every line is still checked in full; the fields stats does
			// not print are just not kept.
			pc.Fields = filestats.Fields()
			objs, err := a.list(fc, paths)
			if err != nil {
				return err
			}
			start := time.Now()
			agg := filestats.New(workerCount(fc))
			res, err := file.Scan(cmd.Context(), fc, objs, pc, func(w int, _ *file.Object, batch []flowlog.Record) error {
				agg.Add(w, batch)
				return nil
			})
			if err != nil {
				return err
			}
			elapsed := time.Since(start)
			if err := render.RenderAll(a.stdout, agg.Result().Tables(res.Total, elapsed), out); err != nil {
				return err
			}
			return a.reportProblems(&res, in.strict, false)
		},
	}
	in.register(cmd.Flags())
	outputFlag(cmd, &out, render.FormatTable)
	return cmd
}
