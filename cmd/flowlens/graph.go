package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/flowlens/flowlens/internal/analysis"
	"github.com/flowlens/flowlens/internal/analysis/graph"
	"github.com/flowlens/flowlens/internal/enrich"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/webui"
)

func (a *app) graphCommand() *cobra.Command {
	var (
		qf                              queryFlags
		in                              inputFlags
		group, external, output, action string
		weight, keyFile                 string
		keyEnv                          string
		pseudonymize                    bool
		ef                              enrichFlags
		cfg                             = graph.DefaultConfiguration()
	)
	cmd := &cobra.Command{
		Use:   "graph [PATH...]",
		Short: "The conversation graph: who talks to whom (json, dot, graphml, html)",
		Long: `graph builds the conversation graph of the stored flows (or, with PATHs, of the
given files): nodes are endpoints grouped by ip, service (server address and
port), eni, subnet, vpc, az or cidr:/N; directed edges carry flows, packets and
bytes split into accepted and rejected, and the top ports. Rejected traffic is
red in the dot and html outputs; -o html writes one self-contained page that
opens offline in a browser, with the interactive graph. Known addresses show their --aliases names;
--pseudonymize replaces every other address and id by a stable keyed
pseudonym (internal stays internal, IPv4 stays IPv4).`,
		Example: `  flowlens graph --since 24h -o dot | dot -Tsvg > graph.svg
  flowlens graph --group subnet --inventory demo-data/logs/inventory.json -o html -O graph.html
  flowlens graph --group service --min-flows 10 --top-k 200 -o json
  flowlens graph --action REJECT -o graphml > rejected.graphml
  FLOWLENS_PSEUDONYM_KEY=$(openssl rand -hex 32) flowlens graph --pseudonymize -o json flows.log.gz`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			var err error
			if cfg.Group, err = graph.ParseGroup(group); err != nil {
				return usageError{err}
			}
			if cfg.External, err = graph.ParseExternal(external); err != nil {
				return usageError{err}
			}
			if cfg.Weight, err = analysis.ParseMetric(weight); err != nil {
				return usageError{err}
			}
			format, err := graph.ParseFormat(output)
			if err != nil {
				return usageError{err}
			}
			switch action {
			case "":
			case "ACCEPT", "accept":
				cfg.Action = flowlog.ActionAccept
			case "REJECT", "reject":
				cfg.Action = flowlog.ActionReject
			default:
				return usagef("--action is ACCEPT or REJECT")
			}
			if cfg.Aliases, cfg.Subnets, err = ef.load(); err != nil {
				return err
			}
			if pseudonymize {
				var key []byte
				if keyFile != "" {
					key, err = enrich.ReadKeyFile(keyFile)
				} else {
					key, err = enrich.KeyFromEnv(keyEnv)
				}
				if err != nil {
					return usageError{fmt.Errorf("--pseudonymize needs a key of at least %d bytes in --key-file or $%s: %w", enrich.MinKeyBytes, keyEnv, err)}
				}
				if cfg.Pseudonymizer, err = enrich.NewPseudonymizer(key, cfg.Networks); err != nil {
					return err
				}
			}
			s, done, err := a.analysisStore(cmd.Context(), &qf, &in, paths)
			if err != nil {
				return err
			}
			defer done()
			opts, warns, err := qf.options(patternDialect(s))
			if err != nil {
				return err
			}
			a.warn(warns)
			cfg.Range, cfg.Filter = opts.Range, opts.Filter
			g, err := graph.Build(cmd.Context(), s, cfg)
			if err != nil {
				return err
			}
			for _, n := range g.Notes {
				fmt.Fprintf(a.stderr, "flowlens: %s\n", n)
			}
			w, closeOut, err := a.openOutput(cmd.Flag("out").Value.String())
			if err != nil {
				return err
			}
			err = graph.WriteWith(w, g, format, map[graph.Format]graph.Encoder{graph.FormatHTML: webui.GraphHTML})
			if cerr := closeOut(); err == nil {
				err = cerr
			}
			return err
		},
	}
	qf.register(cmd, 0)
	_ = cmd.Flags().MarkHidden("limit")
	fs := cmd.Flags()
	fs.StringVarP(&output, "output", "o", "json", "graph format: json, dot, graphml or html (one self-contained interactive page)")
	fs.StringP("out", "O", "", "write to this file instead of standard output")
	fs.StringVar(&group, "group", "ip", "node grouping: ip, service, eni, subnet, vpc, az or cidr:/N")
	fs.StringVar(&external, "external", "auto", "internet endpoints: auto, keep, internet (one node) or prefix (per /16)")
	fs.StringVar(&weight, "weight", "bytes", "edge weight for --top-k and widths: bytes, packets or flows")
	fs.Uint64Var(&cfg.MinFlows, "min-flows", 0, "drop edges with fewer flows")
	fs.IntVar(&cfg.TopK, "top-k", 0, "keep the K heaviest edges (0: all)")
	fs.IntVar(&cfg.MaxNodes, "max-nodes", 500, "aggregate the smallest nodes beyond this many")
	fs.StringVar(&action, "action", "", "only ACCEPT or only REJECT traffic")
	ef.register(fs)
	fs.BoolVar(&pseudonymize, "pseudonymize", false, "replace addresses and ids by stable keyed pseudonyms")
	fs.StringVar(&keyFile, "key-file", "", "pseudonymisation key file")
	fs.StringVar(&keyEnv, "key-env", "FLOWLENS_PSEUDONYM_KEY", "environment variable holding the pseudonymisation key")
	registerOneShot(cmd, &in)
	return cmd
}
