package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/flowlens/flowlens/internal/store"
)

// Envelope is the body of every /api/v1/ response (downloads aside).
type Envelope struct {
	// Status is "success" or "error".
	Status string `json:"status"`
	// Data is the result (success only).
	Data any `json:"data,omitempty"`
	// ErrorType classifies errors: bad_parameter, unauthorized, forbidden,
	// not_found, method_not_allowed, too_large, timeout, unavailable,
	// internal.
	ErrorType string `json:"error_type,omitempty"`
	// Error says what went wrong and what to do.
	Error string `json:"error,omitempty"`
	// Warnings are things the caller should know about a successful
	// answer (a lowered limit, an aggregated graph, a pattern label that
	// never matches).
	Warnings []string `json:"warnings,omitempty"`
}

// Envelope statuses.
const (
	StatusSuccess = "success"
	StatusError   = "error"
)

// apiError is an error with its HTTP status and type.
type apiError struct {
	status int
	typ    string
	msg    string
}

func (e *apiError) Error() string { return e.msg }

// The error types and their HTTP statuses.
var errorTypes = map[int]string{
	http.StatusBadRequest:            "bad_parameter",
	http.StatusUnauthorized:          "unauthorized",
	http.StatusForbidden:             "forbidden",
	http.StatusNotFound:              "not_found",
	http.StatusMethodNotAllowed:      "method_not_allowed",
	http.StatusRequestEntityTooLarge: "too_large",
	http.StatusServiceUnavailable:    "unavailable",
	http.StatusInternalServerError:   "internal",
}

func errorf(status int, format string, args ...any) *apiError {
	return &apiError{status: status, typ: errorTypes[status], msg: fmt.Sprintf(format, args...)}
}

// badParam is a 400 naming the parameter.
func badParam(name string, format string, args ...any) *apiError {
	return errorf(http.StatusBadRequest, "parameter %s: %s", name, fmt.Sprintf(format, args...))
}

// timeoutError is the 503 of a request that ran out of time.
func timeoutError(d fmt.Stringer) *apiError {
	e := errorf(http.StatusServiceUnavailable, "the query took longer than the query timeout (%s): narrow the time range or the filters, or raise the server's query timeout", d)
	e.typ = "timeout"
	return e
}

// classify turns the error of a handler into an apiError. storeErr is the
// first error the store returned during the request (nil if none): errors
// of an analysis that the store did not cause are the caller's (bad
// parameters the analysis refused).
func (c *call) classify(err error, storeErr error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if ctxErr := c.ctx.Err(); ctxErr != nil || errors.Is(err, context.DeadlineExceeded) {
		if errors.Is(ctxErr, context.Canceled) && c.r.Context().Err() != nil {
			e := errorf(http.StatusServiceUnavailable, "request cancelled")
			e.status = statusClientClosed
			return e
		}
		return timeoutError(c.s.cfg.QueryTimeout)
	}
	switch {
	case storeErr == nil:
		return errorf(http.StatusBadRequest, "%s", err)
	case errors.Is(storeErr, store.ErrForbidden):
		return errorf(http.StatusBadRequest, "%s", err)
	case errors.Is(storeErr, store.ErrClosed):
		return errorf(http.StatusServiceUnavailable, "the store is closed: %s", err)
	}
	return errorf(http.StatusInternalServerError, "%s", err)
}

// statusClientClosed is nginx's status for a client that went away; it is
// only counted in metrics and logs (the client is gone).
const statusClientClosed = 499

// writeEnvelope writes env as JSON with the given status.
func (s *Server) writeEnvelope(w http.ResponseWriter, status int, env *Envelope) {
	body, err := json.Marshal(env)
	if err != nil {
		s.log.Error("encoding a response", "error", err)
		status = http.StatusInternalServerError
		body, _ = json.Marshal(&Envelope{Status: StatusError, ErrorType: "internal", Error: "encoding the response: " + err.Error()})
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}

// writeError writes an error envelope.
func (s *Server) writeError(w http.ResponseWriter, e *apiError) {
	status := e.status
	if status == statusClientClosed {
		status = http.StatusServiceUnavailable
	}
	switch status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Bearer realm="flowlens"`)
	}
	if rec, ok := w.(*recorder); ok && e.status == statusClientClosed {
		rec.clientGone = true
	}
	s.writeEnvelope(w, status, &Envelope{Status: StatusError, ErrorType: e.typ, Error: e.msg})
}
