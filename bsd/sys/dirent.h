/*
 * dirent.h — the records getdents64(2) returns, in the Linux layout (getdents(2) man page:
 * struct linux_dirent64; the UAPI headers do not export it): d_ino, d_off (an opaque cookie
 * that resumes the listing after this record), d_reclen (8-byte aligned), d_type, the name.
 */
#ifndef _BSD_SYS_DIRENT_H_
#define _BSD_SYS_DIRENT_H_

#include <libkern/libkern.h>

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

#define DT_UNKNOWN 0
#define DT_FIFO	   1
#define DT_CHR	   2
#define DT_DIR	   4
#define DT_BLK	   6
#define DT_REG	   8
#define DT_LNK	   10
#define DT_SOCK	   12

/* The record length for a name of namelen bytes (with its NUL), 8-byte aligned. */
#define DIRENT64_RECLEN(namelen) \
	((offsetof(struct linux_dirent64, d_name) + (namelen) + 1 + 7) & ~(size_t)7)

#endif /* _BSD_SYS_DIRENT_H_ */
