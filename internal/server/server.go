// Package server is the HTTP side of `flowlens serve`: a JSON API over the
// store (every analysis of internal/analysis, the conversation graph, raw
// flows and the ingest ledger), Prometheus metrics, and the embedded web UI
// when one is given.
//
// Every /api/v1/ endpoint answers with one envelope,
// {"status":"success"|"error","data":...,"error":"...","warnings":[...]},
// and takes the filters of the CLI (since, from, to, where, pattern,
// format, limit). See docs/API.md.
//
// Security: the server listens on 127.0.0.1:8080 by default. It refuses a
// non-loopback address without a token unless Insecure is set. With a token,
// every /api/ and /metrics request must carry it (Authorization: Bearer, or
// ?token= for links); without one, on loopback, only loopback Host headers
// are served, which defeats DNS rebinding. The token is compared in constant
// time and never logged (access logs carry the path, never the query).
package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/flowlens/flowlens/internal/enrich"
	"github.com/flowlens/flowlens/internal/filterpattern"
	"github.com/flowlens/flowlens/internal/store"
)

// Configuration configures the server.
type Configuration struct {
	// Listen is the TCP address to listen on (host:port).
	Listen string
	// Token, when set, is required on every /api/ and /metrics request.
	Token string
	// Insecure allows a non-loopback Listen address without a Token.
	Insecure bool
	// AllowedHosts are extra Host header names served without a token on a
	// loopback address (localhost and loopback addresses always are).
	AllowedHosts []string

	// ReadHeaderTimeout, ReadTimeout, WriteTimeout and IdleTimeout are the
	// http.Server timeouts. WriteTimeout must exceed QueryTimeout.
	ReadHeaderTimeout, ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// QueryTimeout bounds the store work of one request.
	QueryTimeout time.Duration
	// ShutdownTimeout is how long Stop waits for requests in flight before
	// cancelling them.
	ShutdownTimeout time.Duration
	// MaxConcurrentQueries is the number of store queries running at once;
	// others wait (within QueryTimeout).
	MaxConcurrentQueries int

	// MaxRows caps the rows of any table or page returned (a larger limit
	// is lowered, with a warning).
	MaxRows int
	// MaxBodyBytes caps request bodies (413 beyond).
	MaxBodyBytes int64
	// MaxHeaderBytes caps the request line and headers (URL parameters
	// included).
	MaxHeaderBytes int
	// MaxNodes caps the nodes of a graph: lighter nodes are merged into
	// "other" nodes and the response says so in its warnings.
	MaxNodes int
}

// DefaultConfiguration returns a configuration listening on 127.0.0.1:8080
// without a token.
func DefaultConfiguration() Configuration {
	return Configuration{
		Listen:               "127.0.0.1:8080",
		ReadHeaderTimeout:    10 * time.Second,
		ReadTimeout:          30 * time.Second,
		WriteTimeout:         2 * time.Minute,
		IdleTimeout:          2 * time.Minute,
		QueryTimeout:         60 * time.Second,
		ShutdownTimeout:      10 * time.Second,
		MaxConcurrentQueries: 4,
		MaxRows:              100_000,
		MaxBodyBytes:         1 << 20,
		MaxHeaderBytes:       64 << 10,
		MaxNodes:             500,
	}
}

// Dependencies are what the server serves.
type Dependencies struct {
	// Store answers the queries. When nil, analysis endpoints answer 503.
	Store store.Reader
	// StoreDialect generates the SQL of raw flow pages; when nil it is
	// taken from Store when Store has a Dialect() store.Dialect method.
	StoreDialect store.Dialect
	// Dialect compiles filter patterns; when nil it follows StoreDialect
	// (DuckDB unless the store is ClickHouse).
	Dialect filterpattern.Dialect
	// Logger receives the access log and errors (nil: discarded).
	Logger *slog.Logger
	// UI, when not nil, is served at / (the embedded web UI assets).
	UI fs.FS
	// Version is reported by /api/v1/status and /metrics.
	Version string
	// Aliases name addresses in graphs (optional).
	Aliases *enrich.Aliases
	// Subnets place addresses in subnets and VPCs in graphs when the
	// records do not say (optional).
	Subnets *enrich.Subnets
	// Gauges, when set, adds values to /metrics (for example the store's
	// counters: see EmbeddedGauges). Names ending in _total are counters.
	Gauges func() map[string]float64
	// Now returns the current time (nil: time.Now); since counts back from it.
	Now func() time.Time
}

// Server is the HTTP server.
type Server struct {
	cfg       Configuration
	deps      Dependencies
	log       *slog.Logger
	tokenHash [sha256.Size]byte
	hasToken  bool
	loopback  bool
	handler   http.Handler
	metrics   *metrics
	sem       chan struct{}

	// baseCtx is the parent of every request context; cancelled when Stop
	// gives up waiting.
	baseCtx context.Context
	cancel  context.CancelFunc

	mu       sync.Mutex
	srv      *http.Server
	ln       net.Listener
	done     chan struct{}
	serveErr error
	stopped  bool
}

// MinTokenLength is the shortest token accepted.
const MinTokenLength = 16

// New checks the configuration and builds the server (it does not listen:
// see Start, or use Handler with httptest).
func New(cfg Configuration, deps Dependencies) (*Server, error) {
	def := DefaultConfiguration()
	if cfg.Listen == "" {
		cfg.Listen = def.Listen
	}
	if err := checkConfiguration(&cfg, def); err != nil {
		return nil, err
	}
	loopback, err := isLoopbackListen(cfg.Listen)
	if err != nil {
		return nil, err
	}
	if err := checkToken(cfg.Token); err != nil {
		return nil, err
	}
	if !loopback && cfg.Token == "" && !cfg.Insecure {
		return nil, fmt.Errorf("server: %s is not a loopback address: serving flow logs there without a token exposes them to the network; pass --token (a token of at least %d characters, or let flowlens generate one) or, on a trusted network, --insecure", cfg.Listen, MinTokenLength)
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.StoreDialect == nil && deps.Store != nil {
		if d, ok := deps.Store.(interface{ Dialect() store.Dialect }); ok {
			deps.StoreDialect = d.Dialect()
		}
	}
	if deps.Dialect == nil {
		deps.Dialect = filterpattern.DuckDB{}
		if deps.StoreDialect != nil && deps.StoreDialect.Name() == "clickhouse" {
			deps.Dialect = filterpattern.ClickHouse{}
		}
	}
	s := &Server{
		cfg: cfg, deps: deps, log: deps.Logger, loopback: loopback,
		metrics: newMetrics(deps.Version, deps.Gauges),
		sem:     make(chan struct{}, cfg.MaxConcurrentQueries),
	}
	if cfg.Token != "" {
		s.hasToken = true
		s.tokenHash = sha256.Sum256([]byte(cfg.Token))
	}
	s.baseCtx, s.cancel = context.WithCancel(context.Background())
	s.handler = s.routes()
	return s, nil
}

func checkConfiguration(cfg *Configuration, def Configuration) error {
	for _, d := range []struct {
		v    *time.Duration
		name string
	}{{&cfg.ReadHeaderTimeout, "read header timeout"}, {&cfg.ReadTimeout, "read timeout"},
		{&cfg.WriteTimeout, "write timeout"}, {&cfg.IdleTimeout, "idle timeout"},
		{&cfg.QueryTimeout, "query timeout"}, {&cfg.ShutdownTimeout, "shutdown timeout"}} {
		if *d.v < 0 {
			return fmt.Errorf("server: %s %s is negative: give a positive duration", d.name, *d.v)
		}
	}
	fill := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	fill(&cfg.MaxRows, def.MaxRows)
	fill(&cfg.MaxNodes, def.MaxNodes)
	fill(&cfg.MaxHeaderBytes, def.MaxHeaderBytes)
	fill(&cfg.MaxConcurrentQueries, def.MaxConcurrentQueries)
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = def.MaxBodyBytes
	}
	if cfg.QueryTimeout == 0 {
		cfg.QueryTimeout = def.QueryTimeout
	}
	if cfg.ShutdownTimeout == 0 {
		cfg.ShutdownTimeout = def.ShutdownTimeout
	}
	switch {
	case cfg.MaxRows < 0:
		return fmt.Errorf("server: max rows %d is negative", cfg.MaxRows)
	case cfg.MaxNodes < 3:
		return fmt.Errorf("server: max nodes %d is too small: give at least 3", cfg.MaxNodes)
	case cfg.MaxBodyBytes < 0 || cfg.MaxHeaderBytes < 0 || cfg.MaxConcurrentQueries < 0:
		return errors.New("server: size limits and the query concurrency must be positive")
	case cfg.WriteTimeout > 0 && cfg.WriteTimeout <= cfg.QueryTimeout:
		return fmt.Errorf("server: the write timeout (%s) must exceed the query timeout (%s), or slow answers are cut off", cfg.WriteTimeout, cfg.QueryTimeout)
	}
	return nil
}

func checkToken(t string) error {
	if t == "" {
		return nil
	}
	if len(t) < MinTokenLength {
		return fmt.Errorf("server: the token has %d characters: use at least %d random ones (flowlens can generate one)", len(t), MinTokenLength)
	}
	for i := 0; i < len(t); i++ {
		if t[i] <= ' ' || t[i] > '~' {
			return errors.New("server: the token must be printable ASCII without spaces (it travels in an HTTP header and in URLs)")
		}
	}
	return nil
}

// GenerateToken returns a random token (32 bytes, base64url: 43 characters).
func GenerateToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("server: generating a token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// isLoopbackListen reports whether a listen address only accepts local
// connections: a loopback IP or "localhost". An empty host (all
// interfaces) and other names are not.
func isLoopbackListen(addr string) (bool, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false, fmt.Errorf("server: listen address %q: %w (use host:port, e.g. 127.0.0.1:8080)", addr, err)
	}
	if strings.EqualFold(host, "localhost") {
		return true, nil
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback(), nil
}

// Start listens and serves in the background. It returns once the socket
// is listening (Addr is then valid) or with the listen error.
func (s *Server) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil || s.stopped {
		return errors.New("server: already started (a server starts once)")
	}
	ln, err := (&net.ListenConfig{}).Listen(ctx, "tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("server: cannot listen on %s: %w (is another server using it? choose another address)", s.cfg.Listen, err)
	}
	if s.loopback {
		if a, ok := ln.Addr().(*net.TCPAddr); !ok || !a.IP.IsLoopback() {
			ln.Close()
			return fmt.Errorf("server: %s resolved to %s, which is not a loopback address: give an IP address", s.cfg.Listen, ln.Addr())
		}
	}
	s.srv = &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    s.cfg.MaxHeaderBytes,
		BaseContext:       func(net.Listener) context.Context { return s.baseCtx },
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	s.ln = ln
	s.done = make(chan struct{})
	srv, done := s.srv, s.done
	go func() {
		defer close(done)
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("http server stopped", "error", err)
			s.mu.Lock()
			s.serveErr = err
			s.mu.Unlock()
		}
	}()
	s.log.Info("serving the flowlens API", "address", ln.Addr().String(), "token", s.hasToken, "ui", s.deps.UI != nil)
	return nil
}

// Addr returns the address the server listens on ("" before Start).
func (s *Server) Addr() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ln == nil {
		return ""
	}
	return s.ln.Addr().String()
}

// Handler returns the server's handler (for httptest; Start serves it).
func (s *Server) Handler() http.Handler { return s.handler }

// Done is closed when the server stopped serving (nil before Start).
func (s *Server) Done() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.done
}

// Stop shuts the server down gracefully: it stops accepting connections,
// waits up to ShutdownTimeout for requests in flight, then cancels them.
// It returns the error that stopped serving, if any.
func (s *Server) Stop() error {
	s.mu.Lock()
	srv, done, stopped := s.srv, s.done, s.stopped
	s.stopped = true
	s.mu.Unlock()
	defer s.cancel()
	if srv == nil {
		return nil
	}
	if stopped {
		<-done
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.serveErr
	}
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if err != nil {
		s.cancel() // cancel the queries in flight
		s.log.Warn("requests still running at shutdown were cancelled", "timeout", s.cfg.ShutdownTimeout)
		err = srv.Close()
	}
	<-done
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.serveErr != nil {
		return s.serveErr
	}
	return err
}
