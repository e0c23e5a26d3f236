package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/server"
)

func (a *app) demoCommand() *cobra.Command {
	var (
		dir, records, duration string
		serve, fresh           bool
		cfg                    = server.DefaultConfiguration()
	)
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Generate demo flow logs, store them and show the results (--serve: open the web UI)",
		Long: `demo runs the main job on built-in demo data: it generates realistic flow
logs in the S3 layout (flowlens generate, a fixed seed, a version 5 custom
format), reads them (flowlens stats), stores them (flowlens ingest) and prints
the summary. With --serve it then serves the web UI on them. An existing demo
data set in --dir is reused (the ingest adds nothing twice); --fresh
regenerates it.`,
		Example: `  flowlens demo
  flowlens demo --serve                      # then open http://127.0.0.1:8080/
  flowlens demo --records 2000000 --duration 24h --fresh`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			logs, storeDir := filepath.Join(dir, "logs"), filepath.Join(dir, "store")
			inventory := filepath.Join(logs, "inventory.json")
			if _, err := os.Stat(inventory); err != nil || fresh {
				// Only what demo writes: never the rest of --dir.
				for _, d := range []string{logs, storeDir} {
					if err := os.RemoveAll(d); err != nil {
						return err
					}
				}
				if err := a.step(ctx, "generate", "--seed", "42", "--duration", duration, "--records", records,
					"--layout", "s3", "--format", generate.DemoFormat, "--out", logs); err != nil {
					return err
				}
				if err := a.step(ctx, "stats", logs); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(a.stderr, "flowlens demo: reusing the demo data in %s (--fresh regenerates it)\n", dir)
			}
			if err := a.step(ctx, "ingest", "--data", storeDir, logs); err != nil {
				return err
			}
			if err := a.step(ctx, "summary", "--data", storeDir); err != nil {
				return err
			}
			if !serve {
				self := os.Args[0]
				fmt.Fprintf(a.stdout, "\nNext:\n  %s demo --serve --dir %s                 # the web UI: dashboard, graph, flows\n", self, dir)
				fmt.Fprintf(a.stdout, "  %s serve --data %s --inventory %s\n", self, storeDir, inventory)
				fmt.Fprintf(a.stdout, "  %s top pair --data %s   |   %s report --list\n", self, storeDir, self)
				fmt.Fprintf(a.stdout, "  %s graph --data %s --inventory %s --group subnet -o html -O graph.html\n", self, storeDir, inventory)
				return nil
			}
			ef := enrichFlags{inventory: inventory}
			aliases, subnets, err := ef.load()
			if err != nil {
				return err
			}
			var sf storeFlags
			sf.data = storeDir
			s, err := sf.open()
			if err != nil {
				return err
			}
			defer s.Close()
			return a.serve(ctx, cfg, server.Dependencies{Store: s, Gauges: server.EmbeddedGauges(s),
				Aliases: aliases, Subnets: subnets}, false)
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&dir, "dir", "demo-data", "directory of the demo data (logs/ and store/)")
	fs.StringVar(&records, "records", "500000", "number of records to generate")
	fs.StringVar(&duration, "duration", "6h", "time span of the generated records")
	fs.BoolVar(&fresh, "fresh", false, "regenerate the demo data even if it exists")
	fs.BoolVar(&serve, "serve", false, "then serve the web UI on the demo data")
	fs.StringVar(&cfg.Listen, "listen", cfg.Listen, "address of the web UI (with --serve; loopback only)")
	return cmd
}

// step runs one flowlens command line, as the user would type it.
func (a *app) step(ctx context.Context, args ...string) error {
	fmt.Fprintf(a.stderr, "\n$ flowlens %s\n", shellJoin(args))
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	if err := root.ExecuteContext(ctx); err != nil {
		return fmt.Errorf("flowlens %s: %w", args[0], err)
	}
	return nil
}

// shellJoin quotes the arguments that need it for a shell.
func shellJoin(args []string) string {
	out := ""
	for i, s := range args {
		if i > 0 {
			out += " "
		}
		q := s == ""
		for _, c := range s {
			if !(c == '-' || c == '_' || c == '.' || c == '/' || c == ':' || c == '=' || c == ',' ||
				(c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
				q = true
				break
			}
		}
		if q {
			s = "'" + s + "'"
		}
		out += s
	}
	return out
}
