package server

import (
	"bytes"
	"math"
	"net/http"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// latencyBuckets are the upper bounds (seconds) of the latency histograms.
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}

// histogram is a Prometheus histogram (cumulative when written).
type histogram struct {
	counts []uint64 // per bucket, non-cumulative; the last is +Inf
	sum    float64
	n      uint64
}

func (h *histogram) observe(v float64) {
	if h.counts == nil {
		h.counts = make([]uint64, len(latencyBuckets)+1)
	}
	i := sort.SearchFloat64s(latencyBuckets, v) // first bound >= v
	h.counts[i]++
	h.sum += v
	h.n++
}

type codeKey struct {
	endpoint string
	code     int
}

type resultKey struct {
	endpoint string
	ok       bool
}

// metrics are the server's counters, written at /metrics in the Prometheus
// text format (version 0.0.4).
type metrics struct {
	version string
	gauges  func() map[string]float64
	started time.Time

	inFlight     atomic.Int64
	authFailures atomic.Uint64

	mu       sync.Mutex
	requests map[codeKey]uint64
	latency  map[string]*histogram
	queries  map[resultKey]uint64
	queryLat map[string]*histogram
}

func newMetrics(version string, gauges func() map[string]float64) *metrics {
	if version == "" {
		version = "(devel)"
	}
	return &metrics{version: version, gauges: gauges, started: time.Now(),
		requests: map[codeKey]uint64{}, latency: map[string]*histogram{},
		queries: map[resultKey]uint64{}, queryLat: map[string]*histogram{}}
}

func (m *metrics) request(endpoint string, code int, d time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[codeKey{endpoint, code}]++
	h := m.latency[endpoint]
	if h == nil {
		h = &histogram{}
		m.latency[endpoint] = h
	}
	h.observe(d.Seconds())
}

func (m *metrics) query(endpoint string, d time.Duration, err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.queries[resultKey{endpoint, err == nil}]++
	h := m.queryLat[endpoint]
	if h == nil {
		h = &histogram{}
		m.queryLat[endpoint] = h
	}
	h.observe(d.Seconds())
}

// write writes every metric.
func (m *metrics) write(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	// Rendered in memory: a slow scraper never holds the lock.
	var b bytes.Buffer
	defer func() { w.Write(b.Bytes()) }()
	p := promWriter{&b}

	p.header("flowlens_build_info", "gauge", "The version of flowlens serving.")
	p.sample("flowlens_build_info", []string{"version", m.version}, 1)
	p.header("flowlens_server_start_time_seconds", "gauge", "When the server started, in Unix seconds.")
	p.sample("flowlens_server_start_time_seconds", nil, float64(m.started.UnixNano())/1e9)
	p.header("flowlens_http_requests_in_flight", "gauge", "HTTP requests being served.")
	p.sample("flowlens_http_requests_in_flight", nil, float64(m.inFlight.Load()))
	p.header("flowlens_http_auth_failures_total", "counter", "Requests refused for a missing or wrong token.")
	p.sample("flowlens_http_auth_failures_total", nil, float64(m.authFailures.Load()))

	m.mu.Lock()
	reqs := make([]codeKey, 0, len(m.requests))
	for k := range m.requests {
		reqs = append(reqs, k)
	}
	sort.Slice(reqs, func(i, j int) bool {
		if reqs[i].endpoint != reqs[j].endpoint {
			return reqs[i].endpoint < reqs[j].endpoint
		}
		return reqs[i].code < reqs[j].code
	})
	p.header("flowlens_http_requests_total", "counter", "HTTP requests by endpoint and status code (499: the client went away).")
	for _, k := range reqs {
		p.sample("flowlens_http_requests_total", []string{"endpoint", k.endpoint, "code", strconv.Itoa(k.code)}, float64(m.requests[k]))
	}
	p.histograms("flowlens_http_request_duration_seconds", "HTTP request latency by endpoint.", m.latency)
	qs := make([]resultKey, 0, len(m.queries))
	for k := range m.queries {
		qs = append(qs, k)
	}
	sort.Slice(qs, func(i, j int) bool {
		if qs[i].endpoint != qs[j].endpoint {
			return qs[i].endpoint < qs[j].endpoint
		}
		return !qs[i].ok && qs[j].ok
	})
	p.header("flowlens_store_queries_total", "counter", "Store calls made by API requests, by endpoint and result (ok, error).")
	for _, k := range qs {
		res := "error"
		if k.ok {
			res = "ok"
		}
		p.sample("flowlens_store_queries_total", []string{"endpoint", k.endpoint, "result", res}, float64(m.queries[k]))
	}
	p.histograms("flowlens_store_query_duration_seconds", "Latency of the store calls of API requests (waiting for a query slot excluded).", m.queryLat)
	m.mu.Unlock()

	p.header("go_goroutines", "gauge", "Number of goroutines.")
	p.sample("go_goroutines", nil, float64(runtime.NumGoroutine()))
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	p.header("go_memstats_heap_alloc_bytes", "gauge", "Bytes of allocated heap objects.")
	p.sample("go_memstats_heap_alloc_bytes", nil, float64(ms.HeapAlloc))

	if m.gauges != nil {
		extra := m.gauges()
		names := make([]string, 0, len(extra))
		for n := range extra {
			if validMetricName(n) {
				names = append(names, n)
			}
		}
		sort.Strings(names)
		for _, n := range names {
			typ := "gauge"
			if strings.HasSuffix(n, "_total") {
				typ = "counter"
			}
			p.header(n, typ, "")
			p.sample(n, nil, extra[n])
		}
	}
}

// validMetricName checks the Prometheus metric name syntax.
func validMetricName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

type promWriter struct{ b *bytes.Buffer }

func (p promWriter) header(name, typ, help string) {
	if help != "" {
		p.b.WriteString("# HELP " + name + " " + help + "\n")
	}
	p.b.WriteString("# TYPE " + name + " " + typ + "\n")
}

// sample writes one sample; labels alternate names and values.
func (p promWriter) sample(name string, labels []string, v float64) {
	p.b.WriteString(name)
	if len(labels) > 0 {
		p.b.WriteByte('{')
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				p.b.WriteByte(',')
			}
			p.b.WriteString(labels[i] + `="` + escapeLabel(labels[i+1]) + `"`)
		}
		p.b.WriteByte('}')
	}
	p.b.WriteByte(' ')
	p.b.WriteString(formatFloat(v))
	p.b.WriteByte('\n')
}

func (p promWriter) histograms(name, help string, hs map[string]*histogram) {
	p.header(name, "histogram", help)
	eps := make([]string, 0, len(hs))
	for e := range hs {
		eps = append(eps, e)
	}
	sort.Strings(eps)
	for _, e := range eps {
		h := hs[e]
		var cum uint64
		for i, bound := range latencyBuckets {
			cum += h.counts[i]
			p.sample(name+"_bucket", []string{"endpoint", e, "le", formatFloat(bound)}, float64(cum))
		}
		p.sample(name+"_bucket", []string{"endpoint", e, "le", "+Inf"}, float64(h.n))
		p.sample(name+"_sum", []string{"endpoint", e}, h.sum)
		p.sample(name+"_count", []string{"endpoint", e}, float64(h.n))
	}
}

func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
