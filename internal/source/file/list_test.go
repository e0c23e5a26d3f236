package file

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// touch creates root/rel with content, and its folders.
func touch(t testing.TB, root, rel string, content []byte) string {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// awsName returns the AWS file name of a flow log object written at ts.
func awsName(account, region string, ts time.Time, ext string) string {
	return account + "_vpcflowlogs_" + region + "_fl-0123456789abcdef0_" + ts.UTC().Format("20060102T1504Z") + "_1a2b3c4d" + ext
}

// names returns the object names relative to root, slash separated.
func names(t testing.TB, root string, objs []Object) []string {
	t.Helper()
	var out []string
	for _, o := range objs {
		if o.Name == Stdin {
			out = append(out, Stdin)
			continue
		}
		rel, err := filepath.Rel(root, o.Name)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(rel))
	}
	return out
}

func TestPrunable(t *testing.T) {
	from := time.Date(2024, 3, 9, 10, 0, 0, 0, time.UTC)
	to := from.Add(2 * time.Hour)
	f := func(cfgFrom, cfgTo time.Time, l Layout, want bool) {
		t.Helper()
		cfg := Configuration{From: cfgFrom, To: cfgTo, PruneSlack: 30 * time.Minute}
		if got := cfg.Prunable(l); got != want {
			t.Errorf("Prunable(%v..%v, %+v) = %v, want %v", cfgFrom, cfgTo, l, got, want)
		}
	}
	at := func(h, m int) time.Time { return time.Date(2024, 3, 9, h, m, 0, 0, time.UTC) }
	// File name times: kept when within 30 minutes of [10:00, 12:00).
	f(from, to, Layout{FileTime: at(9, 29)}, true)
	f(from, to, Layout{FileTime: at(9, 30)}, false) // a record at exactly From may be in it
	f(from, to, Layout{FileTime: at(12, 29)}, false)
	f(from, to, Layout{FileTime: at(12, 30)}, true) // To is exclusive
	f(time.Time{}, to, Layout{FileTime: at(0, 0).AddDate(-1, 0, 0)}, false)
	f(from, time.Time{}, Layout{FileTime: at(0, 0).AddDate(1, 0, 0)}, false)
	f(from, time.Time{}, Layout{FileTime: at(9, 0)}, true)
	f(time.Time{}, time.Time{}, Layout{FileTime: at(0, 0)}, false)
	// Only folders known: daily and hourly spans.
	f(from, to, Layout{Folder: at(0, 0).AddDate(0, 0, -1)}, true) // ends 00:30 with the slack
	f(from, to, Layout{Folder: at(0, 0)}, false)
	f(from, to, Layout{Folder: at(8, 0), Hourly: true}, true) // ends 9:30
	f(from, to, Layout{Folder: at(9, 0), Hourly: true}, false)
	f(from, to, Layout{Folder: at(12, 0), Hourly: true}, false)
	f(from, to, Layout{Folder: at(13, 0), Hourly: true}, true)
	// The file name is more precise than its folder.
	f(from, to, Layout{Folder: at(9, 0), Hourly: true, FileTime: at(9, 5)}, true)
	// Nothing known: never pruned.
	f(from, to, Layout{}, false)
}

// pruneTree builds a tree of both layouts around 2024-03-09 10:00-12:00 and
// returns the names (relative, sorted as List returns them) that a 30-minute
// slack must keep. Folders that must be pruned hold a dangling symlink, which
// makes List fail if it walks them; files that must be pruned hold corrupt
// gzip data, which makes Scan report them if it opens them.
func pruneTree(t testing.TB, root string, good func(name string) []byte) []string {
	t.Helper()
	bad := []byte("\x1f\x8b\x08\x00 this is not gzip")
	trap := func(dir string) {
		if err := os.MkdirAll(filepath.Join(root, dir), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink("/nonexistent/flowlens-trap", filepath.Join(root, dir, "trap")); err != nil {
			t.Fatal(err)
		}
	}
	at := func(d, h, m int) time.Time { return time.Date(2024, 3, d, h, m, 0, 0, time.UTC) }
	var keep []string
	file := func(rel string, ts time.Time, kept bool) {
		if kept {
			keep = append(keep, rel)
			touch(t, root, rel, good(rel))
		} else {
			touch(t, root, rel, bad)
		}
	}
	plain := "AWSLogs/111111111111/vpcflowlogs/us-east-1/2024/03/"
	name := func(ts time.Time) string { return awsName("111111111111", "us-east-1", ts, ".log.gz") }
	trap(plain + "08/10")
	trap(plain + "09/08")
	for _, c := range []struct {
		h, m int
		kept bool
	}{{9, 5, false}, {9, 30, true}, {9, 55, true}, {10, 5, true}, {10, 55, true}, {11, 5, true}, {11, 55, true}, {12, 5, true}, {12, 30, false}, {12, 55, false}} {
		ts := at(9, c.h, c.m)
		file(plain+ts.Format("02/15/")+name(ts), ts, c.kept)
	}
	trap(plain + "09/13")
	trap(plain + "10/00")

	hive := "AWSLogs/aws-organization-id=o-abcdefghij/aws-account-id=222222222222/aws-service=vpcflowlogs/aws-region=eu-west-1/year=2024/month=03/"
	hname := func(ts time.Time) string { return awsName("222222222222", "eu-west-1", ts, ".log.gz") }
	trap(hive + "day=08")
	for _, c := range []struct {
		h, m int
		kept bool
	}{{9, 5, false}, {11, 0, true}, {13, 0, false}} {
		ts := at(9, c.h, c.m)
		file(hive+"day=09/"+hname(ts), ts, c.kept)
	}
	trap(hive + "day=10")
	trap("AWSLogs/111111111111/vpcflowlogs/us-east-1/2023") // a whole year
	file("other/flows.log", time.Time{}, true)              // not AWS: always kept
	return keep
}

func TestListPrunes(t *testing.T) {
	root := t.TempDir()
	keep := pruneTree(t, root, func(string) []byte { return nil })
	cfg := DefaultConfiguration()
	cfg.From = time.Date(2024, 3, 9, 10, 0, 0, 0, time.UTC)
	cfg.To = cfg.From.Add(2 * time.Hour)
	cfg.PruneSlack = 30 * time.Minute
	objs, st, err := List(cfg, []string{root})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(t, root, objs); !reflect.DeepEqual(got, keep) {
		t.Errorf("objects:\n got %q\nwant %q", got, keep)
	}
	want := ListStats{PrunedObjects: 5, PrunedDirs: 7}
	if !reflect.DeepEqual(st, want) {
		t.Errorf("stats %+v, want %+v", st, want)
	}
	// Without bounds, the traps are walked and fail loudly.
	if _, _, err := List(DefaultConfiguration(), []string{root}); err == nil || !strings.Contains(err.Error(), "trap") {
		t.Errorf("unbounded listing: error %v, want one naming the dangling link", err)
	}
}

func TestList(t *testing.T) {
	root := t.TempDir()
	a := touch(t, root, "d/a.log", nil)
	touch(t, root, "d/b.log.gz", nil)
	touch(t, root, "d/sub/c.log", nil)
	touch(t, root, "d/.hidden.log", nil)
	touch(t, root, "d/.git/config", nil)
	touch(t, root, "d/notes.txt", nil)
	touch(t, root, "e/z.log", nil)
	if err := os.Symlink(filepath.Join(root, "e"), filepath.Join(root, "d", "link-to-e")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(root, "d"), filepath.Join(root, "d", "sub", "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(a, filepath.Join(root, "e", "y-link.log")); err != nil {
		t.Fatal(err)
	}
	j := func(rel string) string { return filepath.Join(root, filepath.FromSlash(rel)) }
	f := func(cfg Configuration, paths []string, want []string, wantStats ListStats) {
		t.Helper()
		objs, st, err := List(cfg, paths)
		if err != nil {
			t.Fatalf("List(%q): %v", paths, err)
		}
		if got := names(t, root, objs); !reflect.DeepEqual(got, want) {
			t.Errorf("List(%q)\n got %q\nwant %q", paths, got, want)
		}
		if !reflect.DeepEqual(st, wantStats) {
			t.Errorf("List(%q): stats %+v, want %+v", paths, st, wantStats)
		}
	}
	def := DefaultConfiguration()
	// Directories: lexical order, hidden entries and directory symlinks
	// skipped.
	f(def, []string{j("d")}, []string{"d/a.log", "d/b.log.gz", "d/notes.txt", "d/sub/c.log"}, ListStats{Filtered: 3})
	// Following symlinks: e is walked through the link, the loop is cut.
	follow := def
	follow.FollowSymlinks = true
	f(follow, []string{j("d")}, []string{"d/a.log", "d/b.log.gz", "d/link-to-e/z.log", "d/notes.txt", "d/sub/c.log"}, ListStats{Filtered: 1, Duplicates: 1}) // e/y-link.log is d/a.log
	// A file symlink is read once with its target.
	f(def, []string{j("d/a.log"), j("e")}, []string{"d/a.log", "e/z.log"}, ListStats{Duplicates: 1})
	// Argument order is kept; duplicates are dropped; "-" once.
	f(def, []string{j("e/z.log"), "-", j("d/sub"), j("e/z.log"), "-"}, []string{"e/z.log", "-", "d/sub/c.log"}, ListStats{Duplicates: 2, Filtered: 1})
	// Globs (as the shell would not have expanded them), with directories.
	// (A glob matches dot files, that are then dropped like in walks.)
	f(def, []string{j("d/*.log*")}, []string{"d/a.log", "d/b.log.gz"}, ListStats{Filtered: 1})
	// e/y-link.log is d/a.log.
	f(def, []string{j("[de]")}, []string{"d/a.log", "d/b.log.gz", "d/notes.txt", "d/sub/c.log", "e/z.log"}, ListStats{Filtered: 3, Duplicates: 1})
	// Include and Exclude apply to found files, not to named ones.
	inc := def
	inc.Include, inc.Exclude = []string{"*.log", "*.log.gz"}, []string{"c.*"}
	f(inc, []string{j("d"), j("d/notes.txt")}, []string{"d/a.log", "d/b.log.gz", "d/notes.txt"}, ListStats{Filtered: 5})
	// Hidden files named explicitly are read.
	f(def, []string{j("d/.hidden.log")}, []string{"d/.hidden.log"}, ListStats{})
}

func TestListErrors(t *testing.T) {
	root := t.TempDir()
	touch(t, root, "a.log", nil)
	f := func(path, want string) {
		t.Helper()
		_, _, err := List(DefaultConfiguration(), []string{filepath.Join(root, "a.log"), path})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("List(%q): error %v, want one containing %q", path, err, want)
		}
	}
	f(filepath.Join(root, "missing.log"), `"`+filepath.Join(root, "missing.log")+`": no such file or directory`)
	f(filepath.Join(root, "*.gz"), "no file matches")
	f(filepath.Join(root, "[a"), "bad glob pattern")
}

// Files that are never flow logs are skipped in directory walks (the
// generator's inventory.json sits beside the data), but read when named.
func TestListSkipsNonFlowLogs(t *testing.T) {
	root := t.TempDir()
	for _, n := range []string{"inventory.json", "README.md", "a.log", "b.log.gz", "c"} {
		if err := os.WriteFile(filepath.Join(root, n), []byte("x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	objs, st, err := List(DefaultConfiguration(), []string{root})
	if err != nil {
		t.Fatal(err)
	}
	if got := names(t, root, objs); !reflect.DeepEqual(got, []string{"a.log", "b.log.gz", "c"}) {
		t.Fatalf("objects %q", got)
	}
	if st.Filtered != 2 || !reflect.DeepEqual(st.NotFlowLogs, []string{"README.md", "inventory.json"}) {
		t.Fatalf("stats %+v", st)
	}
	objs, _, err = List(DefaultConfiguration(), []string{filepath.Join(root, "inventory.json")})
	if err != nil || len(objs) != 1 {
		t.Fatalf("explicit file: %v %v", objs, err)
	}
	cfg := DefaultConfiguration()
	cfg.Include = []string{"*.json"}
	if objs, _, _ := List(cfg, []string{root}); len(objs) != 1 {
		t.Fatalf("--include *.json: %v", objs)
	}
}
