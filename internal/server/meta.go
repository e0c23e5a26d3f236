package server

import (
	"time"

	"github.com/flowlens/flowlens/internal/store"
)

// DefaultSourcesLimit is the page size of /api/v1/sources without a limit.
const DefaultSourcesLimit = 1000

// Sources is the data of GET /api/v1/sources: a page of the ingest ledger,
// oldest first.
type Sources struct {
	Sources []store.SourceInfo `json:"sources"`
	// Total is the number of ledger entries.
	Total int   `json:"total"`
	Page  *Page `json:"page"`
}

// GET /api/v1/sources?limit=&offset=: the ledger (flowlens sources).
func (c *call) sources() (any, error) {
	limit, err := c.limit(DefaultSourcesLimit)
	if err != nil {
		return nil, err
	}
	offset, err := c.intParam("offset", 0)
	if err != nil {
		return nil, err
	}
	all, err := c.store.Sources(c.ctx)
	if err != nil {
		return nil, err
	}
	lo := min(offset, len(all))
	hi := min(lo+limit, len(all))
	page := all[lo:hi]
	if page == nil {
		page = []store.SourceInfo{}
	}
	return &Sources{Sources: page, Total: len(all), Page: newPage(offset, limit, len(page), hi < len(all))}, nil
}

// Status is the data of GET /api/v1/status.
type Status struct {
	Version string `json:"version"`
	// Now is the server's time.
	Now time.Time `json:"now"`
	// Auth says whether requests need a token.
	Auth bool `json:"auth"`
	// Store describes the stored data (null without a store).
	Store  *StoreStatus `json:"store"`
	Limits Limits       `json:"limits"`
}

// StoreStatus describes the stored data.
type StoreStatus struct {
	// First is the earliest flow start and Last the latest flow end (null
	// when the store is empty).
	First *time.Time `json:"first"`
	Last  *time.Time `json:"last"`
	// Records, Packets and Bytes count every stored record.
	Records uint64 `json:"records"`
	Packets uint64 `json:"packets"`
	Bytes   uint64 `json:"bytes"`
	// Sources is the number of ledger entries.
	Sources int `json:"sources"`
}

// Limits are the server's caps.
type Limits struct {
	MaxRows             int     `json:"max_rows"`
	MaxNodes            int     `json:"max_nodes"`
	QueryTimeoutSeconds float64 `json:"query_timeout_seconds"`
	MaxBodyBytes        int64   `json:"max_body_bytes"`
}

// GET /api/v1/status: version, limits and what the store holds.
func (c *call) status() (any, error) {
	st := &Status{Version: c.s.deps.Version, Now: c.s.deps.Now().UTC(), Auth: c.s.hasToken,
		Limits: Limits{MaxRows: c.s.cfg.MaxRows, MaxNodes: c.s.cfg.MaxNodes,
			QueryTimeoutSeconds: c.s.cfg.QueryTimeout.Seconds(), MaxBodyBytes: c.s.cfg.MaxBodyBytes}}
	if st.Version == "" {
		st.Version = "(devel)"
	}
	if c.s.deps.Store == nil {
		return st, nil
	}
	ss := &StoreStatus{}
	lo, hi, err := c.store.TimeRange(c.ctx)
	if err != nil {
		return nil, err
	}
	if !lo.IsZero() || !hi.IsZero() {
		lo, hi = lo.UTC(), hi.UTC()
		ss.First, ss.Last = &lo, &hi
	}
	res, err := c.store.Query(c.ctx, store.Query{Measures: []store.Measure{store.Flows, store.Packets, store.Bytes}})
	if err != nil {
		return nil, err
	}
	if len(res.Rows) > 0 {
		row := res.Rows[0]
		get := func(col string) uint64 {
			if i := res.Col(col); i >= 0 {
				if v, ok := row[i].(uint64); ok {
					return v
				}
			}
			return 0
		}
		ss.Records, ss.Packets, ss.Bytes = get("flows"), get("packets"), get("bytes")
	}
	srcs, err := c.store.Sources(c.ctx)
	if err != nil {
		return nil, err
	}
	ss.Sources = len(srcs)
	st.Store = ss
	return st, nil
}
