package generate

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzip"

	"github.com/flowlens/flowlens/internal/flowlog"
)

// Summary describes a completed write.
type Summary struct {
	Records int64
	// TextBytes counts the uncompressed text, header lines included.
	TextBytes int64
	// WrittenBytes counts the bytes written (compressed when gzip).
	WrittenBytes int64
	// Objects lists the objects (files) written, in generation order. A flat
	// stream is one object with an empty key.
	Objects []Object
	// Inventory is the ground truth, with Counts.
	Inventory *Inventory
	// InventoryPath is where WriteTree wrote the inventory ("" for WriteFlat).
	InventoryPath string
	Elapsed       time.Duration
}

// Object is one written object.
type Object struct {
	Key       string    `json:"key"` // slash-separated path relative to the output directory
	Start     time.Time `json:"start"`
	End       time.Time `json:"end"` // exclusive
	Records   int64     `json:"records"`
	TextBytes int64     `json:"text_bytes"`
	Size      int64     `json:"size"`
}

const chunkSize = 256 << 10

// FlatFileName returns the name WriteTree gives a flat stream.
func FlatFileName(gz bool) string {
	if gz {
		return "flowlogs.log.gz"
	}
	return "flowlogs.log"
}

// objectKey returns the S3 or Hive key of unit u:
// [prefix/]AWSLogs/[o-xxx/]<account>/vpcflowlogs/<region>/YYYY/MM/DD/[HH/]
// <account>_vpcflowlogs_<region>_<flow-log-id>_<YYYYMMDDTHHmmZ>_<hash>.log.gz
// (Hive: aws-account-id=.../aws-service=vpcflowlogs/aws-region=.../year=YYYY/
// month=MM/day=DD/[hour=HH/]). The time is the start of the 5-minute slot
// holding the records' end times.
func (w *world) objectKey(u unit) string {
	cfg := &w.plan.cfg
	t := time.Unix(u.slot, 0).UTC()
	acct, region := w.topo.account, w.topo.region
	var b strings.Builder
	if p := strings.Trim(cfg.Prefix, "/"); p != "" {
		b.WriteString(p)
		b.WriteByte('/')
	}
	b.WriteString("AWSLogs/")
	if cfg.OrgID != "" {
		b.WriteString(cfg.OrgID)
		b.WriteByte('/')
	}
	if cfg.Layout == LayoutHive {
		fmt.Fprintf(&b, "aws-account-id=%s/aws-service=vpcflowlogs/aws-region=%s/year=%04d/month=%02d/day=%02d/", acct, region, t.Year(), t.Month(), t.Day())
		if cfg.Hourly {
			fmt.Fprintf(&b, "hour=%02d/", t.Hour())
		}
	} else {
		fmt.Fprintf(&b, "%s/vpcflowlogs/%s/%04d/%02d/%02d/", acct, region, t.Year(), t.Month(), t.Day())
		if cfg.Hourly {
			fmt.Fprintf(&b, "%02d/", t.Hour())
		}
	}
	hash := uint32(splitmix(uint64(cfg.Seed)<<24 ^ uint64(u.index) ^ 0x6b6579))
	fmt.Fprintf(&b, "%s_vpcflowlogs_%s_%s_%s_%08x.log.gz", acct, region, w.topo.flowLogID, t.Format("20060102T1504Z"), hash)
	return b.String()
}

// progress serialises progress reports.
type progress struct {
	mu sync.Mutex
	fn ProgressFunc
	p  Progress
}

func (p *progress) add(records, bytes int64, objects int) {
	if p.fn == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.p.Records += records
	p.p.Bytes += bytes
	p.p.Objects += objects
	p.fn(p.p)
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(b []byte) (int, error) {
	n, err := c.w.Write(b)
	c.n += int64(n)
	return n, err
}

// WriteFlat writes all records to out as one stream: the header line first
// when cfg.Header, gzip compressed when cfg.Gzip. Generation and writing
// (or compression) run on two goroutines.
func WriteFlat(ctx context.Context, cfg Configuration, out io.Writer) (*Summary, error) {
	w, err := newWorld(cfg)
	if err != nil {
		return nil, err
	}
	return w.writeFlat(ctx, out)
}

type chunk struct {
	buf     []byte
	records int64
}

func (w *world) writeFlat(ctx context.Context, out io.Writer) (*Summary, error) {
	began := time.Now()
	cfg := &w.plan.cfg
	prog := &progress{fn: cfg.Progress, p: Progress{TotalRecords: w.plan.records, TotalObjects: 1}}
	cw := &countingWriter{w: out}
	var sink io.Writer = cw
	var gz *gzip.Writer
	var bw *bufio.Writer
	if cfg.Gzip {
		// The compressor writes small pieces: buffer them.
		bw = bufio.NewWriterSize(cw, chunkSize)
		gz, _ = gzip.NewWriterLevel(bw, cfg.GzipLevel) // level validated
		sink = gz
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	free := make(chan []byte, 4)
	full := make(chan chunk, 4)
	for i := 0; i < cap(free); i++ {
		free <- make([]byte, 0, chunkSize+4096)
	}
	var total tally
	var genErr error
	go func() {
		defer close(full)
		genErr = w.produce(ctx, free, full, &total)
	}()
	sum := &Summary{}
	var writeErr error
	for c := range full {
		if writeErr == nil {
			if _, err := sink.Write(c.buf); err != nil {
				writeErr = err
				cancel()
			}
			sum.TextBytes += int64(len(c.buf))
			sum.Records += c.records
			prog.add(c.records, int64(len(c.buf)), 0)
		}
		free <- c.buf[:0]
	}
	if writeErr == nil && gz != nil {
		if writeErr = gz.Close(); writeErr == nil {
			writeErr = bw.Flush()
		}
	}
	if writeErr != nil {
		return nil, fmt.Errorf("generate: write: %w", writeErr)
	}
	if genErr != nil {
		return nil, genErr
	}
	prog.add(0, 0, 1)
	sum.WrittenBytes = cw.n
	sum.Objects = []Object{{Start: time.Unix(w.plan.start, 0).UTC(), End: time.Unix(w.plan.end, 0).UTC(), Records: sum.Records, TextBytes: sum.TextBytes, Size: cw.n}}
	sum.Inventory = w.inventory()
	sum.Inventory.Counts = total.counts(1)
	sum.Elapsed = time.Since(began)
	return sum, nil
}

// produce formats every unit in order into chunks.
func (w *world) produce(ctx context.Context, free <-chan []byte, full chan<- chunk, total *tally) error {
	var rec flowlog.Record
	buf := <-free
	if w.plan.cfg.Header {
		buf = append(append(buf, w.format.Header()...), '\n')
	}
	var n int64
	send := func() error {
		select {
		case full <- chunk{buf, n}:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case buf = <-free:
		case <-ctx.Done():
			return ctx.Err()
		}
		n = 0
		return nil
	}
	for _, u := range w.plan.units {
		s := w.stream(u)
		for s.next(&rec) {
			buf = w.format.AppendLine(buf, &rec)
			buf = append(buf, '\n')
			n++
			if len(buf) >= chunkSize {
				if err := send(); err != nil {
					return err
				}
			}
		}
		total.add(&s.t)
	}
	if len(buf) > 0 || n > 0 {
		return send()
	}
	return nil
}

// WriteTree writes the records under dir in cfg.Layout, and the inventory
// (with counts) to dir/inventory.json. S3 and Hive objects are gzip and
// start with the header line; they are generated and compressed by
// cfg.Workers goroutines. Every file is written under a temporary name and
// renamed when complete. On error, objects already complete are kept.
func WriteTree(ctx context.Context, cfg Configuration, dir string) (*Summary, error) {
	w, err := newWorld(cfg)
	if err != nil {
		return nil, err
	}
	began := time.Now()
	var sum *Summary
	if cfg.Layout == LayoutFlat {
		name := FlatFileName(cfg.Gzip)
		err = writeFileAtomic(filepath.Join(dir, name), func(f io.Writer) error {
			var err error
			sum, err = w.writeFlat(ctx, f)
			return err
		})
		if err == nil {
			sum.Objects[0].Key = name
		}
	} else {
		sum, err = w.writeObjects(ctx, dir)
	}
	if err != nil {
		return nil, err
	}
	sum.InventoryPath = filepath.Join(dir, InventoryFileName)
	if err := WriteInventoryFile(sum.InventoryPath, sum.Inventory); err != nil {
		return nil, fmt.Errorf("generate: inventory: %w", err)
	}
	sum.Elapsed = time.Since(began)
	return sum, nil
}

func (w *world) writeObjects(ctx context.Context, dir string) (*Summary, error) {
	cfg := &w.plan.cfg
	units := w.plan.units
	prog := &progress{fn: cfg.Progress, p: Progress{TotalRecords: w.plan.records, TotalObjects: len(units)}}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	objects := make([]Object, len(units))
	header := w.format.Header() + "\n"
	var next atomic.Int64
	var mu sync.Mutex
	var firstErr error
	var total tally
	var wg sync.WaitGroup
	for i := 0; i < min(cfg.workers(), len(units)); i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			gz, _ := gzip.NewWriterLevel(io.Discard, cfg.GzipLevel)
			bw := bufio.NewWriterSize(io.Discard, chunkSize)
			buf := make([]byte, 0, chunkSize+4096)
			var rec flowlog.Record
			var local tally
			for {
				k := int(next.Add(1) - 1)
				if k >= len(units) || ctx.Err() != nil {
					break
				}
				u := units[k]
				obj := Object{Key: w.objectKey(u), Start: time.Unix(u.from, 0).UTC(), End: time.Unix(u.to, 0).UTC()}
				path := filepath.Join(dir, filepath.FromSlash(obj.Key))
				s := w.stream(u)
				err := writeFileAtomic(path, func(f io.Writer) error {
					cw := &countingWriter{w: f}
					bw.Reset(cw)
					gz.Reset(bw)
					buf = append(buf[:0], header...)
					for s.next(&rec) {
						buf = w.format.AppendLine(buf, &rec)
						buf = append(buf, '\n')
						obj.Records++
						if len(buf) >= chunkSize {
							if err := ctx.Err(); err != nil {
								return err
							}
							if _, err := gz.Write(buf); err != nil {
								return err
							}
							obj.TextBytes += int64(len(buf))
							buf = buf[:0]
						}
					}
					obj.TextBytes += int64(len(buf))
					if _, err := gz.Write(buf); err != nil {
						return err
					}
					if err := gz.Close(); err != nil {
						return err
					}
					if err := bw.Flush(); err != nil {
						return err
					}
					obj.Size = cw.n
					return nil
				})
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("generate: object %s: %w", obj.Key, err)
					}
					mu.Unlock()
					cancel()
					break
				}
				local.add(&s.t)
				objects[k] = obj
				prog.add(obj.Records, obj.TextBytes, 1)
			}
			mu.Lock()
			total.add(&local)
			mu.Unlock()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sum := &Summary{Objects: objects, Inventory: w.inventory()}
	for _, o := range objects {
		sum.Records += o.Records
		sum.TextBytes += o.TextBytes
		sum.WrittenBytes += o.Size
	}
	sum.Inventory.Counts = total.counts(len(units))
	return sum, nil
}
