package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/spf13/cobra"

	"github.com/flowlens/flowlens/internal/server"
	"github.com/flowlens/flowlens/internal/webui"
)

func (a *app) serveCommand() *cobra.Command {
	var sf storeFlags
	cfg := server.DefaultConfiguration()
	var generate bool
	var ef enrichFlags
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the web UI and the JSON API over the stored flows",
		Long: `serve hosts the web UI at / (dashboard, conversation graph, raw flows) and
answers the flowlens JSON API under /api/v1/ (summary, top, breakdown,
timeseries, heatmap, rejected, reports, graph, flows, sources, status) and
Prometheus metrics at /metrics. It listens on 127.0.0.1:8080 by default; on
any other address it needs a token (--token, or --generate-token to make one
and print it once) or an explicit --insecure. Ingests may run meanwhile.`,
		Example: `  flowlens serve --data demo-data/store --inventory demo-data/logs/inventory.json
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
			aliases, subnets, err := ef.load()
			if err != nil {
				return err
			}
			s, err := sf.open()
			if err != nil {
				return err
			}
			defer s.Close()
			return a.serve(cmd.Context(), cfg, server.Dependencies{Store: s, Gauges: server.EmbeddedGauges(s),
				Aliases: aliases, Subnets: subnets}, generate)
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
	ef.register(fs)
	return cmd
}

// serve runs the server until ctx ends, with the embedded web UI when this
// binary has one.
// showToken puts the token in the printed address (only when it was
// generated, and so printed once anyway: tokens are never logged).
func (a *app) serve(ctx context.Context, cfg server.Configuration, deps server.Dependencies, showToken bool) error {
	deps.Logger = slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	deps.Version = buildVersion()
	ui, uiErr := webui.App()
	if uiErr == nil {
		deps.UI = ui
	}
	srv, err := server.New(cfg, deps)
	if err != nil {
		return usageError{err}
	}
	if err := srv.Start(ctx); err != nil {
		return err
	}
	url := "http://" + srv.Addr() + "/"
	if uiErr != nil {
		fmt.Fprintf(a.stderr, "flowlens: %v\n", uiErr)
		url += "api/v1/"
	} else if cfg.Token != "" && showToken {
		url += "?token=" + cfg.Token
	}
	fmt.Fprintf(a.stderr, "flowlens: serving %s (Ctrl-C to stop)\n", url)
	select {
	case <-ctx.Done():
	case <-srv.Done():
	}
	return srv.Stop()
}
