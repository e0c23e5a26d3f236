package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/flowlens/flowlens/internal/generate"
)

// graphAPIBench times /api/v1/graph over a store of many flows, through
// `flowlens serve` as users run it.
func graphAPIBench(args []string) error {
	fs := flag.NewFlagSet("graphapi", flag.ExitOnError)
	bin := fs.String("bin", "bin/flowlens", "flowlens binary")
	dir := fs.String("dir", "bench/out", "work directory for generated data")
	records := fs.Int64("records", 10_000_000, "flows in the store")
	runs := fs.Int("runs", 3, "warm runs of each request (the fastest is kept)")
	_ = fs.Parse(args)
	logs := filepath.Join(*dir, fmt.Sprintf("graph-%d", *records), "logs")
	data := filepath.Join(*dir, fmt.Sprintf("graph-%d", *records), "store")
	if _, err := os.Stat(filepath.Join(logs, "inventory.json")); err != nil {
		fmt.Fprintf(os.Stderr, "generating %d flows (once)...\n", *records)
		if _, err := timed(*bin, "generate", "--seed", "7", "--records", fmt.Sprint(*records), "--duration", "24h",
			"--format", generate.DemoFormat, "--layout", "s3", "--out", logs); err != nil {
			return err
		}
		os.RemoveAll(data)
	}
	if _, err := os.Stat(data); err != nil {
		fmt.Fprintln(os.Stderr, "ingesting (once; remove the store directory to ingest again)...")
		in, err := timed(*bin, "ingest", "--quiet", "--data", data, logs)
		if err != nil {
			return err
		}
		fmt.Fprintf(os.Stderr, "ingest: %.1f s\n", in.wall.Seconds())
	}
	addr := "127.0.0.1:18321"
	srv := exec.Command(*bin, "serve", "--data", data, "--listen", addr, "--inventory", filepath.Join(logs, "inventory.json"))
	stderr, err := srv.StderrPipe()
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { srv.Process.Signal(os.Interrupt); srv.Wait() }()
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stderr)
		once := false
		for sc.Scan() {
			if !once && strings.Contains(sc.Text(), "serving") {
				once = true
				close(ready)
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(60 * time.Second):
		return fmt.Errorf("flowlens serve did not start")
	}
	get := func(q string) (time.Duration, int, int, error) {
		start := time.Now()
		resp, err := http.Get("http://" + addr + "/api/v1/graph?" + q)
		if err != nil {
			return 0, 0, 0, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		wall := time.Since(start)
		if err != nil {
			return 0, 0, 0, err
		}
		if resp.StatusCode != 200 {
			return 0, 0, 0, fmt.Errorf("graph?%s: %s: %s", q, resp.Status, b)
		}
		var env struct {
			Data struct {
				Nodes []json.RawMessage `json:"nodes"`
				Edges []json.RawMessage `json:"edges"`
				Total struct {
					Flows uint64 `json:"flows"`
				} `json:"totals"`
			} `json:"data"`
		}
		if err := json.Unmarshal(b, &env); err != nil {
			return 0, 0, 0, err
		}
		return wall, len(env.Data.Nodes), len(env.Data.Edges), nil
	}
	fmt.Printf("\n`flowbench graphapi -records %d` (flowlens serve, HTTP GET /api/v1/graph, answer read and decoded):\n\n", *records)
	fmt.Println("| request | nodes | edges | first (cold) | best of warm runs |")
	fmt.Println("| --- | ---: | ---: | ---: | ---: |")
	for _, q := range []string{
		"group=ip&top_k=1500",
		"group=ip",
		"group=subnet",
		"group=service&top_k=1500",
		"group=ip&action=REJECT&top_k=1500",
		"group=ip&top_k=1500&where=dstport=443",
	} {
		cold, n, e, err := get(q)
		if err != nil {
			return err
		}
		bestWall := time.Duration(1 << 62)
		for i := 0; i < *runs; i++ {
			w, _, _, err := get(q)
			if err != nil {
				return err
			}
			bestWall = min(bestWall, w)
		}
		fmt.Printf("| `%s` | %d | %d | %.3f s | %.3f s |\n", q, n, e, cold.Seconds(), bestWall.Seconds())
	}
	return nil
}
