package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/render"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/embedded"
)

// t0 is the start of the generated traffic: a Monday, 09:00 UTC. The data
// spans four hours.
var t0 = time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)

const span = 4 * time.Hour

// richFormat has the v3-v5 fields (subnet-id, instance-id, pkt-*, ...).
const richFormat = "${version} ${account-id} ${interface-id} ${srcaddr} ${dstaddr} ${srcport} ${dstport} ${protocol} " +
	"${packets} ${bytes} ${start} ${end} ${action} ${log-status} ${vpc-id} ${subnet-id} ${instance-id} ${tcp-flags} " +
	"${type} ${pkt-srcaddr} ${pkt-dstaddr} ${region} ${az-id} ${flow-direction}"

const (
	fixtureRecords = 20_000
	fixtureObjects = 4
)

type fixture struct {
	store *embedded.Store
	recs  []flowlog.Record
}

var (
	fixtureOnce sync.Once
	fixtureVal  *fixture
	fixtureErr  error
	fixtureDir  string
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureVal != nil {
		fixtureVal.store.Close()
	}
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// getFixture generates 20,000 records over four hours and ingests them as
// four objects into an embedded store; built once per test binary.
func getFixture(t testing.TB) *fixture {
	t.Helper()
	fixtureOnce.Do(func() {
		if fixtureDir, fixtureErr = os.MkdirTemp("", "flowlens-server-"); fixtureErr == nil {
			fixtureVal, fixtureErr = buildFixture(fixtureDir)
		}
	})
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureVal
}

func buildFixture(dir string) (*fixture, error) {
	gcfg := generate.DefaultConfiguration()
	gcfg.Seed, gcfg.Records, gcfg.Start, gcfg.Duration = 11, fixtureRecords, t0, span
	format, err := parse.ParseFormat(richFormat)
	if err != nil {
		return nil, err
	}
	gcfg.Format = format
	g, err := generate.New(gcfg)
	if err != nil {
		return nil, err
	}
	var recs []flowlog.Record
	var r flowlog.Record
	for g.Next(&r) {
		recs = append(recs, r)
		r = flowlog.Record{}
	}
	cfg := embedded.DefaultConfiguration()
	cfg.Dir, cfg.Fsync, cfg.Threads = dir, false, 2
	cfg.Plan = store.PlanConfig{MaxScanRows: 3000} // rollups answer most queries
	s, err := embedded.Open(cfg)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	w, err := s.Writer(ctx)
	if err != nil {
		return nil, err
	}
	per := len(recs) / fixtureObjects
	for o := 0; o < fixtureObjects; o++ {
		lo, hi := o*per, min((o+1)*per, len(recs))
		a, _, err := w.Begin(ctx, store.SourceID{Name: fmt.Sprintf("gen-%d.log", o), Size: int64(hi - lo), ModTime: t0})
		if err != nil {
			return nil, err
		}
		if err := a.Append(recs[lo:hi]); err != nil {
			return nil, err
		}
		if err := a.Commit(); err != nil {
			return nil, err
		}
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return &fixture{store: s, recs: recs}, nil
}

// count returns the number of records with start in [from, to) matching
// pred.
func (f *fixture) count(from, to time.Time, pred func(*flowlog.Record) bool) int {
	n := 0
	for i := range f.recs {
		r := &f.recs[i]
		if !r.Has(flowlog.FieldStart) || r.Start < from.Unix() || r.Start >= to.Unix() {
			continue
		}
		if pred == nil || pred(r) {
			n++
		}
	}
	return n
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testDeps returns dependencies over the fixture, the clock at the end of
// the data and the log in logs.
func testDeps(t *testing.T, logs io.Writer) Dependencies {
	f := getFixture(t)
	if logs == nil {
		logs = io.Discard
	}
	return Dependencies{
		Store:   f.store,
		Logger:  slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Version: "v0.0.0-test",
		Now:     func() time.Time { return t0.Add(span) },
		Gauges:  EmbeddedGauges(f.store),
	}
}

// newServer builds a server over the fixture; edit adjusts the
// configuration and dependencies.
func newServer(t *testing.T, edit func(*Configuration, *Dependencies)) *Server {
	t.Helper()
	cfg := DefaultConfiguration()
	deps := testDeps(t, nil)
	if edit != nil {
		edit(&cfg, &deps)
	}
	s, err := New(cfg, deps)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop() })
	return s
}

// response is a decoded API answer.
type response struct {
	code   int
	header http.Header
	body   []byte
	env    Envelope
	data   json.RawMessage
}

// do sends a request to h (Host localhost) and decodes the envelope of
// JSON answers.
func do(t *testing.T, h http.Handler, method, target string, body io.Reader, hdr ...string) *response {
	t.Helper()
	req := newRequest(method, target, body)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	return serve(t, h, req)
}

// newRequest returns a request for the handler, Host localhost.
func newRequest(method, target string, body io.Reader) *http.Request {
	req := httptest.NewRequest(method, target, body)
	req.Host = "localhost:8080"
	return req
}

// serve runs req through h and decodes the answer.
func serve(t *testing.T, h http.Handler, req *http.Request) *response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return decode(t, rec.Code, rec.Header(), rec.Body.Bytes())
}

func decode(t *testing.T, code int, h http.Header, body []byte) *response {
	t.Helper()
	r := &response{code: code, header: h, body: body}
	if strings.HasPrefix(h.Get("Content-Type"), "application/json") && h.Get("Content-Disposition") == "" {
		var raw struct {
			Envelope
			Data json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			t.Fatalf("%d answer is not JSON: %v\n%s", code, err, body)
		}
		r.env, r.data = raw.Envelope, raw.Data
	}
	return r
}

// get sends a GET and requires a success envelope.
func get(t *testing.T, h http.Handler, target string) *response {
	t.Helper()
	r := do(t, h, http.MethodGet, target, nil)
	if r.code != http.StatusOK || r.env.Status != StatusSuccess {
		t.Fatalf("GET %s: %d %s: %s", target, r.code, r.env.Status, r.body)
	}
	return r
}

// into decodes the data of r into v.
func (r *response) into(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.data, v); err != nil {
		t.Fatalf("data: %v\n%s", err, r.data)
	}
}

// tablesData is Tables as a client decodes it.
type tablesData struct {
	Tables []struct {
		Name    string           `json:"name"`
		Title   string           `json:"title"`
		Columns []Column         `json:"columns"`
		Rows    []map[string]any `json:"rows"`
	} `json:"tables"`
	Range         *Range          `json:"range"`
	Plan          string          `json:"plan"`
	Total         json.RawMessage `json:"total"`
	Bucket        string          `json:"bucket"`
	BucketSeconds int64           `json:"bucket_seconds"`
	Covered       *Range          `json:"covered"`
	Report        *ReportInfo     `json:"report"`
	Page          *Page           `json:"page"`
}

// wantTables checks that the tables of a response are the given ones, as
// the CLI's json output writes them.
func wantTables(t *testing.T, r *response, want []*render.Table) tablesData {
	t.Helper()
	var got tablesData
	r.into(t, &got)
	if len(got.Tables) != len(want) {
		t.Fatalf("%d tables, want %d", len(got.Tables), len(want))
	}
	for i, w := range want {
		var buf bytes.Buffer
		if err := render.Render(&buf, w, render.FormatJSON); err != nil {
			t.Fatal(err)
		}
		var rows []map[string]any
		if err := json.Unmarshal(buf.Bytes(), &rows); err != nil {
			t.Fatal(err)
		}
		g := got.Tables[i]
		if g.Name != w.Name || g.Title != w.Title || len(g.Columns) != len(w.Columns) {
			t.Errorf("table %d: %s %q with %d columns, want %s %q with %d", i, g.Name, g.Title, len(g.Columns), w.Name, w.Title, len(w.Columns))
		}
		for j, c := range w.Columns {
			if j < len(g.Columns) && (g.Columns[j].Name != c.Name || g.Columns[j].Kind != KindName(c.Kind)) {
				t.Errorf("table %s column %d: %+v, want %s (%s)", w.Name, j, g.Columns[j], c.Name, KindName(c.Kind))
			}
		}
		if len(g.Rows) == 0 && len(rows) == 0 {
			continue
		}
		if !reflect.DeepEqual(g.Rows, rows) {
			t.Errorf("table %s rows differ:\n got %v\nwant %v", w.Name, g.Rows, rows)
		}
	}
	return got
}
