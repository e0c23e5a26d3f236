package store

// CompileFilter compiles f to a boolean SQL expression over the flows view
// with '?' placeholders and their arguments ("" when f selects everything),
// for callers that select raw flows themselves (flowlens filter).
func CompileFilter(d Dialect, f *Filter) (string, []any, error) { return compileFilter(d, f) }
