package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
)

// collector is a Handler that records what it receives, by object.
type collector struct {
	workers int
	mu      sync.Mutex
	ports   map[string][]uint16 // object name → srcports, in arrival order
	bad     error
}

func newCollector(workers int) *collector {
	return &collector{workers: workers, ports: make(map[string][]uint16)}
}

func (c *collector) handle(w int, o *Object, batch []flowlog.Record) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if w < 0 || w >= c.workers {
		c.bad = errors.New("worker index out of range")
	}
	for i := range batch {
		c.ports[o.Name] = append(c.ports[o.Name], batch[i].SrcPort)
	}
	return nil
}

// check verifies that object name delivered the srcports first..first+n-1,
// each once.
func (c *collector) check(t *testing.T, name string, first, n int) {
	t.Helper()
	got := c.ports[name]
	seen := make(map[uint16]int, len(got))
	for _, p := range got {
		seen[p]++
	}
	for i := range n {
		if k := seen[uint16(first+i)]; k != 1 {
			t.Errorf("%s: srcport %d delivered %d times", name, first+i, k)
			return
		}
	}
	if len(got) != n {
		t.Errorf("%s: %d records delivered, want %d", name, len(got), n)
	}
}

func listed(t *testing.T, cfg Configuration, paths ...string) []Object {
	t.Helper()
	objs, _, err := List(cfg, paths)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestScanObjects(t *testing.T) {
	root := t.TempDir()
	type obj struct {
		name     string
		data     []byte
		first, n int
		kind     Kind
	}
	objs := []obj{
		{"a.log", flowText(0, 300), 0, 300, KindText},
		{"b.log.gz", gzipped(t, flowText(3000, 5000)), 3000, 5000, KindText},
		{"c.log.zst", zstded(t, flowText(8000, 100)), 8000, 100, KindText},
		{"d.log.gz", append(gzipped(t, flowText(8100, 10)), gzipped(t, flowText(8110, 20))...), 8100, 30, KindText},
		{"e.log.parquet", parquetObject(t, 8200, 2500), 8200, 2500, KindParquet},
		{"f.log.parquet.gz", gzipped(t, parquetObject(t, 10700, 10)), 10700, 10, KindParquet},
	}
	var paths []string
	for _, o := range objs {
		paths = append(paths, touch(t, root, o.name, o.data))
	}
	for _, workers := range []int{1, 2, 8} {
		cfg := DefaultConfiguration()
		cfg.Workers = workers
		list := listed(t, cfg, paths...)
		if chunked(list, workers) != (workers == 8) {
			t.Fatalf("workers %d: the test does not take the intended path", workers)
		}
		c := newCollector(workers)
		res, err := Scan(context.Background(), cfg, list, parse.DefaultConfig(), c.handle)
		if err != nil || c.bad != nil {
			t.Fatalf("workers %d: %v %v", workers, err, c.bad)
		}
		total := 0
		for i, o := range objs {
			c.check(t, paths[i], o.first, o.n)
			r := res.Objects[i]
			if r.Object != &list[i] || r.Kind != o.kind || list[i].Kind != o.kind || r.Err != nil || r.Stats.Records != int64(o.n) {
				t.Errorf("workers %d: %s: result %+v", workers, o.name, r)
			}
			if r.CompressedBytes != int64(len(o.data)) {
				t.Errorf("workers %d: %s: %d compressed bytes, want %d", workers, o.name, r.CompressedBytes, len(o.data))
			}
			total += o.n
		}
		if res.Total.Records != int64(total) || res.Failed != 0 {
			t.Errorf("workers %d: total %d records, %d failed", workers, res.Total.Records, res.Failed)
		}
	}
}

// TestScanOneLargeObject takes the chunked path: fewer objects than workers.
func TestScanOneLargeObject(t *testing.T) {
	root := t.TempDir()
	text := flowText(0, 60000)
	text = append(text, "2 123456789012 eni-1 10.0.0.1 not-an-ip 1 2 6 1 1 1 2 ACCEPT OK\n"...)
	for _, data := range [][]byte{text, gzipped(t, text)} {
		p := touch(t, root, "big.log", data)
		cfg := DefaultConfiguration()
		cfg.Workers = 2
		c := newCollector(2)
		pcfg := parse.DefaultConfig()
		pcfg.ChunkBytes = 64 << 10
		res, err := Scan(context.Background(), cfg, listed(t, cfg, p), pcfg, c.handle)
		if err != nil || c.bad != nil {
			t.Fatal(err, c.bad)
		}
		c.check(t, p, 0, 60000)
		st := res.Total
		if st.Malformed[parse.ReasonAddress] != 1 || len(st.Errors) != 1 || st.Errors[0].Source != p || st.Errors[0].Line != 60002 {
			t.Errorf("malformed line: %+v", st)
		}
		if st.Bytes != int64(len(text)) || res.CompressedBytes != int64(len(data)) {
			t.Errorf("bytes: %d decompressed, %d compressed", st.Bytes, res.CompressedBytes)
		}
	}
}

func TestChunked(t *testing.T) {
	f := func(workers int, sizes []int64, want bool) {
		t.Helper()
		objs := make([]Object, len(sizes))
		for i, s := range sizes {
			objs[i].Size = s
		}
		if got := chunked(objs, workers); got != want {
			t.Errorf("chunked(%d workers, %v) = %v, want %v", workers, sizes, got, want)
		}
	}
	f(1, []int64{100}, false)
	f(2, []int64{100}, true)
	f(2, []int64{-1}, true) // stdin
	f(2, []int64{100, 100}, false)
	f(2, []int64{1000, 10, 10}, true)                          // one object dominates
	f(2, []int64{1000, 10, 10, 10, 10, 10, 10, 10, 10}, false) // too many small ones
	f(4, []int64{10, 10, 10, 10}, false)
}

func TestScanCorruptObjects(t *testing.T) {
	root := t.TempDir()
	gz := gzipped(t, flowText(0, 20000))
	crc := bytes.Clone(gz)
	crc[len(crc)-6] ^= 0xff
	paths := []string{
		touch(t, root, "good.log.gz", gzipped(t, flowText(30000, 100))),
		touch(t, root, "truncated.log.gz", gz[:len(gz)/2]),
		touch(t, root, "bad-crc.log.gz", crc),
		touch(t, root, "bad-header.log.gz", []byte("\x1f\x8b\x09garbage")),
		touch(t, root, "bad.log.parquet", []byte("PAR1 not really PAR1")),
		touch(t, root, "gone.log", flowText(0, 1)),
	}
	var extra []string
	for i := range 4 {
		extra = append(extra, touch(t, root, fmt.Sprintf("more%d.log.gz", i), gz))
	}
	for _, workers := range []int{2, 8} { // objects in parallel, then one by one in chunks
		cfg := DefaultConfiguration()
		cfg.Workers = workers
		touch(t, root, "gone.log", flowText(0, 1))
		in := paths
		if workers == 2 {
			in = append(in, extra...) // enough objects for whole-object parallelism
		}
		objs := listed(t, cfg, in...)
		if chunked(objs, workers) != (workers == 8) {
			t.Fatalf("workers %d: the test does not take the intended path", workers)
		}
		if workers == 2 {
			os.Remove(paths[5]) // vanishes between List and Scan
		}
		c := newCollector(workers)
		res, err := Scan(context.Background(), cfg, objs, parse.DefaultConfig(), c.handle)
		if err != nil {
			t.Fatalf("workers %d: a corrupt object stopped the scan: %v", workers, err)
		}
		f := func(i int, want string) {
			t.Helper()
			r := res.Objects[i]
			if want == "" {
				if r.Err != nil {
					t.Errorf("workers %d: %s: unexpected error %v", workers, paths[i], r.Err)
				}
				return
			}
			if r.Err == nil || !strings.Contains(r.Err.Error(), paths[i]) || !strings.Contains(r.Err.Error(), want) {
				t.Errorf("workers %d: %s: error %v, want one naming it and containing %q", workers, paths[i], r.Err, want)
			}
			if int64(len(c.ports[paths[i]])) != r.Stats.Records {
				t.Errorf("workers %d: %s: %d records delivered, stats say %d", workers, paths[i], len(c.ports[paths[i]]), r.Stats.Records)
			}
		}
		f(0, "")
		c.check(t, paths[0], 30000, 100)
		f(1, "gzip data is truncated")
		if n := res.Objects[1].Stats.Records; n == 0 || n >= 20000 {
			t.Errorf("workers %d: truncated object: %d records kept, want some", workers, n)
		}
		f(2, "invalid checksum")
		c.check(t, paths[2], 0, 20000) // all data came before the trailer
		f(3, "corrupt gzip data")
		f(4, "corrupt Parquet file")
		wantFailed := 4
		if workers == 2 {
			f(5, "no such file")
			wantFailed = 5
			for i := range extra {
				c.check(t, extra[i], 0, 20000)
			}
		}
		if res.Failed != wantFailed || len(res.Errors()) != wantFailed {
			t.Errorf("workers %d: %d failed, want %d", workers, res.Failed, wantFailed)
		}
	}
}

func TestScanStops(t *testing.T) {
	root := t.TempDir()
	var paths []string
	for i := range 4 {
		paths = append(paths, touch(t, root, string(rune('a'+i))+".log", flowText(0, 5000)))
	}
	stop := errors.New("disk full")
	for _, workers := range []int{2, 8} {
		cfg := DefaultConfiguration()
		cfg.Workers = workers
		var mu sync.Mutex
		calls := 0
		res, err := Scan(context.Background(), cfg, listed(t, cfg, paths...), parse.DefaultConfig(), func(int, *Object, []flowlog.Record) error {
			mu.Lock()
			defer mu.Unlock()
			calls++
			return stop
		})
		if !errors.Is(err, stop) || len(res.Objects) != 4 {
			t.Errorf("workers %d: handler error: got %v", workers, err)
		}
		if calls > workers {
			t.Errorf("workers %d: %d handler calls after the first error", workers, calls)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := Scan(ctx, cfg, listed(t, cfg, paths...), parse.DefaultConfig(), newCollector(workers).handle); !errors.Is(err, context.Canceled) {
			t.Errorf("workers %d: canceled context: got %v", workers, err)
		}
	}
}

func TestScanStdin(t *testing.T) {
	cfg := DefaultConfiguration()
	cfg.Workers = 2
	cfg.Stdin = bytes.NewReader(gzipped(t, flowText(5, 700)))
	c := newCollector(2)
	res, err := Scan(context.Background(), cfg, listed(t, cfg, "-", "-"), parse.DefaultConfig(), c.handle)
	if err != nil || res.Failed != 0 || len(res.Objects) != 1 {
		t.Fatal(err, res)
	}
	c.check(t, Stdin, 5, 700)
}

// TestScanPruned checks that pruned objects are never opened: they hold
// corrupt gzip data that would fail the scan.
func TestScanPruned(t *testing.T) {
	root := t.TempDir()
	n := 0
	keep := pruneTree(t, root, func(string) []byte { n++; return gzipped(t, flowText(n*100, 100)) })
	cfg := DefaultConfiguration()
	cfg.From = time.Date(2024, 3, 9, 10, 0, 0, 0, time.UTC)
	cfg.To = cfg.From.Add(2 * time.Hour)
	cfg.PruneSlack = 30 * time.Minute
	cfg.Workers = 2
	objs, st, err := List(cfg, []string{root})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Scan(context.Background(), cfg, objs, parse.DefaultConfig(), newCollector(2).handle)
	if err != nil || res.Failed != 0 {
		t.Fatalf("%v: %v", err, res.Errors())
	}
	if res.Total.Records != int64(100*len(keep)) || st.PrunedObjects != 5 {
		t.Errorf("%d records from %d objects (%d pruned)", res.Total.Records, len(objs), st.PrunedObjects)
	}
}

func TestDecompressOnly(t *testing.T) {
	root := t.TempDir()
	text := flowText(0, 4000)
	paths := []string{
		touch(t, root, "a.log.gz", gzipped(t, text)),
		touch(t, root, "b.log.zst", zstded(t, text)),
		touch(t, root, "c.log", text),
	}
	cfg := DefaultConfiguration()
	cfg.Workers = 2
	n, err := DecompressOnly(context.Background(), cfg, listed(t, cfg, paths...))
	if err != nil || n != 3*int64(len(text)) {
		t.Errorf("DecompressOnly = %d, %v; want %d bytes", n, err, 3*len(text))
	}
	gz := gzipped(t, text)
	bad := touch(t, root, "bad.log.gz", gz[:len(gz)-100])
	n, err = DecompressOnly(context.Background(), cfg, listed(t, cfg, append(paths, bad)...))
	if err == nil || !strings.Contains(err.Error(), bad) || n <= 3*int64(len(text)) {
		t.Errorf("DecompressOnly with a truncated object = %d, %v", n, err)
	}
}

// OnStart can skip objects, OnDone sees each read object with its content
// hash, which depends on the raw bytes only.
func TestScanHooks(t *testing.T) {
	dir := t.TempDir()
	line := "2 123 eni-a 10.0.0.1 10.0.0.2 1 2 6 1 40 100 160 ACCEPT OK\n"
	write := func(name, body string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.log", line)
	write("b.log", line+line)
	write("c.log", line)
	objs, _, err := List(DefaultConfiguration(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfiguration()
	var mu sync.Mutex
	hashes := map[string]string{}
	cfg.OnStart = func(o *Object) (bool, error) { return filepath.Base(o.Name) == "b.log", nil }
	cfg.OnDone = func(o *Object, r *ObjectResult) error {
		mu.Lock()
		defer mu.Unlock()
		hashes[filepath.Base(o.Name)] = r.Hash
		return nil
	}
	res, err := Scan(context.Background(), cfg, objs, parse.DefaultConfig(), func(int, *Object, []flowlog.Record) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	if res.Total.Records != 2 || !res.Objects[1].Skipped || len(hashes) != 2 {
		t.Fatalf("records %d, skipped %v, done %v", res.Total.Records, res.Objects[1].Skipped, hashes)
	}
	if hashes["a.log"] == "" || hashes["a.log"] != hashes["c.log"] {
		t.Fatalf("equal contents must hash equal: %v", hashes)
	}
	cfg.OnDone = func(*Object, *ObjectResult) error { return errors.New("stop") }
	if _, err := Scan(context.Background(), cfg, objs, parse.DefaultConfig(), func(int, *Object, []flowlog.Record) error { return nil }); err == nil || err.Error() != "stop" {
		t.Fatalf("OnDone error: %v", err)
	}
}
