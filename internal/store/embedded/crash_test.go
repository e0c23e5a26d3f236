package embedded

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowlens/flowlens/internal/store"
	"github.com/flowlens/flowlens/internal/store/storetest"
)

// The crash test runs ingestions in child processes (this test binary,
// re-executed) and kills them with SIGKILL at different points of a
// publication; after every crash, an ingestion of all the objects must end
// with each object's records stored exactly once.

const (
	crashObjects = 24
	crashPerObj  = 1500
)

func crashConfig(dir string) Configuration {
	cfg := testConfig(dir)
	cfg.CommitRows = 4000 // a publication every 3 objects
	cfg.Fsync = true
	return cfg
}

// crashIngest ingests every object, printing progress on stdout.
func crashIngest(t testing.TB, dir string, progress io.Writer, hook func(string)) {
	s, err := Open(crashConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	w, err := s.OpenWriter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	w.hook = hook
	for i := 0; i < crashObjects; i++ {
		recs := storetest.Generate(storetest.GenConfig{Seed: uint64(i), N: crashPerObj, Start: day0Test.Add(time.Duration(i) * time.Hour), Span: 3 * time.Hour})
		obj := store.SourceID{Name: fmt.Sprintf("obj-%02d.log.gz", i), Size: int64(1000 + i), ModTime: day0Test}
		a, skip, err := w.Begin(ctx, obj)
		if err != nil {
			t.Fatal(err)
		}
		if skip {
			continue
		}
		for lo := 0; lo < len(recs); lo += 500 {
			if err := a.Append(recs[lo : lo+500]); err != nil {
				t.Fatal(err)
			}
		}
		a.SetMeta(store.ObjectMeta{Hash: fmt.Sprintf("xxh3:%d", i)})
		if err := a.Commit(); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(progress, "COMMITTED %d\n", i)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
}

var day0Test = time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)

// TestCrashChild is the child process of TestCrashRecovery.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv("FLOWLENS_CRASH_DIR")
	if dir == "" {
		t.Skip("child process of TestCrashRecovery")
	}
	stopAt := os.Getenv("FLOWLENS_CRASH_AT")
	publications := 0
	crashIngest(t, dir, os.Stdout, func(point string) {
		if point == "published" {
			publications++
		}
		// Stop (and wait to be killed) at the point asked for, after the
		// first publication.
		if point == stopAt && publications >= 1 {
			fmt.Printf("AT %s\n", point)
			time.Sleep(time.Minute)
		}
	})
}

// unreferenced counts the data files no live commit references.
func unreferenced(t *testing.T, dir string) int {
	snap, err := loadSnapshot(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	referenced := map[string]bool{}
	for _, c := range snap.live {
		for _, f := range c.Files {
			referenced[filepath.FromSlash(f.Path)] = true
		}
	}
	n := 0
	filepath.Walk(filepath.Join(dir, dataDir), func(path string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			if rel, _ := filepath.Rel(dir, path); !referenced[rel] {
				n++
			}
		}
		return nil
	})
	return n
}

// orphanLedger reports whether a ledger file has no commit record.
func orphanLedger(t *testing.T, dir string) bool {
	entries, err := os.ReadDir(filepath.Join(dir, commitsDir))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, e := range entries {
		names[e.Name()] = true
	}
	for n := range names {
		if strings.HasSuffix(n, ".ledger.jsonl") && !names[strings.TrimSuffix(n, ".ledger.jsonl")+".json"] {
			return true
		}
	}
	return false
}

func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	dir := t.TempDir()
	f := func(stopAt string, killAfter string) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), "FLOWLENS_CRASH_DIR="+dir, "FLOWLENS_CRASH_AT="+stopAt)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		killed := false
		for sc.Scan() {
			if strings.HasPrefix(sc.Text(), killAfter) {
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
				break
			}
		}
		go func() { // drain
			for sc.Scan() {
			}
		}()
		err = cmd.Wait()
		if !killed {
			t.Fatalf("child (stop at %q) ended before %q: %v", stopAt, killAfter, err)
		}
	}
	// Killed while the data files of a publication are in place but its
	// commit record is not written, then after its ledger is written, then
	// in the middle of appending objects, then right after a commit record.
	f("placed", "AT placed")
	if n := unreferenced(t, dir); n == 0 {
		t.Fatal("the kill at placed left no unreferenced data file: the crash point was missed")
	}
	f("ledger", "AT ledger")
	if _, err := os.Stat(filepath.Join(dir, commitsDir)); err != nil {
		t.Fatal(err)
	}
	if !orphanLedger(t, dir) {
		t.Fatal("the kill at ledger left no ledger without commit: the crash point was missed")
	}
	f("", "COMMITTED 17")
	f("published", "AT published")
	// The next writer recovers, skips what was published and ingests the rest.
	crashIngest(t, dir, io.Discard, nil)
	s, err := Open(crashConfig(dir))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	res, err := s.SQL(ctx, "SELECT count(*) FROM flows")
	if err != nil {
		t.Fatal(err)
	}
	if n := res.Rows[0][0].(int64); n != crashObjects*crashPerObj {
		t.Fatalf("%d records after the crashes, want %d", n, crashObjects*crashPerObj)
	}
	for _, tbl := range []string{"flows_1m", "flows_1h"} {
		res, err := s.SQL(ctx, "SELECT sum(flows) FROM "+tbl)
		if err != nil {
			t.Fatal(err)
		}
		if n := res.Rows[0][0].(uint64); n != crashObjects*crashPerObj {
			t.Fatalf("%s holds %d flows, want %d", tbl, n, crashObjects*crashPerObj)
		}
	}
	src, err := s.Sources(ctx)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range src {
		if seen[e.Source.Name] || e.Records != crashPerObj {
			t.Fatalf("ledger entry %+v (seen before: %v)", e, seen[e.Source.Name])
		}
		seen[e.Source.Name] = true
	}
	if len(seen) != crashObjects {
		t.Fatalf("%d ledger entries, want %d", len(seen), crashObjects)
	}
	// Nothing is left over: every data file is referenced by a live commit.
	if n := unreferenced(t, dir); n != 0 {
		t.Errorf("%d unreferenced data files after recovery", n)
	}
	if orphanLedger(t, dir) {
		t.Error("ledger without commit record after recovery")
	}
	snap, err := loadSnapshot(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.dead) != 0 {
		t.Errorf("%d superseded commits left", len(snap.dead))
	}
}
