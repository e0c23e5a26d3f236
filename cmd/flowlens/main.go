// Command flowlens turns AWS VPC Flow Logs into answers: who talks to whom,
// what was rejected, what is suspicious, what costs money.
//
// This package is wiring only: it parses flags, builds the components of
// internal/ with their configurations, and prints their results.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/pprof"
	"syscall"

	"github.com/spf13/cobra"
)

// Exit codes.
const (
	exitOK        = 0
	exitError     = 1 // the command failed (I/O, store, bad input file)
	exitUsage     = 2 // bad flags or arguments
	exitMalformed = 3 // --strict and malformed lines were found
	exitCancelled = 130
)

// usageError marks errors the user can fix by changing the command line.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// malformedError is returned by --strict commands that saw malformed lines.
type malformedError struct{ n int64 }

func (e malformedError) Error() string {
	return fmt.Sprintf("%d malformed line(s) and --strict is set", e.n)
}

// app carries what every command needs; there are no globals.
type app struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	// isTerminal reports whether stderr is a terminal (for progress bars).
	isTerminal bool
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	a := &app{stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, isTerminal: isTerminal(os.Stderr)}
	code := a.run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}

// run executes the command line args and returns the exit code.
func (a *app) run(ctx context.Context, args []string) int {
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(a.stderr, "flowlens: %v\n", err)
	var ue usageError
	var me malformedError
	switch {
	case errors.As(err, &me):
		return exitMalformed
	case errors.As(err, &ue):
		fmt.Fprintln(a.stderr, "Run 'flowlens --help' for usage.")
		return exitUsage
	case errors.Is(err, context.Canceled):
		return exitCancelled
	}
	return exitError
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "flowlens",
		Short: "Turn AWS VPC Flow Logs into answers",
		Long: `flowlens reads AWS VPC Flow Logs (versions 2 to 11, default and custom
formats, Transit Gateway logs, plain, gzip, zstd or Parquet, local files or
S3 layouts) and answers: who talks to whom, what was rejected, what is
suspicious, what costs money. Everything runs offline in one binary.

Exit codes: 0 success, 1 failure, 2 usage error, 3 malformed lines with --strict.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	var cpuProfile string
	root.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to this file (for performance work)")
	_ = root.PersistentFlags().MarkHidden("cpuprofile")
	var stopProfile func()
	root.PersistentPreRunE = func(*cobra.Command, []string) error {
		if cpuProfile == "" {
			return nil
		}
		f, err := os.Create(cpuProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return err
		}
		stopProfile = func() { pprof.StopCPUProfile(); f.Close() }
		return nil
	}
	root.PersistentPostRun = func(*cobra.Command, []string) {
		if stopProfile != nil {
			stopProfile()
		}
	}
	root.AddCommand(
		a.catCommand(),
		a.statsCommand(),
		a.generateCommand(),
		a.ingestCommand(),
		a.sourcesCommand(),
		a.pruneCommand(),
		a.queryCommand(),
		a.filterCommand(),
		a.topCommand(),
		a.summaryCommand(),
		a.reportCommand(),
		a.graphCommand(),
		a.serveCommand(),
		a.demoCommand(),
		a.versionCommand(),
	)
	return root
}

// args validators that produce usage errors.
func minArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return usagef("missing %s", what)
		}
		return nil
	}
}

func noArgs(_ *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unexpected argument %q", args[0])
	}
	return nil
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
