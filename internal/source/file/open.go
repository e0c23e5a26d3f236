package file

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"github.com/zeebo/xxh3"
	"io"
	"os"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Kind is what an object holds once decompressed.
type Kind uint8

const (
	KindUnknown Kind = iota // not opened yet
	KindText                // flow log lines
	KindParquet             // an Apache Parquet file
)

func (k Kind) String() string {
	switch k {
	case KindText:
		return "text"
	case KindParquet:
		return "parquet"
	}
	return "unknown"
}

// Compression is the outer compression of an object.
type Compression uint8

const (
	CompressionNone Compression = iota
	CompressionGzip
	CompressionZstd
)

func (c Compression) String() string {
	switch c {
	case CompressionGzip:
		return "gzip"
	case CompressionZstd:
		return "zstd"
	}
	return "none"
}

var (
	magicGzip    = []byte{0x1f, 0x8b}
	magicZstd    = []byte{0x28, 0xb5, 0x2f, 0xfd}
	magicParquet = []byte("PAR1")
)

const readBuffer = 256 << 10

// Stream is an opened object. Read yields its decompressed bytes (text
// lines, or the Parquet file); its errors other than io.EOF are *ReadError.
type Stream struct {
	r           io.Reader
	Kind        Kind
	Compression Compression
	// ReaderAt and Size give random access to the Parquet file when Kind is
	// KindParquet: the file itself when it is an uncompressed regular file,
	// else a temporary copy (removed by Close), so memory stays bounded.
	ReaderAt io.ReaderAt
	Size     int64

	name    string
	inPlace bool // ReaderAt is the object's file
	raw     *countingReader
	closers []func() error
}

// CompressedBytes returns how many bytes were read from the object itself
// (before decompression) so far; for a Parquet file read in place, its size.
func (s *Stream) CompressedBytes() int64 {
	if s.inPlace {
		return s.Size
	}
	return s.raw.n
}

// Close releases the decompressor, the file and any temporary copy. It
// never closes the standard input.
func (s *Stream) Close() error {
	var first error
	for i := len(s.closers) - 1; i >= 0; i-- {
		if err := s.closers[i](); err != nil && first == nil {
			first = err
		}
	}
	s.closers = nil
	return first
}

// Read reads decompressed bytes.
func (s *Stream) Read(p []byte) (int, error) {
	n, err := s.r.Read(p)
	if err != nil && err != io.EOF {
		err = s.wrap(err)
	}
	return n, err
}

// ReadError is a read or decompression error of an object.
type ReadError struct {
	Object      string
	Compression Compression
	Err         error
}

func (e *ReadError) Error() string {
	switch {
	case e.Compression == CompressionNone:
		return e.Object + ": " + e.Err.Error()
	case errors.Is(e.Err, io.ErrUnexpectedEOF):
		return e.Object + ": " + e.Compression.String() + " data is truncated: " + e.Err.Error()
	}
	return e.Object + ": corrupt " + e.Compression.String() + " data: " + e.Err.Error()
}

func (e *ReadError) Unwrap() error { return e.Err }

// countingReader counts and hashes the raw bytes of an object.
type countingReader struct {
	r   io.Reader
	n   int64
	h   xxh3.Hasher
	eof bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	_, _ = c.h.Write(p[:n])
	if err == io.EOF {
		c.eof = true
	}
	return n, err
}

// Hash returns the xxh3 hash of the object's raw bytes once it was read to
// its end as a stream, else "" (a Parquet file read in place, an error).
func (s *Stream) Hash() string {
	if s.inPlace || s.raw == nil || !s.raw.eof {
		return ""
	}
	return fmt.Sprintf("xxh3:%016x", s.raw.h.Sum64())
}

// Open opens o (stdin for "-") and detects its compression and kind from
// magic bytes, whatever its name: gzip (multi-member, as concatenated AWS
// objects are), zstd, or none; then Parquet ("PAR1") or text. Errors name
// the object.
func Open(o *Object, stdin io.Reader) (*Stream, error) {
	var op opener
	s, err := op.open(o, stdin)
	if err != nil {
		op.close()
		return nil, err
	}
	// Runs last: the stream's closers may still use the decompressors.
	s.closers = append([]func() error{func() error { op.close(); return nil }}, s.closers...)
	return s, nil
}

// opener keeps the buffers and decompressors of one worker for reuse from
// object to object: AWS trees hold many small objects. Only one of its
// streams may be open at a time.
type opener struct {
	raw  *bufio.Reader // over the object's bytes
	dec  *bufio.Reader // over the decompressed bytes
	gz   *gzip.Reader
	zstd *zstd.Decoder
}

func (op *opener) close() {
	if op.zstd != nil {
		op.zstd.Close()
		op.zstd = nil
	}
}

func resetBuffer(b **bufio.Reader, r io.Reader, size int) *bufio.Reader {
	if *b == nil {
		*b = bufio.NewReaderSize(r, size)
	} else {
		(*b).Reset(r)
	}
	return *b
}

func (op *opener) open(o *Object, stdin io.Reader) (*Stream, error) {
	s := &Stream{name: o.Name}
	var src io.Reader
	var file *os.File
	if o.Name == Stdin {
		if stdin == nil {
			stdin = os.Stdin
		}
		src = stdin
	} else {
		f, err := os.Open(o.Name)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.Name, err)
		}
		file, src = f, f
		s.closers = append(s.closers, f.Close)
	}
	s.raw = &countingReader{r: src}
	s.raw.h.Reset()
	br := resetBuffer(&op.raw, s.raw, readBuffer)
	// Drop the references to this object when the stream closes.
	s.closers = append(s.closers, func() error { br.Reset(nil); return nil })
	head, _ := br.Peek(4) // a short or empty object is plain text
	var dec io.Reader = br
	switch {
	case bytes.HasPrefix(head, magicGzip):
		var err error
		if op.gz == nil {
			op.gz, err = gzip.NewReader(br)
		} else {
			err = op.gz.Reset(br)
		}
		if err != nil {
			s.Close()
			return nil, &ReadError{Object: o.Name, Compression: CompressionGzip, Err: err}
		}
		s.Compression, dec = CompressionGzip, op.gz
	case bytes.HasPrefix(head, magicZstd):
		var err error
		if op.zstd == nil {
			// Synchronous decoding: Scan already runs one object per
			// core. The window cap (that of zstd --long=27) bounds
			// memory on hostile frame headers.
			op.zstd, err = zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxWindow(1<<27))
		} else {
			err = op.zstd.Reset(br)
		}
		if err != nil {
			s.Close()
			return nil, &ReadError{Object: o.Name, Compression: CompressionZstd, Err: err}
		}
		zr := op.zstd
		s.Compression, dec = CompressionZstd, zr
		s.closers = append(s.closers, func() error { return zr.Reset(nil) })
	}
	s.Kind, s.r = KindText, dec
	if s.Compression != CompressionNone {
		// Look at the decompressed bytes: AWS Parquet objects may be
		// gzipped as a whole.
		db := resetBuffer(&op.dec, dec, 64<<10)
		s.closers = append(s.closers, func() error { db.Reset(nil); return nil })
		dhead, err := db.Peek(4)
		if err != nil && !errors.Is(err, io.EOF) {
			s.Close()
			return nil, s.wrap(err)
		}
		s.r, head = db, dhead
	}
	if !bytes.HasPrefix(head, magicParquet) {
		return s, nil
	}
	s.Kind = KindParquet
	if s.Compression == CompressionNone && file != nil {
		if info, err := file.Stat(); err == nil && info.Mode().IsRegular() {
			s.ReaderAt, s.Size, s.inPlace = file, info.Size(), true
			return s, nil
		}
	}
	if err := s.spool(); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// spool copies the decompressed Parquet file to a temporary file, for the
// random access Parquet needs.
func (s *Stream) spool() error {
	tmp, err := os.CreateTemp("", "flowlens-*.parquet")
	if err != nil {
		return fmt.Errorf("%s: a temporary copy is needed to read this Parquet object: %w", s.name, err)
	}
	s.closers = append(s.closers, func() error {
		tmp.Close()
		return os.Remove(tmp.Name())
	})
	n, err := io.Copy(tmp, s)
	if err != nil {
		return err
	}
	s.ReaderAt, s.Size, s.r = tmp, n, io.NewSectionReader(tmp, 0, n)
	return nil
}

// wrap names the object in a read or decompression error.
func (s *Stream) wrap(err error) error {
	var re *ReadError
	if errors.As(err, &re) {
		return err
	}
	return &ReadError{Object: s.name, Compression: s.Compression, Err: err}
}
