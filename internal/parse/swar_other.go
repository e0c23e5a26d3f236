//go:build !amd64 && !arm64

package parse

import (
	"encoding/binary"
	"unsafe"
)

// le64 returns the eight bytes at b[i:] as a little-endian word. The caller
// guarantees i+8 <= len(b): there is no bounds check.
func le64(b []byte, i int) uint64 {
	return binary.LittleEndian.Uint64(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i)), 8))
}

// le32 is le64 for four bytes.
func le32(b []byte, i int) uint32 {
	return binary.LittleEndian.Uint32(unsafe.Slice((*byte)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i)), 4))
}
