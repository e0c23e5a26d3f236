package server

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/flowlens/flowlens/internal/store"
)

// meteredReader is the store as one request sees it: every call waits for
// a query slot (MaxConcurrentQueries), is timed for the query latency
// metric, and the first error it returns is kept so that the request's
// error can be blamed on the store or on the parameters.
type meteredReader struct {
	r        store.Reader
	s        *Server
	endpoint string

	mu       sync.Mutex
	firstErr error
}

var _ store.Reader = (*meteredReader)(nil)

// errNoStore is returned by a reader without a store (never reached: such
// endpoints answer 503 first).
var errNoStore = errors.New("no store is open")

func (m *meteredReader) err() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.firstErr
}

// do runs f in a query slot.
func (m *meteredReader) do(ctx context.Context, f func() error) error {
	if m.r == nil {
		return m.fail(errNoStore)
	}
	select {
	case m.s.sem <- struct{}{}:
	case <-ctx.Done():
		return m.fail(ctx.Err())
	}
	defer func() { <-m.s.sem }()
	began := time.Now()
	err := f()
	m.s.metrics.query(m.endpoint, time.Since(began), err)
	if err != nil {
		return m.fail(err)
	}
	return nil
}

func (m *meteredReader) fail(err error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.firstErr == nil {
		m.firstErr = err
	}
	return err
}

func (m *meteredReader) Query(ctx context.Context, q store.Query) (res *store.Result, err error) {
	err = m.do(ctx, func() error {
		res, err = m.r.Query(ctx, q)
		return err
	})
	return res, err
}

func (m *meteredReader) Scan(ctx context.Context, q store.Query, fn func(row []any) error) (res *store.Result, err error) {
	err = m.do(ctx, func() error {
		res, err = m.r.Scan(ctx, q, fn)
		return err
	})
	return res, err
}

func (m *meteredReader) SQL(ctx context.Context, sql string, args ...any) (res *store.Result, err error) {
	err = m.do(ctx, func() error {
		res, err = m.r.SQL(ctx, sql, args...)
		return err
	})
	return res, err
}

func (m *meteredReader) Sources(ctx context.Context) (out []store.SourceInfo, err error) {
	err = m.do(ctx, func() error {
		out, err = m.r.Sources(ctx)
		return err
	})
	return out, err
}

func (m *meteredReader) TimeRange(ctx context.Context) (lo, hi time.Time, err error) {
	err = m.do(ctx, func() error {
		lo, hi, err = m.r.TimeRange(ctx)
		return err
	})
	return lo, hi, err
}

// Close does nothing: the server does not own the store.
func (m *meteredReader) Close() error { return nil }
