package main

import (
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/flowlens/flowlens/internal/server"
)

func (a *app) serveCommand() *cobra.Command {
	var sf storeFlags
	cfg := server.DefaultConfiguration()
	var generate bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the JSON API over the stored flows (see docs/API.md)",
		Long: `serve answers the flowlens JSON API under /api/v1/ (summary, top, breakdown,
timeseries, heatmap, rejected, reports, graph, flows, sources, status) and
Prometheus metrics at /metrics. It listens on 127.0.0.1:8080 by default; on
any other address it needs a token (--token, or --generate-token to make one
and print it once) or an explicit --insecure. Ingests may run meanwhile.`,
		Example: `  flowlens serve --data demo-data/store
  flowlens serve --listen 0.0.0.0:8080 --generate-token
  curl -s 'http://127.0.0.1:8080/api/v1/top?by=src&since=24h' | jq .data`,
		Args: noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if generate {
				tok, err := server.GenerateToken()
				if err != nil {
					return err
				}
				cfg.Token = tok
				fmt.Fprintf(a.stderr, "API token (shown once): %s\n", tok)
			}
			if cfg.Token == "" {
				cfg.Token = os.Getenv("FLOWLENS_TOKEN")
			}
			s, err := sf.open()
			if err != nil {
				return err
			}
			defer s.Close()
			logger := slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
			srv, err := server.New(cfg, server.Dependencies{Store: s, Logger: logger, Version: "flowlens", Gauges: server.EmbeddedGauges(s)})
			if err != nil {
				return usageError{err}
			}
			if err := srv.Start(cmd.Context()); err != nil {
				return err
			}
			fmt.Fprintf(a.stderr, "flowlens: serving http://%s/api/v1/ (Ctrl-C to stop)\n", srv.Addr())
			select {
			case <-cmd.Context().Done():
			case <-srv.Done():
			}
			return srv.Stop()
		},
	}
	sf.register(cmd.Flags())
	fs := cmd.Flags()
	fs.StringVar(&cfg.Listen, "listen", cfg.Listen, "address to listen on")
	fs.StringVar(&cfg.Token, "token", "", "API token required on every request (default $FLOWLENS_TOKEN)")
	fs.BoolVar(&generate, "generate-token", false, "generate a token and print it once")
	fs.BoolVar(&cfg.Insecure, "insecure", false, "serve a non-loopback address without a token")
	fs.IntVar(&cfg.MaxNodes, "max-nodes", cfg.MaxNodes, "most nodes in a graph answer")
	fs.IntVar(&cfg.MaxRows, "max-rows", cfg.MaxRows, "most rows in an answer")
	return cmd
}
