package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestListenSafety(t *testing.T) {
	const token = "0123456789abcdef-token"
	f := func(listen, tok string, insecure bool, wantErr ...string) {
		t.Helper()
		cfg := DefaultConfiguration()
		cfg.Listen, cfg.Token, cfg.Insecure = listen, tok, insecure
		_, err := New(cfg, Dependencies{})
		if len(wantErr) == 0 {
			if err != nil {
				t.Errorf("%s token=%q insecure=%v: %v", listen, tok, insecure, err)
			}
			return
		}
		if err == nil {
			t.Errorf("%s token=%q insecure=%v: accepted", listen, tok, insecure)
			return
		}
		for _, w := range wantErr {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: error %q does not say %q", listen, err, w)
			}
		}
	}
	f("127.0.0.1:8080", "", false)
	f("localhost:0", "", false)
	f("[::1]:0", "", false)
	f("127.0.0.2:0", "", false)
	f("", "", false) // the default address
	f("0.0.0.0:8080", "", false, "not a loopback address", "--token", "--insecure")
	f(":8080", "", false, "not a loopback address")
	f("[::]:8080", "", false, "--token")
	f("192.168.1.10:8080", "", false, "--token")
	f("flowlens.example:8080", "", false, "--token")
	f("0.0.0.0:8080", token, false)
	f("0.0.0.0:8080", "", true)
	f("127.0.0.1", "", false, "host:port")
	f("127.0.0.1:0", "short", false, "at least 16")
	f("127.0.0.1:0", "has a space in it ok", false, "printable ASCII")

	cfg := DefaultConfiguration()
	cfg.WriteTimeout = time.Second
	if _, err := New(cfg, Dependencies{}); err == nil || !strings.Contains(err.Error(), "must exceed the query timeout") {
		t.Errorf("write timeout below the query timeout: %v", err)
	}
	tok, err := GenerateToken()
	if err != nil || len(tok) < 40 || checkToken(tok) != nil {
		t.Errorf("generated token %q: %v", tok, err)
	}
	if tok2, _ := GenerateToken(); tok2 == tok {
		t.Error("two generated tokens are equal")
	}
}

// start starts s on 127.0.0.1:0 and returns its base URL.
func start(t *testing.T, s *Server) string {
	t.Helper()
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Stop(); err != nil {
			t.Error(err)
		}
	})
	return "http://" + s.Addr()
}

// fetch sends a real request.
func fetch(t *testing.T, method, url string, hdr ...string) *response {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return decode(t, resp.StatusCode, resp.Header, body)
}

func TestToken(t *testing.T) {
	const token = "s3cr3t-T0KEN-never-logged"
	logs := &syncBuffer{}
	s := newServer(t, func(c *Configuration, d *Dependencies) {
		c.Listen, c.Token = "127.0.0.1:0", token
		d.Logger = testDeps(t, logs).Logger
		d.UI = fstest.MapFS{"index.html": {Data: []byte("<html>flowlens</html>")}}
	})
	base := start(t, s)
	f := func(path string, want int, hdr ...string) {
		t.Helper()
		r := fetch(t, "GET", base+path, hdr...)
		if r.code != want {
			t.Errorf("%s %v: %d, want %d: %s", path, hdr, r.code, want, r.body)
		}
		if want == http.StatusUnauthorized && (r.env.ErrorType != "unauthorized" || r.header.Get("WWW-Authenticate") == "") {
			t.Errorf("%s: 401 without its envelope or WWW-Authenticate: %v %s", path, r.header, r.body)
		}
	}
	f("/api/v1/status", 401)
	f("/api/v1/status", 401, "Authorization", "Bearer wrong-token-of-some-length")
	f("/api/v1/status", 401, "Authorization", "Bearer "+token+"x")
	f("/api/v1/status", 401, "Authorization", "Basic "+token)
	f("/api/v1/status?token=nope", 401)
	f("/api/v1/nope", 401) // no endpoint list for strangers
	f("/metrics", 401)
	f("/api/v1/status", 200, "Authorization", "Bearer "+token)
	f("/api/v1/status", 200, "Authorization", "bearer "+token)
	f("/api/v1/top?limit=3&token="+token, 200)
	f("/metrics?token="+token, 200)
	f("/api/v1/flows?format=csv&limit=2&token="+token, 200)
	f("/", 200) // the UI's assets need no token
	// The token is required whatever the Host (no DNS rebinding check).
	f("/api/v1/status", 200, "Authorization", "Bearer "+token, "Host", "flowlens.example")

	var st Status
	r := fetch(t, "GET", base+"/api/v1/status?token="+token)
	r.into(t, &st)
	if !st.Auth {
		t.Error("status does not say a token is required")
	}
	log := logs.String()
	if strings.Contains(log, token) || strings.Contains(log, "token=") {
		t.Errorf("the token is in the logs:\n%s", log)
	}
	if !strings.Contains(log, `"path":"/api/v1/status"`) || !strings.Contains(log, `"status":401`) {
		t.Errorf("the access log lacks requests:\n%s", log)
	}
}

func TestHostCheck(t *testing.T) {
	s := newServer(t, func(c *Configuration, _ *Dependencies) {
		c.Listen, c.AllowedHosts = "127.0.0.1:0", []string{"flowlens.internal"}
	})
	base := start(t, s)
	port := s.Addr()[strings.LastIndexByte(s.Addr(), ':'):]
	f := func(host string, want int) {
		t.Helper()
		r := fetch(t, "GET", base+"/api/v1/status", "Host", host)
		if r.code != want {
			t.Errorf("Host %s: %d, want %d: %s", host, r.code, want, r.body)
		}
	}
	f("evil.example"+port, http.StatusForbidden)
	f("127.0.0.1.nip.io"+port, http.StatusForbidden)
	f("localhost"+port, 200)
	f("127.0.0.1"+port, 200)
	f("[::1]"+port, 200)
	f("app.localhost"+port, 200)
	f("FLOWLENS.internal"+port, 200)
}

func TestInsecureAndStop(t *testing.T) {
	s := newServer(t, func(c *Configuration, _ *Dependencies) { c.Listen, c.Insecure = "0.0.0.0:0", true })
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(s.Addr())
	base := "http://127.0.0.1:" + port
	// Not loopback: no Host check (the user chose to expose the server).
	if r := fetch(t, "GET", base+"/api/v1/status", "Host", "flowlens.example"); r.code != 200 {
		t.Fatalf("insecure server: %d %s", r.code, r.body)
	}
	if err := s.Start(context.Background()); err == nil {
		t.Error("a second Start succeeded")
	}
	if err := s.Stop(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Done():
	default:
		t.Error("Done is not closed after Stop")
	}
	if _, err := http.Get(base + "/api/v1/status"); err == nil {
		t.Error("the server still answers after Stop")
	}
	// A busy address is a clear error.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	busy := newServer(t, func(c *Configuration, _ *Dependencies) { c.Listen = ln.Addr().String() })
	if err := busy.Start(context.Background()); err == nil || !strings.Contains(err.Error(), "cannot listen") {
		t.Errorf("busy address: %v", err)
	}
}

func TestUI(t *testing.T) {
	h := newServer(t, func(_ *Configuration, d *Dependencies) {
		d.UI = fstest.MapFS{"index.html": {Data: []byte("<html>flowlens</html>")}, "app.js": {Data: []byte("let x = 1")}}
	}).Handler()
	r := do(t, h, "GET", "/", nil)
	if r.code != 200 || !strings.Contains(string(r.body), "flowlens") || r.header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("UI index: %d %v %s", r.code, r.header, r.body)
	}
	if r := do(t, h, "GET", "/app.js", nil); r.code != 200 || string(r.body) != "let x = 1" {
		t.Errorf("UI asset: %d %s", r.code, r.body)
	}
	// Without a UI, / says where the API is.
	h = newServer(t, nil).Handler()
	if r := do(t, h, "GET", "/", nil); r.code != 200 || !strings.Contains(string(r.body), "/api/v1/") {
		t.Errorf("no UI: %d %s", r.code, r.body)
	}
	if r := do(t, h, "GET", "/favicon.ico", nil); r.code != 404 {
		t.Errorf("unknown path without a UI: %d", r.code)
	}
}
