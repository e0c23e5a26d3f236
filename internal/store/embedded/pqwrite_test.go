package embedded

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	_ "github.com/duckdb/duckdb-go/v2"
)

// TestParquetWriterRoundTrip writes random columns with the custom writer
// and reads them back with DuckDB.
func TestParquetWriterRoundTrip(t *testing.T) {
	enc, err := newCodec("zstd", 2)
	if err != nil {
		t.Fatal(err)
	}
	cols := []pqColumn{{"a", pqU8}, {"b", pqU16}, {"c", pqU32}, {"d", pqU64}, {"e", pqI64}, {"s", pqString}, {"z", pqString}}
	f := func(name string, groups []int, nullRate float64, dictSize int, runs bool) {
		t.Helper()
		rng := rand.New(rand.NewPCG(uint64(len(name)), 7))
		path := filepath.Join(t.TempDir(), name+".parquet")
		p, err := createParquet(path, cols)
		if err != nil {
			t.Fatal(err)
		}
		dict := make([]string, dictSize)
		for i := range dict {
			dict[i] = fmt.Sprintf("v%05d-%s", i, name)
		}
		var want [][]any
		for _, n := range groups {
			chunks := make([]pqChunk, len(cols))
			rows := make([][]any, n)
			for r := range rows {
				rows[r] = make([]any, len(cols))
			}
			for ci, c := range cols {
				ch := &chunks[ci]
				ch.Valid = make([]bool, n)
				ch.Dict = dict
				prev := uint64(0)
				for r := 0; r < n; r++ {
					if c.Name == "z" || rng.Float64() < nullRate {
						continue
					}
					ch.Valid[r] = true
					v := rng.Uint64()
					if runs && rng.IntN(10) > 0 {
						v = prev
					}
					prev = v
					switch c.Type {
					case pqU8:
						v &= 0xff
						rows[r][ci] = uint8(v)
					case pqU16:
						v &= 0xffff
						rows[r][ci] = uint16(v)
					case pqU32:
						v &= 0xffffffff
						rows[r][ci] = uint32(v)
					case pqU64:
						rows[r][ci] = v
					case pqI64:
						rows[r][ci] = int64(v)
					case pqString:
						i := uint32(v % uint64(dictSize))
						ch.Idx = append(ch.Idx, i)
						rows[r][ci] = dict[i]
						continue
					}
					ch.Ints = append(ch.Ints, v)
				}
			}
			enc2 := make([]*encodedChunk, len(cols))
			for ci := range cols {
				if enc2[ci], err = encodeChunk(cols[ci], &chunks[ci], n, enc, new(scratch)); err != nil {
					t.Fatal(err)
				}
			}
			if err := p.writeRowGroup(n, enc2); err != nil {
				t.Fatal(err)
			}
			want = append(want, rows...)
		}
		if _, err := p.close(map[string]string{"k": "v"}, true); err != nil {
			t.Fatal(err)
		}
		db, err := sql.Open("duckdb", "")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		rows, err := db.Query(fmt.Sprintf("SELECT a, b, c, d, e, s, z FROM read_parquet('%s')", path))
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		i := 0
		for rows.Next() {
			got := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for j := range got {
				ptrs[j] = &got[j]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			if i >= len(want) {
				t.Fatalf("%s: more rows than written", name)
			}
			for j := range got {
				if fmt.Sprint(got[j]) != fmt.Sprint(want[i][j]) && !(got[j] == nil && want[i][j] == nil) {
					t.Fatalf("%s: row %d col %s: got %v (%T), want %v", name, i, cols[j].Name, got[j], got[j], want[i][j])
				}
			}
			i++
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if i != len(want) {
			t.Fatalf("%s: read %d rows, wrote %d", name, i, len(want))
		}
		// Statistics must bound the values (DuckDB prunes with them).
		var minD, maxD sql.NullString
		err = db.QueryRow(fmt.Sprintf("SELECT min(stats_min_value), max(stats_max_value) FROM parquet_metadata('%s') WHERE path_in_schema = 's'", path)).Scan(&minD, &maxD)
		if err != nil {
			t.Fatal(err)
		}
		var minS, maxS sql.NullString
		db.QueryRow(fmt.Sprintf("SELECT min(s), max(s) FROM read_parquet('%s')", path)).Scan(&minS, &maxS)
		if len(groups) == 1 && minS.Valid && (minD.String != minS.String || maxD.String != maxS.String) {
			t.Fatalf("%s: stats [%s, %s], data [%s, %s]", name, minD.String, maxD.String, minS.String, maxS.String)
		}
	}
	f("small", []int{1}, 0, 1, false)
	f("nonulls", []int{1000}, 0, 3, true)
	f("nulls", []int{777, 1}, 0.3, 300, false)
	f("runs", []int{5000, 4096}, 0.05, 70000, true)
	f("allnull", []int{100}, 1, 2, false)
	f("odd", []int{9, 15, 17}, 0.5, 2, true)
}

func TestHybridRuns(t *testing.T) {
	// A run of 8+ after a non multiple of 8 pending values must keep the
	// value count exact; checked through DuckDB above, here the byte shape.
	got := appendHybrid(nil, []uint32{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 1, nil)
	want := []byte{20, 1} // RLE run of 10 ones
	if string(got) != string(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	got = appendHybrid(nil, []uint32{0, 1, 0}, 1, nil)
	want = []byte{3, 2} // one bit-packed group: 0b010
	if string(got) != string(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}
