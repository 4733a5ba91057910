/*
 * vm_compress.h — a small LZ77 codec for whole pages: the default pager's in-memory store
 * keeps anonymous pages compressed when there is no swap device (see vm_compress.c).
 */
#ifndef _MACH_VM_VM_COMPRESS_H_
#define _MACH_VM_VM_COMPRESS_H_

#include <libkern/libkern.h>

/*
 * vmc_compress: compress n bytes (n <= 65536) of src into dst, at most cap bytes.
 *   Returns: the compressed length, or 0 when it would need more than cap (store the data as
 *   it is). Pure; needs about 2 KiB of stack.
 */
size_t vmc_compress(const uint8_t *src, size_t n, uint8_t *dst, size_t cap);

/*
 * vmc_decompress: expand len bytes of src into exactly n bytes at dst.
 *   Returns: 0, or -1 when src is not a well-formed compression of n bytes (a length or offset
 *   that points outside either buffer, or the wrong total) — dst is then partly written but
 *   nothing outside dst[0..n) or src[0..len) was touched. Pure.
 */
int vmc_decompress(const uint8_t *src, size_t len, uint8_t *dst, size_t n);

#endif /* _MACH_VM_VM_COMPRESS_H_ */
