/*
 * inflate.h — DEFLATE decompression (RFC 1951) and the gzip file format around it (RFC 1952),
 * for a gzip'd initramfs (what QEMU's -initrd and GRUB hand over as Linux expects them).
 *
 * Portable (no kernel calls but the CRC): the input is untrusted bytes; every code, length and
 * distance is checked against the tables and the buffers before use, so bad input is an error,
 * never a read or write outside them.
 */
#ifndef _BSD_KERN_INFLATE_H_
#define _BSD_KERN_INFLATE_H_

#include <libkern/libkern.h>

/*
 * inflate_raw: decompress the DEFLATE stream at src (srclen bytes) into dst (dstcap bytes).
 *   Returns: 0, *outlen the bytes written and *inused the bytes of src the stream took (up to
 *            the end of its last byte); EINVAL (malformed: a bad block type, code, length,
 *            distance, or the input ends early); E2BIG (the output would pass dstcap).
 */
int inflate_raw(const void *src, size_t srclen, void *dst, size_t dstcap, size_t *outlen,
		size_t *inused);

/*
 * gzip_is: whether buf starts with the gzip magic (1f 8b).
 * gzip_size_hint: the size the last member's trailer claims (ISIZE, modulo 2^32), or 0 when
 *   buf is too short: a hint to size dst, to be checked by gzip_inflate.
 */
bool gzip_is(const void *buf, size_t len);
uint32_t gzip_size_hint(const void *buf, size_t len);

/*
 * gzip_inflate: decompress the gzip member at src into dst: header (FEXTRA, FNAME, FCOMMENT,
 * FHCRC skipped), DEFLATE data, then the trailer's CRC-32 and size checked against the output.
 *   Returns: 0, *outlen, *inused (through the trailer); EINVAL (not gzip, a reserved flag, a
 *            method other than deflate, malformed data, a CRC or size mismatch); E2BIG.
 */
int gzip_inflate(const void *src, size_t srclen, void *dst, size_t dstcap, size_t *outlen,
		 size_t *inused);

#endif /* _BSD_KERN_INFLATE_H_ */
