package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"runtime/debug"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// APIPrefix is the path prefix of the JSON API.
const APIPrefix = "/api/v1/"

// endpoint is one API endpoint.
type endpoint struct {
	// path is the route and the endpoint label of metrics.
	path string
	// params are the accepted query parameters (token aside).
	params []string
	// anyParams accepts any parameter (report parameters).
	anyParams bool
	// store says the endpoint needs the store (503 without one).
	store bool
	run   func(c *call) (any, error)
}

// call is one API request being served.
type call struct {
	s        *Server
	w        http.ResponseWriter
	r        *http.Request
	ep       *endpoint
	q        url.Values
	ctx      context.Context
	store    *meteredReader
	warnings []string
	// wrote is set by handlers that wrote the response themselves.
	wrote bool
	// name is the {name} of /reports/{name}.
	name string
}

func (c *call) warnf(format string, args ...any) {
	c.warnings = append(c.warnings, fmt.Sprintf(format, args...))
}

// endpoints returns the API endpoints by path below APIPrefix.
func (s *Server) endpoints() map[string]*endpoint {
	eps := []*endpoint{
		{path: "summary", params: commonParams, store: true, run: (*call).summary},
		{path: "top", params: with(commonParams, "by", "metric"), store: true, run: (*call).top},
		{path: "breakdown", params: commonParams, store: true, run: (*call).breakdown},
		{path: "timeseries", params: with(commonParams, "bucket"), store: true, run: (*call).timeSeries},
		{path: "heatmap", params: with(commonParams, "metric"), store: true, run: (*call).heatMap},
		{path: "rejected", params: with(commonParams, "bucket"), store: true, run: (*call).rejected},
		{path: "reports", run: (*call).reportList},
		{path: "reports/{name}", anyParams: true, store: true, run: (*call).report},
		{path: "graph", params: graphParams, store: true, run: (*call).graph},
		{path: "flows", params: with(commonParams, "offset", "order", "output"), store: true, run: (*call).flows},
		{path: "sources", params: []string{"limit", "offset"}, store: true, run: (*call).sources},
		{path: "status", run: (*call).status},
	}
	m := make(map[string]*endpoint, len(eps))
	for _, e := range eps {
		m[e.path] = e
		e.path = APIPrefix + e.path
	}
	return m
}

func with(base []string, more ...string) []string {
	return append(append([]string(nil), base...), more...)
}

// routes builds the handler: middleware around the dispatcher.
func (s *Server) routes() http.Handler {
	eps := s.endpoints()
	var ui http.Handler
	if s.deps.UI != nil {
		ui = http.FileServerFS(s.deps.UI)
	}
	dispatch := func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/metrics":
			if s.checkMethod(w, r) {
				s.metrics.write(w)
			}
		case strings.HasPrefix(p, "/api/"):
			s.api(w, r, eps)
		case ui != nil:
			ui.ServeHTTP(w, r)
		case p == "/":
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			io.WriteString(w, "flowlens: the JSON API is at "+APIPrefix+" (see docs/API.md); this build has no web UI\n")
		default:
			http.NotFound(w, r)
		}
	}
	return s.observe(s.guard(http.HandlerFunc(dispatch)), eps)
}

// label returns the metrics label of a path.
func label(path string, eps map[string]*endpoint) string {
	switch {
	case path == "/metrics":
		return path
	case strings.HasPrefix(path, APIPrefix+"reports/"):
		return APIPrefix + "reports/{name}"
	case strings.HasPrefix(path, APIPrefix):
		if e, ok := eps[strings.TrimPrefix(path, APIPrefix)]; ok {
			return e.path
		}
		return "/api/other"
	case strings.HasPrefix(path, "/api/"):
		return "/api/other"
	}
	return "/ui"
}

// recorder captures the status and size of a response.
type recorder struct {
	http.ResponseWriter
	status     int
	bytes      int64
	clientGone bool
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// observe counts, times and logs requests, and turns panics into 500s. It
// logs the path, never the query string (which may hold the token).
func (s *Server) observe(next http.Handler, eps map[string]*endpoint) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		began := time.Now()
		lbl := label(r.URL.Path, eps)
		rec := &recorder{ResponseWriter: w}
		s.metrics.inFlight.Add(1)
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					s.metrics.inFlight.Add(-1)
					panic(p)
				}
				s.log.Error("panic serving a request", "path", r.URL.Path, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if rec.status == 0 {
					s.writeError(rec, errorf(http.StatusInternalServerError, "internal error: %v", p))
				}
			}
			s.metrics.inFlight.Add(-1)
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			if rec.clientGone {
				status = statusClientClosed
			}
			d := time.Since(began)
			s.metrics.request(lbl, status, d)
			level := s.logLevel(status)
			s.log.Log(r.Context(), level, "http request", "method", r.Method, "path", r.URL.Path,
				"status", status, "duration", d, "bytes", rec.bytes, "remote", r.RemoteAddr)
		}()
		next.ServeHTTP(rec, r)
	})
}

func (s *Server) logLevel(status int) slog.Level {
	switch {
	case status >= 500 && status != http.StatusServiceUnavailable:
		return slog.LevelError
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusServiceUnavailable:
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// guard sets the security headers, checks the Host header (no token, on
// loopback), the token (/api/ and /metrics) and the body size.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer") // tokens in URLs stay here
		if !s.hasToken && s.loopback && !s.allowedHost(r.Host) {
			s.writeError(w, errorf(http.StatusForbidden, "host %q is not allowed: this server listens on a loopback address without a token, so it only answers requests for localhost or a loopback address (a guard against DNS rebinding); add the name to the allowed hosts or use a token", hostOnly(r.Host)))
			return
		}
		protected := r.URL.Path == "/metrics" || strings.HasPrefix(r.URL.Path, "/api/")
		if protected && s.hasToken && !s.authorized(r) {
			s.metrics.authFailures.Add(1)
			s.writeError(w, errorf(http.StatusUnauthorized, "missing or wrong token: send the header \"Authorization: Bearer TOKEN\" (or add ?token=TOKEN to links)"))
			return
		}
		if r.ContentLength > s.cfg.MaxBodyBytes {
			s.writeError(w, tooLarge(s.cfg.MaxBodyBytes))
			return
		}
		if r.Body != nil && r.Body != http.NoBody {
			// No endpoint reads a body yet: consume it within the limit so
			// that an oversized chunked body is refused too.
			r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
			if _, err := io.Copy(io.Discard, r.Body); err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					s.writeError(w, tooLarge(s.cfg.MaxBodyBytes))
					return
				}
				s.writeError(w, errorf(http.StatusBadRequest, "reading the request body: %s", err))
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func tooLarge(max int64) *apiError {
	return errorf(http.StatusRequestEntityTooLarge, "the request body is larger than %d bytes", max)
}

// authorized checks the token of a request in constant time (the hashes
// have the same length whatever the token given).
func (s *Server) authorized(r *http.Request) bool {
	given := ""
	if a := r.Header.Get("Authorization"); a != "" {
		scheme, tok, ok := strings.Cut(a, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			given = strings.TrimSpace(tok)
		}
	}
	if given == "" {
		given = r.URL.Query().Get("token")
	}
	if given == "" {
		return false
	}
	h := sha256.Sum256([]byte(given))
	return subtle.ConstantTimeCompare(h[:], s.tokenHash[:]) == 1
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return strings.Trim(hostport, "[]")
}

// allowedHost reports whether a Host header names this machine.
func (s *Server) allowedHost(hostport string) bool {
	h := strings.ToLower(hostOnly(hostport))
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
		return true
	}
	for _, a := range s.cfg.AllowedHosts {
		if strings.EqualFold(a, h) {
			return true
		}
	}
	return false
}

// checkMethod accepts GET and HEAD, else writes a 405.
func (s *Server) checkMethod(w http.ResponseWriter, r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	w.Header().Set("Allow", "GET, HEAD")
	s.writeError(w, errorf(http.StatusMethodNotAllowed, "method %s is not allowed on %s: use GET", r.Method, r.URL.Path))
	return false
}

// api serves one /api/ request.
func (s *Server) api(w http.ResponseWriter, r *http.Request, eps map[string]*endpoint) {
	rest, ok := strings.CutPrefix(r.URL.Path, APIPrefix)
	var ep *endpoint
	var name string
	if ok {
		ep = eps[rest]
		if n, isReport := strings.CutPrefix(rest, "reports/"); isReport && n != "" && !strings.Contains(n, "/") {
			ep, name = eps["reports/{name}"], n
		}
	}
	if ep == nil {
		s.writeError(w, errorf(http.StatusNotFound, "no endpoint %s: the endpoints are %s", r.URL.Path, endpointList(eps)))
		return
	}
	if !s.checkMethod(w, r) {
		return
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		s.writeError(w, errorf(http.StatusBadRequest, "malformed query string: %s (escape %% as %%25 and & in values as %%26)", err))
		return
	}
	if err := checkParams(q, ep); err != nil {
		s.writeError(w, err)
		return
	}
	if ep.store && s.deps.Store == nil {
		s.writeError(w, errorf(http.StatusServiceUnavailable, "no store is open: ingest flow logs first (flowlens ingest) and restart the server"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), s.cfg.QueryTimeout)
	defer cancel()
	c := &call{s: s, w: w, r: r, ep: ep, q: q, ctx: ctx, name: name}
	c.store = &meteredReader{r: s.deps.Store, s: s, endpoint: ep.path}
	data, err := ep.run(c)
	if err != nil {
		e := c.classify(err, c.store.err())
		if e.status >= 500 && e.status != statusClientClosed {
			s.log.Error("request failed", "path", r.URL.Path, "error", e.msg)
		}
		s.writeError(w, e)
		return
	}
	if c.wrote {
		return
	}
	s.writeEnvelope(w, http.StatusOK, &Envelope{Status: StatusSuccess, Data: data, Warnings: c.warnings})
}

// checkParams refuses unknown and repeated parameters.
func checkParams(q url.Values, ep *endpoint) *apiError {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if k == "token" {
			continue
		}
		if len(q[k]) > 1 {
			return badParam(k, "given %d times: give it once", len(q[k]))
		}
		if !utf8.ValidString(k) || !utf8.ValidString(q[k][0]) {
			return errorf(http.StatusBadRequest, "parameter %q: not valid UTF-8: percent-encode UTF-8 text", k)
		}
		if ep.anyParams {
			continue
		}
		known := false
		for _, p := range ep.params {
			known = known || p == k
		}
		if !known {
			if len(ep.params) == 0 {
				return errorf(http.StatusBadRequest, "unknown parameter %q: %s takes no parameters", k, ep.path)
			}
			return errorf(http.StatusBadRequest, "unknown parameter %q: %s takes %s", k, ep.path, strings.Join(ep.params, ", "))
		}
	}
	return nil
}

func endpointList(eps map[string]*endpoint) string {
	var out []string
	for k := range eps {
		out = append(out, APIPrefix+k)
	}
	sort.Strings(out)
	return strings.Join(out, ", ")
}
