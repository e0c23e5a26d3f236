package file

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/flowlens/flowlens/internal/flowlog"
	"github.com/flowlens/flowlens/internal/parse"
	"github.com/flowlens/flowlens/internal/parse/parquet"
)

// flowText returns an S3-style text object: a header and n default-format
// records whose srcport is first+i.
func flowText(first, n int) []byte {
	var b bytes.Buffer
	b.WriteString(parse.DefaultFormat().Header() + "\n")
	for i := range n {
		fmt.Fprintf(&b, "2 123456789012 eni-0a1b2c3d 10.0.%d.%d 10.1.0.1 %d 443 6 10 840 1709978400 1709978460 ACCEPT OK\n", i/256%256, i%256, (first+i)%65536)
	}
	return b.Bytes()
}

func gzipped(t testing.TB, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	if _, err := w.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func zstded(t testing.TB, data []byte) []byte {
	t.Helper()
	w, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	return w.EncodeAll(data, nil)
}

// parquetObject returns the records of flowText as a Parquet file.
func parquetObject(t testing.TB, first, n int) []byte {
	t.Helper()
	var recs []flowlog.Record
	rd := parse.NewReader(bytes.NewReader(flowText(first, n)), "gen", parse.DefaultConfig())
	batch := make([]flowlog.Record, 64)
	for {
		k, err := rd.Read(batch)
		recs = append(recs, batch[:k]...)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	w, err := parquet.NewWriter(&b, parse.DefaultFormat(), parquet.DefaultWriterConfig())
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Write(recs); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestOpen(t *testing.T) {
	root := t.TempDir()
	text := flowText(0, 50)
	pq := parquetObject(t, 0, 50)
	f := func(name string, content []byte, stdin bool, kind Kind, comp Compression, want []byte) {
		t.Helper()
		o := Object{Name: Stdin}
		var in io.Reader
		if stdin {
			in = bytes.NewReader(content)
		} else {
			o.Name = touch(t, root, name, content)
		}
		s, err := Open(&o, in)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		defer s.Close()
		if s.Kind != kind || s.Compression != comp {
			t.Errorf("%s: kind %v, compression %v; want %v, %v", name, s.Kind, s.Compression, kind, comp)
		}
		got, err := io.ReadAll(s)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: decompressed %d bytes, want %d", name, len(got), len(want))
		}
		if s.CompressedBytes() != int64(len(content)) {
			t.Errorf("%s: CompressedBytes %d, want %d", name, s.CompressedBytes(), len(content))
		}
		if kind == KindParquet {
			at := make([]byte, 4)
			if _, err := s.ReaderAt.ReadAt(at, s.Size-4); err != nil || string(at) != "PAR1" || s.Size != int64(len(pq)) {
				t.Errorf("%s: ReaderAt does not give the Parquet file (size %d): %q %v", name, s.Size, at, err)
			}
		}
	}
	f("plain.log", text, false, KindText, CompressionNone, text)
	f("gzipped.log.gz", gzipped(t, text), false, KindText, CompressionGzip, text)
	f("zstd.log.zst", zstded(t, text), false, KindText, CompressionZstd, text)
	// Names lie; magic bytes do not.
	f("plain-named.log.gz", text, false, KindText, CompressionNone, text)
	f("gzip-named.log", gzipped(t, text), false, KindText, CompressionGzip, text)
	f("zstd-named.log.gz", zstded(t, text), false, KindText, CompressionZstd, text)
	// Multi-member gzip (concatenated objects).
	two := append(gzipped(t, text), gzipped(t, text)...)
	f("two-members.log.gz", two, false, KindText, CompressionGzip, append(bytes.Clone(text), text...))
	// Parquet: plain, gzipped as a whole, from stdin.
	f("f.log.parquet", pq, false, KindParquet, CompressionNone, pq)
	f("f.log.parquet.gz", gzipped(t, pq), false, KindParquet, CompressionGzip, pq)
	f("stdin parquet", pq, true, KindParquet, CompressionNone, pq)
	f("stdin gzip", gzipped(t, text), true, KindText, CompressionGzip, text)
	// Short and empty objects are text.
	f("empty.log", nil, false, KindText, CompressionNone, nil)
	f("one-byte.log", []byte{0x1f}, false, KindText, CompressionNone, []byte{0x1f})
}

func TestOpenErrors(t *testing.T) {
	root := t.TempDir()
	f := func(name string, content []byte, want string) {
		t.Helper()
		p := touch(t, root, name, content)
		s, err := Open(&Object{Name: p}, nil)
		if err == nil {
			_, err = io.ReadAll(s)
			s.Close()
			var re *ReadError
			if err != nil && !errors.As(err, &re) {
				t.Errorf("%s: %T is not a *ReadError", name, err)
			}
		}
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v, want one naming the file and containing %q", name, err, want)
		}
	}
	gz := gzipped(t, flowText(0, 2000))
	f("bad-header.log.gz", []byte("\x1f\x8b\x09garbage"), "corrupt gzip data")
	f("truncated.log.gz", gz[:len(gz)/2], "gzip data is truncated")
	crc := bytes.Clone(gz)
	crc[len(crc)-6] ^= 0xff
	f("bad-crc.log.gz", crc, "corrupt gzip data")
	zs := zstded(t, flowText(0, 2000))
	f("truncated.log.zst", zs[:len(zs)/2], "zstd data")
	if _, err := Open(&Object{Name: root + "/missing"}, nil); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("missing file: error %v", err)
	}
}
