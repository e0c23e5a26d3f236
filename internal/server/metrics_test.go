package server

import (
	"bufio"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// scrape reads /metrics into sample → value, checking the line syntax.
func scrape(t *testing.T, do func(string) *response) map[string]float64 {
	t.Helper()
	r := do("/metrics")
	if r.code != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("/metrics: %d %v", r.code, r.header)
	}
	line := regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-z_]+="[^"\\]*"(,[a-z_]+="[^"\\]*")*\})?) (\S+)$`)
	out := map[string]float64{}
	typed := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(string(r.body)))
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "# TYPE ") {
			f := strings.Fields(l)
			if len(f) != 4 || typed[f[2]] {
				t.Errorf("bad or repeated TYPE line %q", l)
			}
			typed[f[2]] = true
			continue
		}
		if strings.HasPrefix(l, "# HELP ") {
			continue
		}
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("bad sample line %q", l)
			continue
		}
		v, err := strconv.ParseFloat(m[4], 64)
		if err != nil {
			t.Errorf("bad value in %q", l)
		}
		if _, dup := out[m[1]]; dup {
			t.Errorf("sample %s twice", m[1])
		}
		out[m[1]] = v
	}
	return out
}

func TestMetrics(t *testing.T) {
	const token = "metrics-token-0123456789"
	h := newServer(t, func(c *Configuration, _ *Dependencies) { c.Token = token }).Handler()
	auth := []string{"Authorization", "Bearer " + token}
	get := func(path string) *response { return do(t, h, "GET", path, nil, auth...) }
	before := scrape(t, get)
	for i := 0; i < 3; i++ {
		get("/api/v1/top?by=dst&limit=2")
	}
	get("/api/v1/top?by=nothing")
	get("/api/v1/reports/top-talkers?limit=1")
	get("/api/v1/reports/nope")
	get("/api/v1/no-such-endpoint")
	do(t, h, "GET", "/api/v1/status", nil) // no token
	after := scrape(t, get)

	f := func(sample string, delta float64) {
		t.Helper()
		if d := after[sample] - before[sample]; d != delta {
			t.Errorf("%s moved by %v, want %v", sample, d, delta)
		}
	}
	f(`flowlens_http_requests_total{endpoint="/api/v1/top",code="200"}`, 3)
	f(`flowlens_http_requests_total{endpoint="/api/v1/top",code="400"}`, 1)
	f(`flowlens_http_requests_total{endpoint="/api/v1/reports/{name}",code="200"}`, 1)
	f(`flowlens_http_requests_total{endpoint="/api/v1/reports/{name}",code="404"}`, 1)
	f(`flowlens_http_requests_total{endpoint="/api/other",code="404"}`, 1)
	f(`flowlens_http_requests_total{endpoint="/api/v1/status",code="401"}`, 1)
	f(`flowlens_http_requests_total{endpoint="/metrics",code="200"}`, 1)
	f(`flowlens_http_request_duration_seconds_count{endpoint="/api/v1/top"}`, 4)
	f(`flowlens_http_request_duration_seconds_bucket{endpoint="/api/v1/top",le="+Inf"}`, 4)
	f(`flowlens_http_auth_failures_total`, 1)
	// Each top query makes two store queries (the total and the ranking).
	f(`flowlens_store_queries_total{endpoint="/api/v1/top",result="ok"}`, 6)
	f(`flowlens_store_query_duration_seconds_count{endpoint="/api/v1/top"}`, 6)
	if after[`flowlens_http_request_duration_seconds_sum{endpoint="/api/v1/top"}`] <= 0 {
		t.Error("no latency summed")
	}
	// Buckets are cumulative.
	prev := 0.0
	for _, le := range []string{"0.005", "0.05", "0.5", "5", "60", "+Inf"} {
		v := after[`flowlens_http_request_duration_seconds_bucket{endpoint="/api/v1/top",le="`+le+`"}`]
		if v < prev {
			t.Errorf("bucket le=%s: %v below the previous %v", le, v, prev)
		}
		prev = v
	}
	// The scrape itself is in flight.
	if after["flowlens_http_requests_in_flight"] != 1 {
		t.Errorf("in flight during a scrape: %v", after["flowlens_http_requests_in_flight"])
	}
	if after[`flowlens_build_info{version="v0.0.0-test"}`] != 1 {
		t.Error("no build info")
	}
	// The store's counters (the fixture's ingest).
	if after["flowlens_store_records_appended_total"] != fixtureRecords || after["flowlens_store_objects_committed_total"] != fixtureObjects {
		t.Errorf("store counters: %v records, %v objects", after["flowlens_store_records_appended_total"], after["flowlens_store_objects_committed_total"])
	}
	if after["flowlens_store_engine_queries_total"] <= before["flowlens_store_engine_queries_total"] {
		t.Error("the store's query counter did not move")
	}
}

func TestExtraGaugeNames(t *testing.T) {
	h := newServer(t, func(_ *Configuration, d *Dependencies) {
		d.Gauges = func() map[string]float64 {
			return map[string]float64{"flowlens_ok": 2, "bad name": 1, "9bad": 1, "flowlens_done_total": 5}
		}
	}).Handler()
	m := scrape(t, func(p string) *response { return do(t, h, "GET", p, nil) })
	if m["flowlens_ok"] != 2 || m["flowlens_done_total"] != 5 {
		t.Errorf("extra gauges: %v %v", m["flowlens_ok"], m["flowlens_done_total"])
	}
	for k := range m {
		if strings.Contains(k, "bad") {
			t.Errorf("invalid name %q written", k)
		}
	}
}
