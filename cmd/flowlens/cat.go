package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/parse/parquet"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/source/file"
)

func (a *app) catCommand() *cobra.Command {
	var in inputFlags
	var output string
	cmd := &cobra.Command{
		Use:   "cat PATH...",
		Short: "Print every record, typed (jsonl, json, csv, table or parquet)",
		Long: `cat parses flow log files and prints every record in input order.

JSON Lines objects are keyed by the AWS field name with '-' replaced by '_'
(account_id, log_status, pkt_srcaddr ...). A field whose value was '-' is
omitted. version, srcport, dstport, protocol, packets, bytes, start, end,
tcp_flags, traffic_path, encryption_status and packets_lost_* are numbers;
every other field, account_id included, is a string.

When the format changes between files (or at a header line), json and jsonl
objects carry the new keys, csv starts a new header row, and table output a new
table. Parquet output (to a file, with -O) needs one format for all inputs.`,
		Example: `  flowlens cat flows.log | head
  flowlens cat -o csv AWSLogs/123456789012/vpcflowlogs/us-east-1/2024/05/01/
  flowlens cat --format '${version} ${vpc-id} ${srcaddr} ${dstaddr} ${action}' custom.log
  flowlens cat -o parquet -O flows.parquet flows.log.gz`,
		Args: minArgs(1, "PATH (a file, directory, glob or - for stdin)"),
		RunE: func(cmd *cobra.Command, paths []string) error {
			fc, pc, err := in.configs(a.stdin)
			if err != nil {
				return err
			}
			fc.Ordered = true
			out, err := a.recordOutput(output, cmd.Flag("out").Value.String())
			if err != nil {
				return err
			}
			objs, err := a.list(fc, paths)
			if err != nil {
				return err
			}
			res, err := file.Scan(cmd.Context(), fc, objs, pc, func(_ int, obj *file.Object, batch []flowlog.Record) error {
				return out.write(obj.Format, batch)
			})
			if cerr := out.close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
			return a.reportProblems(&res, in.strict, true)
		},
	}
	in.register(cmd.Flags())
	names := append(render.FormatNames(), "parquet")
	cmd.Flags().StringVarP(&output, "output", "o", "jsonl", "output format: "+fmt.Sprint(names))
	cmd.Flags().StringP("out", "O", "", "write to this file instead of standard output (required for parquet)")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(names, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// recordSink is where cat writes records.
type recordSink struct {
	write func(*parse.Format, []flowlog.Record) error
	close func() error
}

func (a *app) recordOutput(output, path string) (recordSink, error) {
	if _, err := render.ParseFormatName(output); err != nil && output != "parquet" {
		return recordSink{}, usagef("unknown output format %q: use one of table, json, jsonl, csv, parquet", output)
	}
	w, closeFile, err := a.openOutput(path)
	if err != nil {
		return recordSink{}, err
	}
	if output == "parquet" {
		if path == "" {
			closeFile()
			return recordSink{}, usagef("-o parquet writes a file: give it with -O FILE")
		}
		var pw *parquet.Writer
		var first *parse.Format
		return recordSink{
			write: func(f *parse.Format, batch []flowlog.Record) error {
				if pw == nil {
					first = f
					if pw, err = parquet.NewWriter(w, f, parquet.DefaultWriterConfig()); err != nil {
						return err
					}
				} else if f.Header() != first.Header() {
					return fmt.Errorf("the inputs have different formats (%q, then %q): Parquet output holds one; convert them separately", first.Header(), f.Header())
				}
				return pw.Write(batch)
			},
			close: func() error {
				var err error
				if pw != nil {
					err = pw.Close()
				}
				if cerr := closeFile(); err == nil {
					err = cerr
				}
				return err
			},
		}, nil
	}
	f, err := render.ParseFormatName(output)
	if err != nil {
		closeFile()
		return recordSink{}, usageError{err}
	}
	fw := render.NewFormatWriter(w, f)
	return recordSink{write: fw.Write, close: func() error {
		err := fw.Close()
		if cerr := closeFile(); err == nil {
			err = cerr
		}
		return err
	}}, nil
}
