package file

import (
	"cmp"
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/parse/parquet"
)

// Handler receives the records of obj. Scan calls it concurrently from up to
// Configuration.Workers goroutines; worker is in [0, Workers) and no two
// concurrent calls share a worker index, so handlers can keep per-worker
// state without locks. The batch and its records are valid only during the
// call. A returned error stops the whole scan.
type Handler func(worker int, obj *Object, batch []flowlog.Record) error

// ObjectResult is the outcome of one object.
type ObjectResult struct {
	Object      *Object
	Kind        Kind
	Compression Compression
	// Format is the format in force at the end of the object (text), or the
	// columns of the Parquet file; nil when nothing was parsed or when the
	// object was parsed in parallel chunks (parse.ParseStream does not
	// report it).
	Format *parse.Format
	Stats  parse.Stats
	// Skipped is set when Configuration.OnStart chose to skip the object.
	Skipped bool
	// Hash is the content hash of the object's stored bytes when it was
	// read to its end as a stream ("xxh3:" + 16 hex digits), else "".
	Hash string
	// CompressedBytes is what was read from the object itself;
	// Stats.Bytes counts decompressed bytes.
	CompressedBytes int64
	// Err is why the object could not be read to its end (it does not exist
	// any more, corrupt or truncated compressed data, corrupt Parquet). It
	// names the object. The records parsed before the error were passed to
	// the handler and are counted in Stats.
	Err error
}

// Result is the outcome of a Scan.
type Result struct {
	// Objects holds one result per object, in the order given to Scan
	// (objects not reached after a fatal error have a zero Kind and no
	// stats).
	Objects []ObjectResult
	// Total sums the stats of every object; Total.Errors keeps the first
	// malformed lines across objects.
	Total parse.Stats
	// Failed counts objects with an Err.
	Failed          int
	CompressedBytes int64
}

// Errors returns the errors of the objects that failed, in order.
func (r *Result) Errors() []error {
	var out []error
	for i := range r.Objects {
		if r.Objects[i].Err != nil {
			out = append(out, r.Objects[i].Err)
		}
	}
	return out
}

// handlerError marks an error returned by the Handler: fatal, and returned
// as is.
type handlerError struct{ err error }

func (e handlerError) Error() string { return e.err.Error() }
func (e handlerError) Unwrap() error { return e.err }

// Scan parses objs with every worker and passes the records to h. With at
// least as many objects as workers, each worker parses whole objects
// (largest first); with fewer, or a few with one holding most of the bytes,
// the objects are parsed one after the other, each cut into chunks parsed in
// parallel (parse.ParseStream; Parquet objects are read by one worker). Objects that cannot be read to their end
// do not stop the scan: see ObjectResult.Err. The returned error is h's
// error or ctx's; the Result then covers what was done. The object "-" is
// read from cfg.Stdin, once.
func Scan(ctx context.Context, cfg Configuration, objs []Object, pcfg parse.Config, h Handler) (Result, error) {
	s := &scanner{cfg: cfg, pcfg: pcfg, h: h, stdin: cfg.stdin(), defFmt: parse.DefaultFormat()}
	res := Result{Objects: make([]ObjectResult, len(objs))}
	for i := range objs {
		res.Objects[i].Object = &objs[i]
	}
	workers := cfg.workers()
	var err error
	if cfg.Ordered {
		ws := newWorkerState()
		for i := range objs {
			if err = ctx.Err(); err != nil {
				break
			}
			if err = s.object(ctx, ws, 0, 1, &objs[i], &res.Objects[i]); err != nil {
				break
			}
		}
		ws.op.close()
	} else if !chunked(objs, workers) {
		err = s.parallelObjects(ctx, objs, res.Objects, workers)
	} else {
		ws := newWorkerState()
		for i := range objs {
			if err = ctx.Err(); err != nil {
				break
			}
			if err = s.object(ctx, ws, 0, workers, &objs[i], &res.Objects[i]); err != nil {
				break
			}
		}
		ws.op.close()
	}
	limit := max(pcfg.MaxReportedErrors, 1)
	for i := range res.Objects {
		o := &res.Objects[i]
		res.Total.Add(&o.Stats, limit)
		res.CompressedBytes += o.CompressedBytes
		if o.Err != nil {
			res.Failed++
		}
	}
	var he handlerError
	if errors.As(err, &he) {
		err = he.err
	}
	return res, err
}

// chunked reports whether objects should be parsed one at a time, in
// parallel chunks: when there are fewer objects than workers, or few objects
// with one holding more than half of the bytes (whole-object parallelism
// would leave workers idle while it is parsed).
func chunked(objs []Object, workers int) bool {
	if workers <= 1 {
		return false
	}
	if len(objs) < workers {
		return true
	}
	if len(objs) > 4*workers {
		return false
	}
	var total, largest int64
	for i := range objs {
		total += max(objs[i].Size, 0)
		largest = max(largest, objs[i].Size)
	}
	return largest > total/2
}

type scanner struct {
	cfg    Configuration
	pcfg   parse.Config
	h      Handler
	stdin  io.Reader
	defFmt *parse.Format
}

// parallelObjects runs whole objects on workers, largest first.
func (s *scanner) parallelObjects(ctx context.Context, objs []Object, results []ObjectResult, workers int) error {
	order := make([]int, len(objs))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(objs[b].Size, objs[a].Size) })
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var next atomic.Int64
	var once sync.Once
	var fatal error
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ws := newWorkerState()
			defer ws.op.close()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(order) {
					return
				}
				k := order[i]
				if err := s.object(ctx, ws, w, 1, &objs[k], &results[k]); err != nil {
					once.Do(func() { fatal = err; cancel() })
					return
				}
			}
		}()
	}
	wg.Wait()
	if fatal != nil {
		return fatal
	}
	return ctx.Err()
}

// workerState is what a worker reuses from object to object.
type workerState struct {
	op    opener
	batch []flowlog.Record
	rd    *parse.Reader // reused from object to object (buffer, interned strings)
}

func newWorkerState() *workerState {
	return &workerState{batch: make([]flowlog.Record, parse.BatchSize)}
}

// object parses one object with worker index w (workers == 1) or with
// ParseStream on workers chunk workers. It returns only fatal errors.
func (s *scanner) object(ctx context.Context, ws *workerState, w, workers int, o *Object, res *ObjectResult) error {
	if s.cfg.OnStart != nil {
		skip, err := s.cfg.OnStart(o)
		if err != nil {
			return handlerError{err}
		}
		if skip {
			res.Skipped = true
			return nil
		}
	}
	err := s.read(ctx, ws, w, workers, o, res)
	if err == nil && s.cfg.OnDone != nil {
		if derr := s.cfg.OnDone(o, res); derr != nil {
			return handlerError{derr}
		}
	}
	return err
}

// read opens and parses one object.
func (s *scanner) read(ctx context.Context, ws *workerState, w, workers int, o *Object, res *ObjectResult) error {
	st, err := ws.op.open(o, s.stdin)
	if err != nil {
		res.Err = err
		return nil
	}
	defer st.Close()
	o.Kind = st.Kind
	res.Kind, res.Compression = st.Kind, st.Compression
	switch {
	case st.Kind == KindParquet:
		err = s.parquet(ctx, w, o, st, res, ws.batch)
	case workers > 1:
		res.Stats, err = parse.ParseStream(ctx, st, o.Name, s.pcfg, workers, func(w int, batch []flowlog.Record) error {
			if err := s.h(w, o, batch); err != nil {
				return handlerError{err}
			}
			return nil
		})
	default:
		err = s.text(ctx, w, o, st, res, ws)
	}
	res.CompressedBytes = st.CompressedBytes()
	res.Hash = st.Hash()
	if err == nil {
		return nil
	}
	var he handlerError
	if errors.As(err, &he) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	res.Err = st.wrap(err)
	return nil
}

func (s *scanner) text(ctx context.Context, w int, o *Object, st *Stream, res *ObjectResult, ws *workerState) error {
	if ws.rd == nil {
		ws.rd = parse.NewReader(st, o.Name, s.pcfg)
	} else {
		ws.rd.Reset(st, o.Name)
	}
	rd, batch := ws.rd, ws.batch
	defer func() {
		res.Stats, res.Format = *rd.Stats(), rd.Format()
	}()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := rd.Read(batch)
		if n > 0 {
			o.Format = rd.Format()
			if o.Format == nil {
				o.Format = s.defaultFormat()
			}
			if herr := s.h(w, o, batch[:n]); herr != nil {
				return handlerError{herr}
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}

// defaultFormat is the format of header-less 14-field lines.
func (s *scanner) defaultFormat() *parse.Format { return s.defFmt }

func (s *scanner) parquet(ctx context.Context, w int, o *Object, st *Stream, res *ObjectResult, batch []flowlog.Record) error {
	rd, err := parquet.NewReader(st.ReaderAt, st.Size, o.Name, s.pcfg)
	if err != nil {
		res.Err = err // names the object already
		return nil
	}
	defer rd.Close()
	res.Format = rd.Format()
	o.Format = res.Format
	defer func() { res.Stats = rd.Stats() }()
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		n, err := rd.Read(batch)
		if n > 0 {
			if herr := s.h(w, o, batch[:n]); herr != nil {
				return handlerError{herr}
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			res.Err = err // names the object already
			return nil
		}
	}
}
