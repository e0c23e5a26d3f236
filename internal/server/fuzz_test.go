package server

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzAPI sends arbitrary query strings to every endpoint: the answer is
// always one envelope (or a download), never a 500 from a healthy store,
// and an error always says what is wrong.
func FuzzAPI(f *testing.F) {
	paths := []string{"summary", "top", "breakdown", "timeseries", "heatmap", "rejected",
		"reports", "reports/top-talkers", "reports/traffic-from-source", "graph", "flows", "sources", "status"}
	seeds := []string{"", "since=1h", "from=2026-01-05&to=2026-01-05T11:00:00Z", "where=dstport%3D22%7C443,action%3DREJECT",
		"pattern=%5B...%2C%20action%3DREJECT%2C%20status%5D", "limit=3&by=pair&metric=packets", "bucket=7m",
		"group=cidr:/16&top_k=5", "format=csv&limit=2", "srcaddr=10.0.0.0/8", "where=srcaddr%3E3", "%zz", "limit=1e3",
		"pattern=%7B%24.x%3D1%7D", "pattern=%5Ba%3D%25%5Cd%2B%25%5D"}
	for i, p := range paths {
		f.Add(p, seeds[i%len(seeds)])
	}
	for _, s := range seeds {
		f.Add("top", s)
	}
	s, err := New(DefaultConfiguration(), Dependencies{Store: getFixture(f).store})
	if err != nil {
		f.Fatal(err)
	}
	h := s.Handler()
	f.Fuzz(func(t *testing.T, path, query string) {
		if strings.ContainsAny(path+query, " \r\n#") {
			return
		}
		req, err := http.NewRequest("GET", "http://localhost/api/v1/"+path+"?"+query, nil)
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s?%s: %d %s", path, query, rec.Code, rec.Body)
		}
		if rec.Header().Get("Content-Disposition") != "" {
			return
		}
		var env Envelope
		if err := json.Unmarshal(rec.Body.Bytes(), &env); err != nil {
			t.Fatalf("%s?%s: not an envelope: %v\n%s", path, query, err, rec.Body)
		}
		if (rec.Code == 200) != (env.Status == StatusSuccess) || rec.Code != 200 && (env.Error == "" || env.ErrorType == "") {
			t.Fatalf("%s?%s: %d with %+v", path, query, rec.Code, env)
		}
	})
}
