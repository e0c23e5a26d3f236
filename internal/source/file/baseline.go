package file

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
)

// DecompressOnly opens objs and reads their decompressed bytes on
// cfg.Workers goroutines, doing nothing else: the throughput baseline Scan is
// measured against. It returns the decompressed bytes read and the first
// error (naming its object) after reading every object it could.
func DecompressOnly(ctx context.Context, cfg Configuration, objs []Object) (int64, error) {
	var total, next atomic.Int64
	var mu sync.Mutex
	var first error
	fail := func(err error) {
		mu.Lock()
		if first == nil {
			first = err
		}
		mu.Unlock()
	}
	stdin := cfg.stdin()
	var wg sync.WaitGroup
	for range cfg.workers() {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buf := make([]byte, 1<<20)
			var op opener
			defer op.close()
			for ctx.Err() == nil {
				i := int(next.Add(1) - 1)
				if i >= len(objs) {
					return
				}
				n, err := drain(&op, &objs[i], stdin, buf)
				total.Add(n)
				if err != nil {
					fail(err)
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return total.Load(), err
	}
	return total.Load(), first
}

// drain reads the decompressed bytes of o into buf, over and over.
func drain(op *opener, o *Object, stdin io.Reader, buf []byte) (int64, error) {
	st, err := op.open(o, stdin)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	var n int64
	for {
		m, err := st.Read(buf)
		n += int64(m)
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, st.wrap(err)
		}
	}
}
