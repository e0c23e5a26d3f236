package server

import "github.com/flowlens/flowlens/internal/store/embedded"

// EmbeddedGauges returns a Dependencies.Gauges function exposing the
// counters of an embedded store (ingest and query counters) at /metrics.
func EmbeddedGauges(s *embedded.Store) func() map[string]float64 {
	return func() map[string]float64 {
		m := s.Metrics()
		return map[string]float64{
			"flowlens_store_records_appended_total":     float64(m.RecordsAppended),
			"flowlens_store_objects_committed_total":    float64(m.ObjectsCommitted),
			"flowlens_store_objects_skipped_total":      float64(m.ObjectsSkipped),
			"flowlens_store_objects_duplicate_total":    float64(m.ObjectsDuplicate),
			"flowlens_store_objects_rolled_back_total":  float64(m.ObjectsRolledBack),
			"flowlens_store_publications_total":         float64(m.Publications),
			"flowlens_store_files_written_total":        float64(m.FilesWritten),
			"flowlens_store_bytes_written_total":        float64(m.BytesWritten),
			"flowlens_store_compactions_total":          float64(m.Compactions),
			"flowlens_store_engine_queries_total":       float64(m.Queries),
			"flowlens_store_engine_query_errors_total":  float64(m.QueryErrors),
			"flowlens_store_engine_query_seconds_total": m.QueryTime.Seconds(),
		}
	}
}
