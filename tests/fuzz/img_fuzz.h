/*
 * img_fuzz.h — a disk image in the fuzzer's memory, read through a file system core's
 * block-device callback (ext2, cd9660): offsets and lengths must be whole 512-byte blocks (the
 * contract; a core that breaks it aborts), and a read past the image's end is EIO.
 */
#ifndef _TESTS_FUZZ_IMG_FUZZ_H_
#define _TESTS_FUZZ_IMG_FUZZ_H_

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct img {
	uint8_t *data;
	size_t len;
};

static inline int
img_read(void *ctx, uint64_t off, void *buf, size_t len)
{
	struct img *im = ctx;

	if (off % 512 != 0 || len % 512 != 0)
		abort(); /* the block-device contract */
	if (off > im->len || len > im->len - off)
		return EIO;
	memcpy(buf, im->data + off, len);
	return 0;
}

#endif /* _TESTS_FUZZ_IMG_FUZZ_H_ */
