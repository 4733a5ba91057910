/*
 * cpio.h — a reader for cpio "newc" archives (the format of Linux initramfs; see the kernel's
 * Documentation/driver-api/early-userspace/buffer-format.rst): 110-byte ASCII headers
 * "070701" + 13 eight-digit hex fields, the name (NUL included) padded to 4 bytes, the data
 * padded to 4 bytes, ending with the entry "TRAILER!!!".
 *
 * Portable (no kernel calls): the archive is an untrusted byte buffer and every field is checked
 * against its end before use.
 */
#ifndef _BSD_KERN_CPIO_H_
#define _BSD_KERN_CPIO_H_

#include <libkern/libkern.h>

#define CPIO_S_IFMT  0170000
#define CPIO_S_IFREG 0100000
#define CPIO_S_IFDIR 0040000
#define CPIO_S_IFLNK 0120000

struct cpio_entry {
	const char *ce_name;	 /* NUL-terminated, inside the archive, no leading "./" or "/" */
	size_t ce_namelen;	 /* strlen(ce_name) */
	const uint8_t *ce_data;	 /* inside the archive */
	size_t ce_size;
	uint32_t ce_mode;
};

/*
 * cpio_next: the entry at *off in [buf, buf + len), advancing *off past it.
 *   Returns: 1 and *e; 0 at the trailer or the end of the buffer; -1 for a malformed entry
 *            (bad magic, hex digit, a name or data running past the end, a name not
 *            NUL-terminated).
 */
int cpio_next(const void *buf, size_t len, size_t *off, struct cpio_entry *e);

/*
 * cpio_lookup: the entry named path (a leading "/" or "./" is ignored on both sides; the last
 * entry of that name wins, as the kernel's initramfs unpacking overwrites). Symbolic links are
 * not followed.
 *   Returns: 0 and *e; ENOENT (not there), EINVAL (archive malformed before it was found).
 */
int cpio_lookup(const void *buf, size_t len, const char *path, struct cpio_entry *e);

#endif /* _BSD_KERN_CPIO_H_ */
