package embedded

import (
	"fmt"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/zstd"
	"github.com/parquet-go/parquet-go/format"
)

// codec compresses Parquet pages. encode may be called concurrently.
type codec interface {
	encode(dst, src []byte) []byte
	id() format.CompressionCodec
	name() string
	close()
}

// newCodec returns the codec named "zstd", "snappy" or "none".
func newCodec(name string, threads int) (codec, error) {
	switch name {
	case "zstd":
		z, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(threads))
		if err != nil {
			return nil, err
		}
		return zstdCodec{z}, nil
	case "snappy":
		return snappyCodec{}, nil
	case "none":
		return noCodec{}, nil
	}
	return nil, fmt.Errorf("unknown compression %q: use zstd, snappy or none", name)
}

type zstdCodec struct{ z *zstd.Encoder }

func (c zstdCodec) encode(dst, src []byte) []byte { return c.z.EncodeAll(src, dst[:0]) }
func (zstdCodec) id() format.CompressionCodec     { return format.Zstd }
func (zstdCodec) name() string                    { return "zstd" }
func (c zstdCodec) close()                        { c.z.Close() }

type snappyCodec struct{}

func (snappyCodec) encode(dst, src []byte) []byte {
	n := s2.MaxEncodedLen(len(src))
	if cap(dst) < n {
		dst = make([]byte, n)
	}
	return s2.EncodeSnappy(dst[:n], src)
}
func (snappyCodec) id() format.CompressionCodec { return format.Snappy }
func (snappyCodec) name() string                { return "snappy" }
func (snappyCodec) close()                      {}

type noCodec struct{}

func (noCodec) encode(dst, src []byte) []byte { return append(dst[:0], src...) }
func (noCodec) id() format.CompressionCodec   { return format.Uncompressed }
func (noCodec) name() string                  { return "none" }
func (noCodec) close()                        {}
