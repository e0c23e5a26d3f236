//go:build amd64 || arm64

package parse

import "unsafe"

// le64 returns the eight bytes at b[i:] as a little-endian word. The caller
// guarantees i+8 <= len(b): there is no bounds check. These processors are
// little-endian and load unaligned words directly.
func le64(b []byte, i int) uint64 {
	return *(*uint64)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i))
}

// le32 is le64 for four bytes.
func le32(b []byte, i int) uint32 {
	return *(*uint32)(unsafe.Add(unsafe.Pointer(unsafe.SliceData(b)), i))
}
