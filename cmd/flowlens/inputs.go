package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/source/file"
	"github.com/flowlens/flowlens/internal/timerange"
)

// inputFlags are the flags of every command that reads flow log files.
type inputFlags struct {
	format    string
	strict    bool
	from, to  string
	workers   int
	maxErrors int
	include   []string
	exclude   []string
}

func (f *inputFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.format, "format", "", "field list of lines without a header: an AWS format string ('${version} ${srcaddr} ...') or names ('version srcaddr ...')")
	fs.BoolVar(&f.strict, "strict", false, "exit with code 3 if any line is malformed")
	fs.StringVar(&f.from, "from", "", "skip data before this time (RFC 3339, date or Unix seconds); prunes AWS S3 folders and files by name")
	fs.StringVar(&f.to, "to", "", "skip data at or after this time")
	fs.IntVar(&f.workers, "workers", 0, "parallel workers (default: one per core)")
	fs.IntVar(&f.maxErrors, "max-errors", 5, "malformed lines reported in detail per file (all are counted)")
	fs.StringSliceVar(&f.include, "include", nil, "when walking directories, read only files whose name matches one of these globs (e.g. '*.log.gz')")
	fs.StringSliceVar(&f.exclude, "exclude", nil, "when walking directories, skip files whose name matches one of these globs")
}

// configs builds the source and parser configurations.
func (f *inputFlags) configs(stdin io.Reader) (file.Configuration, parse.Config, error) {
	fc := file.DefaultConfiguration()
	pc := parse.DefaultConfig()
	r, err := timerange.Parse("", f.from, f.to, time.Now())
	if err != nil {
		return fc, pc, usageError{err}
	}
	fc.From, fc.To = r.From, r.To
	if f.workers < 0 {
		return fc, pc, usagef("--workers must be positive")
	}
	fc.Workers = f.workers
	fc.Include, fc.Exclude = f.include, f.exclude
	fc.Stdin = stdin
	if f.format != "" {
		pc.Format, err = parse.ParseFormat(f.format)
		if err != nil {
			return fc, pc, usageError{fmt.Errorf("--format: %w", err)}
		}
	}
	pc.MaxReportedErrors = f.maxErrors
	return fc, pc, nil
}

// list expands the path arguments into objects and says what was pruned.
func (a *app) list(fc file.Configuration, paths []string) ([]file.Object, error) {
	objs, ls, err := file.List(fc, paths)
	if err != nil {
		return nil, err
	}
	var notes []string
	if ls.PrunedDirs > 0 || ls.PrunedObjects > 0 {
		notes = append(notes, fmt.Sprintf("skipped %d folder(s) and %d file(s) outside --from/--to without opening them", ls.PrunedDirs, ls.PrunedObjects))
	}
	if n := len(ls.NotFlowLogs); n > 0 {
		notes = append(notes, fmt.Sprintf("skipped %d file(s) whose names say they are not flow logs (%s); name them explicitly or use --include to read them", n, strings.Join(ls.NotFlowLogs[:min(n, 3)], ", ")))
	}
	if n := ls.Filtered - len(ls.NotFlowLogs); n > 0 {
		notes = append(notes, fmt.Sprintf("skipped %d hidden, special or --include/--exclude-filtered file(s)", n))
	}
	if ls.Duplicates > 0 {
		notes = append(notes, fmt.Sprintf("read %d input(s) named more than once only once", ls.Duplicates))
	}
	for _, n := range notes {
		fmt.Fprintf(a.stderr, "flowlens: %s\n", n)
	}
	return objs, nil
}

// reportProblems prints the malformed lines and failed objects of a scan to
// stderr and returns the error for --strict.
func (a *app) reportProblems(res *file.Result, strict, details bool) error {
	for _, o := range res.Objects {
		if o.Err != nil {
			fmt.Fprintf(a.stderr, "flowlens: %v\n", o.Err)
		}
	}
	total := res.Total.MalformedTotal()
	if total > 0 {
		var reasons []string
		for _, r := range parse.Reasons() {
			if n := res.Total.Malformed[r]; n > 0 {
				reasons = append(reasons, fmt.Sprintf("%s %d", r, n))
			}
		}
		fmt.Fprintf(a.stderr, "flowlens: %d malformed line(s) skipped (%s)\n", total, strings.Join(reasons, ", "))
		if details {
			for _, e := range res.Total.Errors {
				fmt.Fprintf(a.stderr, "  %s\n", e.Error())
			}
		}
	}
	if strict && total > 0 {
		return malformedError{total}
	}
	if res.Failed > 0 {
		return fmt.Errorf("%d of %d input(s) could not be read to the end", res.Failed, len(res.Objects))
	}
	return nil
}

// outputFlag registers -o/--output with the given default.
func outputFlag(cmd *cobra.Command, f *render.Format, def render.Format, extra ...string) {
	*f = def
	names := append(render.FormatNames(), extra...)
	cmd.Flags().VarP(f, "output", "o", "output format: "+strings.Join(names, ", "))
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(names, cobra.ShellCompDirectiveNoFileComp))
}

// workerCount is the number of worker indexes a Scan with fc uses.
func workerCount(fc file.Configuration) int {
	if fc.Workers > 0 {
		return fc.Workers
	}
	return file.DefaultConfiguration().Workers
}

// openOutput opens path for writing (standard output when empty). The file
// is written under a temporary name and renamed on a successful close.
func (a *app) openOutput(path string) (io.Writer, func() error, error) {
	if path == "" || path == "-" {
		return a.stdout, func() error { return nil }, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, nil, err
	}
	done := false
	return f, func() error {
		if done {
			return nil
		}
		done = true
		if err := f.Close(); err != nil {
			os.Remove(f.Name())
			return err
		}
		return os.Rename(f.Name(), path)
	}, nil
}
