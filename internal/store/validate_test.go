package store

import (
	"strings"
	"testing"
)

// A measure that needs a field but has none is an error, not a panic.
func TestValidateMeasureWithoutField(t *testing.T) {
	for _, k := range []MeasureKind{MeasureSum, MeasureDistinct, MeasureApproxDistinct, MeasureMin, MeasureMax} {
		err := validate(&Query{Measures: []Measure{{Kind: k}}})
		if err == nil || !strings.Contains(err.Error(), "needs a field") {
			t.Errorf("measure kind %d without field: %v", k, err)
		}
	}
}
