package webui

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/flowlens/flowlens/internal/enrich"
	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/generate"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/server"
	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/embedded"
)

// demo is a server over generated demo data, with the built UI.
type demo struct {
	url   string
	store *embedded.Store
	inv   *generate.Inventory
	n     int64
}

// startDemo generates n records like `flowlens demo`, stores them and
// serves them with the UI on a random loopback port.
func startDemo(t *testing.T, n int64) *demo {
	t.Helper()
	app, err := App()
	if err != nil {
		requireUI(t, err)
	}
	cfg := generate.DefaultConfiguration()
	cfg.Seed, cfg.Records, cfg.Duration = 42, n, 6*time.Hour
	if cfg.Format, err = parse.ParseFormat(generate.DemoFormat); err != nil {
		t.Fatal(err)
	}
	gen, err := generate.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	scfg := embedded.DefaultConfiguration()
	scfg.Dir, scfg.Fsync = t.TempDir(), false
	st, err := embedded.Open(scfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ctx := context.Background()
	w, err := st.Writer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ap, _, err := w.Begin(ctx, store.SourceID{Name: "demo", Size: n, ModTime: cfg.Start})
	if err != nil {
		t.Fatal(err)
	}
	batch := make([]flowlog.Record, 0, 4096)
	var r flowlog.Record
	for gen.Next(&r) {
		batch = append(batch, r)
		r = flowlog.Record{}
		if len(batch) == cap(batch) {
			if err := ap.Append(batch); err != nil {
				t.Fatal(err)
			}
			batch = batch[:0]
		}
	}
	if err := ap.Append(batch); err != nil {
		t.Fatal(err)
	}
	if err := ap.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	inv := gen.Inventory()
	aliases, err := enrich.FromInventory(inv)
	if err != nil {
		t.Fatal(err)
	}
	subnets, err := enrich.SubnetsFromInventory(inv)
	if err != nil {
		t.Fatal(err)
	}
	scf := server.DefaultConfiguration()
	scf.Listen = "127.0.0.1:0"
	srv, err := server.New(scf, server.Dependencies{Store: st, UI: app, Aliases: aliases, Subnets: subnets, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(context.Background())
	if err := srv.Start(sctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); srv.Stop() })
	return &demo{url: "http://" + srv.Addr() + "/", store: st, inv: inv, n: n}
}

// requireUI fails in CI and skips elsewhere when the UI is not built.
func requireUI(t *testing.T, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%v (make test builds it first)", err)
	}
	t.Skip(err)
}

// chromiumPath finds Debian's chromium ($FLOWLENS_CHROMIUM overrides); a
// missing browser fails in CI and skips elsewhere.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("FLOWLENS_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no chromium: .ci/run installs Debian's chromium (apt-get install chromium)")
	}
	t.Skip("no chromium on this machine (apt-get install chromium)")
	return ""
}

// browser is a headless chromium tab that records console errors.
type browser struct {
	ctx    context.Context
	errors chan string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Flag("headless", true), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true), chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1440, 900),
		chromedp.Flag("no-default-browser-check", true), chromedp.Flag("hide-scrollbars", true),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	ctx, cancelC := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelC(); cancelB(); cancelA() })
	b := &browser{ctx: ctx, errors: make(chan string, 100)}
	chromedp.ListenTarget(ctx, func(ev any) {
		var msg string
		switch ev := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if ev.Type == runtime.APITypeError || ev.Type == runtime.APITypeAssert {
				msg = "console." + string(ev.Type) + ":"
				for _, a := range ev.Args {
					msg += " " + string(a.Value) + a.Description
				}
			}
		case *runtime.EventExceptionThrown:
			msg = "exception: " + ev.ExceptionDetails.Text
			if ev.ExceptionDetails.Exception != nil {
				msg += " " + ev.ExceptionDetails.Exception.Description
			}
		case *log.EventEntryAdded:
			if ev.Entry.Level == log.LevelError {
				msg = fmt.Sprintf("log %s: %s %s", ev.Entry.Source, ev.Entry.Text, ev.Entry.URL)
			}
		}
		if msg != "" {
			select {
			case b.errors <- msg:
			default:
			}
		}
	})
	if err := chromedp.Run(ctx, log.Enable()); err != nil {
		t.Fatalf("starting chromium: %v", err)
	}
	return b
}

// run runs actions, failing the test with what.
func (b *browser) run(t *testing.T, what string, actions ...chromedp.Action) {
	t.Helper()
	if err := chromedp.Run(b.ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// noErrors fails the test on any console error or exception so far.
func (b *browser) noErrors(t *testing.T) {
	t.Helper()
	for {
		select {
		case m := <-b.errors:
			t.Errorf("browser: %s", m)
		default:
			return
		}
	}
}

// screenshot saves the page under test-artifacts/ at the repository root.
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	var png []byte
	b.run(t, "screenshot "+name, chromedp.FullScreenshot(&png, 100))
	dir := artifacts(t)
	path := filepath.Join(dir, name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}

// artifacts returns the test-artifacts directory ($FLOWLENS_ARTIFACTS or
// test-artifacts/ at the repository root).
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("FLOWLENS_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("..", "..", "test-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}
