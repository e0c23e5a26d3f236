// Command flowbench runs flowlens's whole-program benchmarks side by side
// with their baselines, in one run on one machine, and prints the results as
// Markdown for docs/BENCHMARKS.md.
//
//	go run ./bench/flowbench parse  -bin bin/flowlens -dir bench/out -records 9000000
//	go run ./bench/flowbench duckdb-count FILE     (baseline, run as a child)
//	go run ./bench/flowbench decompress DIR        (baseline, run as a child)
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	_ "github.com/duckdb/duckdb-go/v2"

	"github.com/flowlens/flowlens/internal/source/file"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: flowbench parse|duckdb-count|decompress ...")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "parse":
		err = parseBench(os.Args[2:])
	case "duckdb-count":
		err = duckdbCount(os.Args[2])
	case "decompress":
		err = decompress(os.Args[2:])
	case "oneshot":
		err = oneshotBench(os.Args[2:])
	case "graphapi":
		err = graphAPIBench(os.Args[2:])
	case "duckdb-top":
		err = duckdbTop(os.Args[2])
	default:
		err = fmt.Errorf("unknown benchmark %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "flowbench:", err)
		os.Exit(1)
	}
}

// run is one timed child process.
type run struct {
	wall   time.Duration
	maxRSS int64 // bytes
	out    string
}

func timed(name string, args ...string) (run, error) {
	cmd := exec.Command(name, args...)
	cmd.Stderr = os.Stderr
	start := time.Now()
	out, err := cmd.Output()
	r := run{wall: time.Since(start), out: string(out)}
	if err != nil {
		return r, fmt.Errorf("%s %s: %w", name, strings.Join(args, " "), err)
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSS = ru.Maxrss * 1024
	}
	return r, nil
}

// best runs a command n times and returns the fastest run and the largest RSS.
func best(n int, name string, args ...string) (run, error) {
	var runs []run
	for i := 0; i < n; i++ {
		r, err := timed(name, args...)
		if err != nil {
			return r, err
		}
		runs = append(runs, r)
	}
	sort.Slice(runs, func(i, j int) bool { return runs[i].wall < runs[j].wall })
	b := runs[0]
	for _, r := range runs {
		b.maxRSS = max(b.maxRSS, r.maxRSS)
	}
	return b, nil
}

func dirSize(root string) (int64, error) {
	var n int64
	err := filepath.Walk(root, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && fi.Mode().IsRegular() && !strings.HasSuffix(fi.Name(), ".json") {
			n += fi.Size()
		}
		return err
	})
	return n, err
}

func parseBench(args []string) error {
	fs := flag.NewFlagSet("parse", flag.ExitOnError)
	bin := fs.String("bin", "bin/flowlens", "flowlens binary")
	dir := fs.String("dir", "bench/out", "work directory for generated data")
	records := fs.Int64("records", 9_000_000, "records of the big data set (~115 bytes each)")
	runs := fs.Int("runs", 3, "runs of each measurement (the fastest is kept)")
	_ = fs.Parse(args)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	flat := filepath.Join(*dir, "flat")
	small := filepath.Join(*dir, "flat-quarter")
	s3 := filepath.Join(*dir, "s3")
	gen := func(out string, n int64, layout string, extra ...string) error {
		if _, err := os.Stat(filepath.Join(out, "inventory.json")); err == nil {
			return nil // already there (generation is deterministic)
		}
		a := append([]string{"generate", "--seed", "7", "--records", fmt.Sprint(n), "--layout", layout, "--out", out}, extra...)
		_, err := timed(*bin, a...)
		return err
	}
	fmt.Fprintln(os.Stderr, "generating data sets (once)...")
	if err := gen(flat, *records, "flat", "--objects", "100"); err != nil {
		return err
	}
	if err := gen(small, *records/4, "flat", "--objects", "25"); err != nil {
		return err
	}
	if err := gen(s3, *records, "s3", "--objects", "100"); err != nil {
		return err
	}
	flatFile := filepath.Join(flat, "flowlogs.log")
	smallFile := filepath.Join(small, "flowlogs.log")
	flatSize, err := dirSize(flat)
	if err != nil {
		return err
	}
	gzSize, err := dirSize(s3)
	if err != nil {
		return err
	}

	fmt.Fprintln(os.Stderr, "flowlens stats on the plain file...")
	stats, err := best(*runs, *bin, "stats", "-o", "json", flatFile)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "DuckDB read_csv count(*), sum(bytes) on the plain file...")
	duck, err := best(*runs, self, "duckdb-count", flatFile)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "flowlens stats on a quarter of the data (RSS)...")
	statsSmall, err := best(1, *bin, "stats", "-o", "json", smallFile)
	if err != nil {
		return err
	}
	s3Root := filepath.Join(s3, "AWSLogs")
	fmt.Fprintln(os.Stderr, "decompress-only baseline on the gzip set...")
	dec, err := best(*runs, self, "decompress", s3Root)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "flowlens stats on the gzip set...")
	statsGz, err := best(*runs, *bin, "stats", "-o", "json", s3Root)
	if err != nil {
		return err
	}

	mb := func(n int64, d time.Duration) float64 { return float64(n) / 1e6 / d.Seconds() }
	host, _ := os.Hostname()
	fmt.Printf("Measured %s on %s (%d cores, %s/%s, %s), best of %d runs.\n\n", time.Now().UTC().Format("2006-01-02"), host, runtime.NumCPU(), runtime.GOOS, runtime.GOARCH, runtime.Version(), *runs)
	fmt.Printf("Data: %d default-format records, %.2f GB of text (%s); the same records as %.0f MB of gzip objects in the S3 layout.\n\n", *records, float64(flatSize)/1e9, flatFile, float64(gzSize)/1e6)
	fmt.Println("| measurement | wall time | throughput (text) | peak RSS | ratio |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	fmt.Printf("| `flowlens stats` plain file | %.2f s | %.0f MB/s | %.0f MiB | %.2f× faster than DuckDB |\n", stats.wall.Seconds(), mb(flatSize, stats.wall), float64(stats.maxRSS)/(1<<20), duck.wall.Seconds()/stats.wall.Seconds())
	fmt.Printf("| DuckDB `read_csv` count(*), sum(bytes) (baseline) | %.2f s | %.0f MB/s | %.0f MiB | 1.00× |\n", duck.wall.Seconds(), mb(flatSize, duck.wall), float64(duck.maxRSS)/(1<<20))
	fmt.Printf("| `flowlens stats` on ¼ of the file | %.2f s | %.0f MB/s | %.0f MiB | RSS ¼ size / full: %.2f |\n", statsSmall.wall.Seconds(), mb(flatSize/4, statsSmall.wall), float64(statsSmall.maxRSS)/(1<<20), float64(statsSmall.maxRSS)/float64(stats.maxRSS))
	fmt.Printf("| `flowlens stats` gzip set | %.2f s | %.0f MB/s | %.0f MiB | %.0f%% of decompress-only |\n", statsGz.wall.Seconds(), mb(flatSize, statsGz.wall), float64(statsGz.maxRSS)/(1<<20), 100*dec.wall.Seconds()/statsGz.wall.Seconds())
	fmt.Printf("| decompress only, 2 workers (baseline) | %.2f s | %.0f MB/s | %.0f MiB | 100%% |\n", dec.wall.Seconds(), mb(flatSize, dec.wall), float64(dec.maxRSS)/(1<<20))
	return nil
}

// duckdbCount is the baseline of the plain-file measurement: DuckDB's own
// CSV reader on all cores computing count(*) and sum(bytes).
func duckdbCount(path string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	q := `SELECT count(*), sum(bytes) FROM read_csv(?, delim=' ', header=true, nullstr='-', columns={
		'version':'INTEGER','account_id':'VARCHAR','interface_id':'VARCHAR','srcaddr':'VARCHAR','dstaddr':'VARCHAR',
		'srcport':'INTEGER','dstport':'INTEGER','protocol':'INTEGER','packets':'BIGINT','bytes':'BIGINT',
		'start':'BIGINT','end':'BIGINT','action':'VARCHAR','log_status':'VARCHAR'})`
	var n, sum int64
	if err := db.QueryRow(q, path).Scan(&n, &sum); err != nil {
		return err
	}
	fmt.Println(n, sum)
	return nil
}

// decompress is the baseline of the gzip measurement: decompressing every
// object with 2 workers and doing nothing else.
func decompress(paths []string) error {
	cfg := file.DefaultConfiguration()
	cfg.Workers = 2
	objs, _, err := file.List(cfg, paths)
	if err != nil {
		return err
	}
	n, err := file.DecompressOnly(context.Background(), cfg, objs)
	fmt.Println(n)
	return err
}

// oneshotBench compares the time from gzip files to the first top-talkers
// answer: flowlens (one-shot on the files, and ingest + top) against DuckDB
// loading the same files itself and running the same query.
func oneshotBench(args []string) error {
	fs := flag.NewFlagSet("oneshot", flag.ExitOnError)
	bin := fs.String("bin", "bin/flowlens", "flowlens binary")
	dir := fs.String("dir", "bench/out", "work directory (the s3 data set of the parse benchmark)")
	runs := fs.Int("runs", 3, "runs of each measurement (the fastest is kept)")
	_ = fs.Parse(args)
	self, err := os.Executable()
	if err != nil {
		return err
	}
	root := filepath.Join(*dir, "s3", "AWSLogs")
	if _, err := os.Stat(root); err != nil {
		return fmt.Errorf("%s: run the parse benchmark first (it generates the data)", root)
	}
	fmt.Fprintln(os.Stderr, "DuckDB: CREATE TABLE AS SELECT * FROM read_csv(gzip files), then top talkers...")
	duck, err := best(*runs, self, "duckdb-top", root)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "flowlens top src on the files (one-shot)...")
	one, err := best(*runs, *bin, "top", "src", "-o", "csv", root)
	if err != nil {
		return err
	}
	fmt.Fprintln(os.Stderr, "flowlens ingest, then top src...")
	var ingestWall, topWall time.Duration
	var ingestRSS int64
	data := filepath.Join(*dir, "store-bench")
	for i := 0; i < *runs; i++ {
		os.RemoveAll(data)
		in, err := timed(*bin, "ingest", "--quiet", "--data", data, root)
		if err != nil {
			return err
		}
		top, err := timed(*bin, "top", "src", "-o", "csv", "--data", data)
		if err != nil {
			return err
		}
		if i == 0 || in.wall+top.wall < ingestWall+topWall {
			ingestWall, topWall, ingestRSS = in.wall, top.wall, in.maxRSS
		}
	}
	disk, _ := dirSize(data)
	fmt.Printf("\nGzip files to the first top-talkers answer (%s), best of %d runs:\n\n", root, *runs)
	fmt.Println("| path | wall time | peak RSS | ratio |")
	fmt.Println("| --- | ---: | ---: | ---: |")
	fmt.Printf("| DuckDB `CREATE TABLE AS SELECT * FROM read_csv(...)` + top talkers (baseline) | %.2f s | %.0f MiB | 1.00× |\n", duck.wall.Seconds(), float64(duck.maxRSS)/(1<<20))
	fmt.Printf("| `flowlens top src FILES` (one-shot) | %.2f s | %.0f MiB | %.2f× faster |\n", one.wall.Seconds(), float64(one.maxRSS)/(1<<20), duck.wall.Seconds()/one.wall.Seconds())
	fmt.Printf("| `flowlens ingest` + `flowlens top src` | %.2f s + %.2f s | %.0f MiB | %.2f× faster |\n", ingestWall.Seconds(), topWall.Seconds(), float64(ingestRSS)/(1<<20), duck.wall.Seconds()/(ingestWall+topWall).Seconds())
	fmt.Printf("\nStore size after ingest: %.0f MB for the same records as %s of gzip input.\n", float64(disk)/1e6, "the s3 set")
	if a, b := strings.TrimSpace(duck.out), strings.TrimSpace(one.out); a == "" || b == "" {
		return fmt.Errorf("empty answers")
	}
	return nil
}

// duckdbTop is the baseline of the first-answer measurement.
func duckdbTop(root string) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	glob := filepath.Join(root, "**", "*.log.gz")
	if _, err := db.Exec(`CREATE TABLE flows AS SELECT * FROM read_csv(?, delim=' ', header=true, nullstr='-', columns={
		'version':'INTEGER','account_id':'VARCHAR','interface_id':'VARCHAR','srcaddr':'VARCHAR','dstaddr':'VARCHAR',
		'srcport':'INTEGER','dstport':'INTEGER','protocol':'INTEGER','packets':'BIGINT','bytes':'BIGINT',
		'start':'BIGINT','end':'BIGINT','action':'VARCHAR','log_status':'VARCHAR'})`, glob); err != nil {
		return err
	}
	rows, err := db.Query(`SELECT srcaddr, count(*) AS flows, sum(packets) AS packets, sum(bytes) AS bytes FROM flows WHERE srcaddr IS NOT NULL GROUP BY srcaddr ORDER BY bytes DESC, srcaddr LIMIT 10`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var src string
		var flows, packets, bytes int64
		if err := rows.Scan(&src, &flows, &packets, &bytes); err != nil {
			return err
		}
		fmt.Println(src, flows, packets, bytes)
	}
	return rows.Err()
}
