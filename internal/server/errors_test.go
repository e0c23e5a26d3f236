package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/store"
)

func TestBadRequests(t *testing.T) {
	h := newServer(t, nil).Handler()
	f := func(method, target string, wantCode int, wantType string, wantMsg ...string) {
		t.Helper()
		r := do(t, h, method, target, nil)
		if r.code != wantCode || r.env.Status != StatusError || r.env.ErrorType != wantType {
			t.Errorf("%s %s: %d %q %q, want %d %s", method, target, r.code, r.env.Status, r.env.ErrorType, wantCode, wantType)
			return
		}
		for _, m := range wantMsg {
			if !strings.Contains(r.env.Error, m) {
				t.Errorf("%s %s: error %q does not say %q", method, target, r.env.Error, m)
			}
		}
		if len(r.data) != 0 {
			t.Errorf("%s %s: an error with data %s", method, target, r.data)
		}
	}
	bad := func(target string, msg ...string) {
		t.Helper()
		f("GET", target, http.StatusBadRequest, "bad_parameter", msg...)
	}
	q := url.QueryEscape
	// Time range.
	bad("/api/v1/summary?since=yesterday", "parameter since", "bad duration")
	bad("/api/v1/top?since=-5m", "parameter since")
	bad("/api/v1/top?from=last+monday", "parameter from", "RFC 3339")
	bad("/api/v1/top?to=2026-13-01", "parameter to")
	bad("/api/v1/top?from=2026-01-05&to=2026-01-04", "parameter to", "empty")
	bad("/api/v1/top?since=1h&from=2026-01-05", "parameter since", "exclusive")
	// Filters.
	bad("/api/v1/top?where="+q("dstprt=22"), "parameter where", "unknown field")
	bad("/api/v1/top?where="+q("dstport=http"), "parameter where", "not a number")
	bad("/api/v1/breakdown?where="+q("srcaddr>10.0.0.1"), "parameter where", "only numeric")
	bad("/api/v1/summary?pattern="+q("[a, b"), "parameter pattern")
	bad("/api/v1/summary?pattern="+q("[a=%x(%]"), "parameter pattern")
	bad("/api/v1/summary?format="+q("${srcaddr} ${srcaddr}"), "parameter format", "twice")
	// Limits and enums.
	bad("/api/v1/top?limit=-1", "parameter limit", "negative")
	bad("/api/v1/top?limit=ten", "parameter limit", "not a whole number")
	bad("/api/v1/top?limit=99999999999", "parameter limit", "too large")
	bad("/api/v1/top?by=bogus", "parameter by", "unknown dimension")
	bad("/api/v1/top?metric=bits", "parameter metric", "bytes, packets or flows")
	bad("/api/v1/heatmap?metric=bits", "parameter metric")
	bad("/api/v1/timeseries?bucket=5x", "parameter bucket")
	bad("/api/v1/timeseries?bucket=1500ms", "parameter bucket", "whole number of seconds")
	bad("/api/v1/timeseries?bucket=1s&from=2025-01-01&to=2026-01-06", "parameter bucket", "more than")
	bad("/api/v1/rejected?bucket=1s&from=2020-01-01", "parameter bucket", "more than")
	// Parameters.
	bad("/api/v1/summary?sinc=1h", "unknown parameter \"sinc\"", "since, from")
	bad("/api/v1/status?limit=3", "takes no parameters")
	bad("/api/v1/summary?since=1h&since=2h", "parameter since", "given 2 times")
	// Reports.
	f("GET", "/api/v1/reports/top-talker", http.StatusNotFound, "not_found", "unknown report", "top-talkers")
	bad("/api/v1/reports/traffic-from-source", "needs parameter srcaddr")
	bad("/api/v1/reports/traffic-from-source?srcaddr=nowhere", "srcaddr", "not an IP address")
	bad("/api/v1/reports/top-talkers?srcaddr=10.0.0.1", "takes no parameters")
	bad("/api/v1/reports/admin-port-traffic?ports=22,ssh", "ports", "not a port")
	bad("/api/v1/reports/top-talkers?limit=-2", "parameter limit")
	// Graph.
	bad("/api/v1/graph?group=planet", "parameter group")
	bad("/api/v1/graph?external=mars", "parameter external")
	bad("/api/v1/graph?weight=bits", "parameter weight")
	bad("/api/v1/graph?action=DROP", "parameter action")
	bad("/api/v1/graph?max_nodes=2", "parameter max_nodes", "at least 3")
	bad("/api/v1/graph?top_k=-1", "parameter top_k")
	bad("/api/v1/graph?min_flows=x", "parameter min_flows")
	bad("/api/v1/graph?output=png", "parameter output")
	bad("/api/v1/graph?limit=5", "unknown parameter \"limit\"")
	// Flows.
	bad("/api/v1/flows?order=up", "parameter order")
	bad("/api/v1/flows?output=xml", "parameter output")
	bad("/api/v1/flows?offset=-3", "parameter offset")
	bad("/api/v1/flows?format=csv&output=jsonl", "parameter format")
	bad("/api/v1/flows?format="+q("${foo} ${bar}"), "parameter format", "no known field")
	bad("/api/v1/top?where=%zz", "malformed query string")
	// Routing and methods.
	f("GET", "/api/v1/nope", http.StatusNotFound, "not_found", "/api/v1/summary")
	f("GET", "/api/v2/summary", http.StatusNotFound, "not_found")
	f("GET", "/api/v1/reports/a/b", http.StatusNotFound, "not_found")
	f("POST", "/api/v1/summary", http.StatusMethodNotAllowed, "method_not_allowed", "POST")
	f("DELETE", "/api/v1/reports", http.StatusMethodNotAllowed, "method_not_allowed")
	f("PUT", "/metrics", http.StatusMethodNotAllowed, "method_not_allowed")
	if r := do(t, h, "POST", "/api/v1/top", nil); r.header.Get("Allow") != "GET, HEAD" {
		t.Errorf("405 without Allow: %v", r.header)
	}
}

func TestLimitCapped(t *testing.T) {
	h := newServer(t, func(c *Configuration, _ *Dependencies) { c.MaxRows = 7 }).Handler()
	f := func(target string, rows int) {
		t.Helper()
		r := get(t, h, target)
		var d tablesData
		r.into(t, &d)
		if n := len(d.Tables[0].Rows); n != rows || len(r.env.Warnings) != 1 || !strings.Contains(r.env.Warnings[0], "maximum of 7 rows") {
			t.Errorf("%s: %d rows, warnings %q", target, n, r.env.Warnings)
		}
	}
	f("/api/v1/top?limit=50", 7)
	f("/api/v1/flows?limit=50", 7)
	f("/api/v1/reports/top-talkers?limit=1000", 7)
	if r := do(t, h, "GET", "/api/v1/timeseries?bucket=1m", nil); r.code != 400 {
		t.Errorf("240 points over a cap of 7: %d", r.code)
	}
}

func TestBodyLimit(t *testing.T) {
	h := newServer(t, func(c *Configuration, _ *Dependencies) { c.MaxBodyBytes = 100 }).Handler()
	f := func(body io.Reader, size int64, want int) {
		t.Helper()
		req := newRequest("GET", "/api/v1/status", body)
		req.ContentLength = size
		r := serve(t, h, req)
		if r.code != want {
			t.Errorf("body of %d bytes: %d, want %d: %s", size, r.code, want, r.body)
		}
		if want == http.StatusRequestEntityTooLarge && r.env.ErrorType != "too_large" {
			t.Errorf("error type %q", r.env.ErrorType)
		}
	}
	f(strings.NewReader(strings.Repeat("x", 50)), 50, 200)
	f(strings.NewReader(strings.Repeat("x", 101)), 101, http.StatusRequestEntityTooLarge)
	f(strings.NewReader(strings.Repeat("x", 5000)), -1, http.StatusRequestEntityTooLarge) // chunked
	f(strings.NewReader(strings.Repeat("x", 99)), -1, 200)
}

// fakeReader is a store whose calls fail or block.
type fakeReader struct {
	store.Reader
	err          error
	block, panic bool
}

func (f *fakeReader) Query(ctx context.Context, q store.Query) (*store.Result, error) {
	if f.panic {
		panic("broken invariant")
	}
	if f.block {
		<-ctx.Done()
		return nil, fmt.Errorf("interrupted: %w", ctx.Err())
	}
	if f.err != nil {
		return nil, f.err
	}
	return f.Reader.Query(ctx, q)
}

func (f *fakeReader) TimeRange(ctx context.Context) (time.Time, time.Time, error) {
	return t0, t0.Add(span), nil
}

func TestStoreFailures(t *testing.T) {
	fx := getFixture(t)
	f := func(r store.Reader, target string, wantCode int, wantType, wantMsg string) {
		t.Helper()
		logs := &syncBuffer{}
		h := newServer(t, func(c *Configuration, d *Dependencies) {
			d.Store = r
			d.Logger = testDeps(t, logs).Logger
			c.QueryTimeout = 200 * time.Millisecond
		}).Handler()
		resp := do(t, h, "GET", target, nil)
		if resp.code != wantCode || resp.env.ErrorType != wantType || !strings.Contains(resp.env.Error, wantMsg) {
			t.Errorf("%s: %d %s %q, want %d %s %q", target, resp.code, resp.env.ErrorType, resp.env.Error, wantCode, wantType, wantMsg)
		}
		if wantCode == 500 && !strings.Contains(logs.String(), `"level":"ERROR"`) {
			t.Errorf("a 500 is not logged: %s", logs)
		}
	}
	f(&fakeReader{Reader: fx.store, block: true}, "/api/v1/summary", 503, "timeout", "query timeout (200ms)")
	f(&fakeReader{Reader: fx.store, err: errors.New("disk on fire")}, "/api/v1/top", 500, "internal", "disk on fire")
	f(&fakeReader{Reader: fx.store, err: fmt.Errorf("x: %w", store.ErrClosed)}, "/api/v1/breakdown", 503, "unavailable", "closed")
	f(nil, "/api/v1/top", 503, "unavailable", "no store")
	f(&fakeReader{Reader: fx.store, panic: true}, "/api/v1/top", 500, "internal", "broken invariant")
	// Without a store, status still answers.
	h := newServer(t, func(_ *Configuration, d *Dependencies) { d.Store = nil }).Handler()
	var st Status
	get(t, h, "/api/v1/status").into(t, &st)
	if st.Store != nil {
		t.Errorf("status without a store: %+v", st.Store)
	}
}

// countingReader records the most store calls running at once.
type countingReader struct {
	store.Reader
	mu        sync.Mutex
	now, peak int
}

func (c *countingReader) Query(ctx context.Context, q store.Query) (*store.Result, error) {
	c.mu.Lock()
	c.now++
	c.peak = max(c.peak, c.now)
	c.mu.Unlock()
	time.Sleep(20 * time.Millisecond)
	defer func() {
		c.mu.Lock()
		c.now--
		c.mu.Unlock()
	}()
	return c.Reader.Query(ctx, q)
}

func TestQueryConcurrency(t *testing.T) {
	cr := &countingReader{Reader: getFixture(t).store}
	h := newServer(t, func(c *Configuration, d *Dependencies) { c.MaxConcurrentQueries, d.Store = 2, cr }).Handler()
	var wg sync.WaitGroup
	codes := make([]int, 6)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, newRequest("GET", "/api/v1/breakdown", nil))
			codes[i] = rec.Code
		}()
	}
	wg.Wait()
	for i, c := range codes {
		if c != 200 {
			t.Errorf("request %d: %d", i, c)
		}
	}
	if cr.peak != 2 {
		t.Errorf("at most %d store calls ran at once, want 2", cr.peak)
	}
}
