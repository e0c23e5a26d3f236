// Package file turns command-line inputs (files, directory trees, globs and
// "-" for stdin) into objects, opens them whatever their compression (gzip,
// zstd or none, told by magic bytes, not by name), prunes AWS S3 trees by
// time, and runs the objects through the parsers on every core (Scan).
package file

import (
	"errors"
	"fmt"
	"github.com/flowlens/flowlens/internal/parse"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// Stdin is the name of the standard input object.
const Stdin = "-"

// Object is one input: a file, or "-" for the standard input.
type Object struct {
	// Name is the path as given or found while walking a directory, or "-".
	Name    string
	Size    int64 // -1 for stdin
	ModTime time.Time
	Layout  Layout
	// Kind is KindUnknown until Scan opens the object; then it says what
	// the magic bytes showed.
	Kind Kind
	// Format is the format of the records of the batch being handled, set
	// by Scan before each handler call when the object is read by one
	// worker (from the header line or the configuration; the default
	// format for header-less lines; a Parquet file's columns). It is nil in
	// handlers of objects parsed in parallel chunks.
	Format *parse.Format
}

// Configuration configures listing and scanning.
type Configuration struct {
	// From and To bound the time of the records wanted: From inclusive, To
	// exclusive, zero for no bound. Objects of an AWS layout that cannot
	// hold such records are skipped without being opened; see Prunable.
	From, To time.Time
	// PruneSlack is how far the start or end of a record may be from the
	// timestamp in the name of the AWS file that holds it, either way. AWS
	// publishes files every 5 minutes with "the records of the previous 5
	// minutes"; a record spans up to its aggregation interval (10 minutes
	// at most), and processing takes minutes, best effort (AWS VPC user
	// guide: "Flow log files", "Flow log records"). Whether the name holds
	// the start or the end of the 5-minute window, records lie within about
	// 20 minutes of it; the default, 1 hour, leaves room for late delivery.
	PruneSlack time.Duration
	// FollowSymlinks makes directory walks descend into symlinked
	// directories (loops are detected). Symlinked files are always read.
	FollowSymlinks bool
	// Include, when not empty, keeps only the files found in directories
	// whose base name matches one of these patterns (path.Match syntax,
	// e.g. "*.log.gz"). Exclude drops those matching one of its patterns.
	// Files named explicitly are always kept.
	Include, Exclude []string
	// OnStart, when set, is called by Scan before an object is opened;
	// returning skip leaves the object unread (ObjectResult.Skipped). OnDone
	// is called after the object was read to its end or failed
	// (ObjectResult.Err), before the worker takes another object. They may
	// be called concurrently for different objects; an error from either
	// stops the scan.
	OnStart func(o *Object) (skip bool, err error)
	OnDone  func(o *Object, r *ObjectResult) error
	// Ordered makes Scan read the objects one after the other, in the
	// given order, each by one worker (worker 0), so the handler sees the
	// records in input order (for printing them).
	Ordered bool
	// Workers is how many objects (or chunks of one object) are parsed at
	// once. Default: runtime.GOMAXPROCS(0).
	Workers int
	// Stdin is read for the object "-". Nil means os.Stdin.
	Stdin io.Reader
}

// DefaultConfiguration returns the defaults: no time bounds, a 1-hour slack,
// one worker per core.
func DefaultConfiguration() Configuration {
	return Configuration{PruneSlack: time.Hour, Workers: runtime.GOMAXPROCS(0)}
}

func (c *Configuration) workers() int {
	if c.Workers > 0 {
		return c.Workers
	}
	return runtime.GOMAXPROCS(0)
}

func (c *Configuration) stdin() io.Reader {
	if c.Stdin != nil {
		return c.Stdin
	}
	return os.Stdin
}

// ListStats counts what List skipped.
type ListStats struct {
	// PrunedObjects counts files whose AWS name timestamp is outside
	// From/To (they were not opened).
	PrunedObjects int
	// PrunedDirs counts date folders outside From/To (not walked, so the
	// files in them are not counted in PrunedObjects).
	PrunedDirs int
	// Filtered counts files dropped by Include/Exclude or because they are
	// hidden (a name starting with '.') or not regular files.
	Filtered int
	// Duplicates counts inputs found more than once.
	Duplicates int
	// NotFlowLogs names the files that directory walks skipped because
	// their names say they are not flow logs (inventory.json, README.md);
	// they are also counted in Filtered.
	NotFlowLogs []string
}

// overlaps reports whether records in [start-slack, end+slack) may fall in
// [From, To). end is exclusive; a zero end means the instant start.
func (c *Configuration) overlaps(start, end time.Time) bool {
	if end.IsZero() {
		end = start.Add(time.Nanosecond)
	}
	if !c.From.IsZero() && !end.Add(c.PruneSlack).After(c.From) {
		return false
	}
	if !c.To.IsZero() && !start.Add(-c.PruneSlack).Before(c.To) {
		return false
	}
	return true
}

// Prunable reports whether an object of layout l cannot hold records in
// [From, To): its AWS file name timestamp T is known and [T-PruneSlack,
// T+PruneSlack] does not meet [From, To); or only its day or hour folder is
// known and that span widened by PruneSlack does not.
func (c *Configuration) Prunable(l Layout) bool {
	if c.From.IsZero() && c.To.IsZero() {
		return false
	}
	if !l.FileTime.IsZero() {
		return !c.overlaps(l.FileTime, time.Time{})
	}
	if !l.Folder.IsZero() {
		span := 24 * time.Hour
		if l.Hourly {
			span = time.Hour
		}
		return !c.overlaps(l.Folder, l.Folder.Add(span))
	}
	return false
}

// prunableDir reports whether a directory is a date folder (year, month,
// day or hour) of an AWS layout whose span is outside From/To.
func (c *Configuration) prunableDir(path string) bool {
	if c.From.IsZero() && c.To.IsZero() {
		return false
	}
	d := parseDirs(strings.Split(filepath.ToSlash(path), "/"))
	if d.depth == depthNone {
		return false
	}
	return !c.overlaps(d.start, d.end())
}

// List expands paths into objects: a directory is walked recursively (in
// lexical order), a path that does not exist but contains glob
// metacharacters is expanded with filepath.Glob, and "-" is the standard
// input. Objects come in the order of paths, duplicates dropped. Date
// folders and files (named or found) that an AWS layout places outside
// cfg.From/To are skipped and counted in ListStats (see Prunable). It fails,
// naming the path, on a path that does not exist, a glob that matches
// nothing, or a directory that cannot be read.
func List(cfg Configuration, paths []string) ([]Object, ListStats, error) {
	l := lister{cfg: &cfg, seen: make(map[string]bool), dirs: make(map[string]bool)}
	for _, p := range paths {
		if err := l.add(p); err != nil {
			return nil, l.stats, err
		}
	}
	return l.objs, l.stats, nil
}

type lister struct {
	cfg   *Configuration
	objs  []Object
	stats ListStats
	seen  map[string]bool // absolute paths of objects listed
	dirs  map[string]bool // real paths of directories walked (symlink loops)
}

func (l *lister) add(p string) error {
	if p == Stdin {
		if l.seen[Stdin] {
			l.stats.Duplicates++
			return nil
		}
		l.seen[Stdin] = true
		l.objs = append(l.objs, Object{Name: Stdin, Size: -1})
		return nil
	}
	info, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && strings.ContainsAny(p, "*?[") {
			return l.glob(p)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("input %q: no such file or directory", p)
		}
		return fmt.Errorf("input %q: %w", p, err)
	}
	if info.IsDir() {
		return l.walk(p)
	}
	l.file(p, info, true, isSymlink(p))
	return nil
}

func (l *lister) glob(pattern string) error {
	matches, err := filepath.Glob(pattern)
	if err != nil {
		return fmt.Errorf("input %q: bad glob pattern: %w", pattern, err)
	}
	if len(matches) == 0 {
		return fmt.Errorf("input %q: no file matches the pattern", pattern)
	}
	for _, m := range matches { // sorted by filepath.Glob
		info, err := os.Stat(m)
		if err != nil {
			return fmt.Errorf("input %q: %w", m, err)
		}
		if info.IsDir() {
			if err := l.walk(m); err != nil {
				return err
			}
			continue
		}
		l.file(m, info, false, isSymlink(m))
	}
	return nil
}

// file adds one file. Explicit files (named on the command line) bypass
// Include/Exclude and may be any non-directory (a FIFO from process
// substitution, a device); found ones must be regular files.
func (l *lister) file(p string, info fs.FileInfo, explicit, symlink bool) {
	if !explicit && !l.keep(filepath.Base(p), info) {
		l.stats.Filtered++
		return
	}
	key := l.key(p, symlink)
	if l.seen[key] {
		l.stats.Duplicates++
		return
	}
	layout := ParseLayout(p)
	if l.cfg.Prunable(layout) {
		l.stats.PrunedObjects++
		return
	}
	l.seen[key] = true
	l.objs = append(l.objs, Object{Name: p, Size: info.Size(), ModTime: info.ModTime(), Layout: layout})
}

// key identifies a file for deduplication: its absolute path, resolved
// through symlinks when it is one or when walks follow them (so one file
// reached by two routes is read once).
func (l *lister) key(p string, symlink bool) string {
	if l.cfg.FollowSymlinks || symlink {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return filepath.Clean(p)
}

func isSymlink(p string) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode()&fs.ModeSymlink != 0
}

func (l *lister) keep(base string, info fs.FileInfo) bool {
	if strings.HasPrefix(base, ".") || !info.Mode().IsRegular() {
		return false
	}
	if len(l.cfg.Include) > 0 {
		if !matchAny(l.cfg.Include, base) {
			return false
		}
	} else if notFlowLog(base) {
		l.stats.NotFlowLogs = append(l.stats.NotFlowLogs, base)
		return false
	}
	return !matchAny(l.cfg.Exclude, base)
}

// notFlowLogExt lists name endings of files that directory walks skip
// because they are never flow logs: the ground truth, manifests and notes
// that tools leave beside the data (generate writes inventory.json there).
// Name such a file explicitly, or match it with --include, to read it.
var notFlowLogExt = [...]string{".json", ".yaml", ".yml", ".md", ".html", ".csv", ".pdf", ".png", ".jpg", ".sha256", ".md5"}

func notFlowLog(base string) bool {
	lower := strings.ToLower(base)
	for _, ext := range notFlowLogExt {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

func matchAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := filepath.Match(p, name); ok {
			return true
		}
	}
	return false
}

// walk adds the files under root.
func (l *lister) walk(root string) error {
	if isSymlink(root) {
		// WalkDir does not follow a symlinked root; a trailing separator
		// makes it resolve the link.
		root += string(filepath.Separator)
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		if abs, err := filepath.Abs(real); err == nil {
			if l.dirs[abs] {
				return nil // already walked (a symlink loop or a repeated input)
			}
			l.dirs[abs] = true
		}
	}
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("input %q: cannot read %q: %w", root, p, err)
		}
		if d.IsDir() {
			if p == root {
				return nil
			}
			if strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			if l.cfg.prunableDir(p) {
				l.stats.PrunedDirs++
				return fs.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err == nil && d.Type()&fs.ModeSymlink != 0 {
			info, err = os.Stat(p) // what the link points to
		}
		if err != nil {
			return fmt.Errorf("input %q: cannot read %q: %w", root, p, err)
		}
		if info.IsDir() { // a symlink to a directory
			if !l.cfg.FollowSymlinks || strings.HasPrefix(d.Name(), ".") {
				l.stats.Filtered++
				return nil
			}
			if l.cfg.prunableDir(p) {
				l.stats.PrunedDirs++
				return nil
			}
			return l.walk(p)
		}
		l.file(p, info, false, d.Type()&fs.ModeSymlink != 0)
		return nil
	})
}
