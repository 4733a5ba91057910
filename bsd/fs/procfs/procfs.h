/*
 * procfs.h — the process file system (procfs_vnops.c, procfs_files.c, procfs_parse.c): mounted
 * by `mount -t proc proc /proc`; its vfsops are procfs_vfsops in bsd/sys/mount.h.
 */
#ifndef _BSD_FS_PROCFS_PROCFS_H_
#define _BSD_FS_PROCFS_PROCFS_H_

#include <bsd/sys/errno.h>
#include <libkern/libkern.h>

/*
 * procfs_parse_uint: the number a user wrote to a /proc control file (buf, len bytes, not
 * NUL-terminated): optional blanks (space, tab, newline), decimal digits, optional blanks —
 * nothing else, and not above max. What Linux's proc_dointvec accepts, minus signs and "0x".
 *   Returns: 0 and *out; EINVAL (empty, a stray byte, more than max or 2^64 - 1).
 */
int procfs_parse_uint(const char *buf, size_t len, uint64_t max, uint64_t *out);

#endif /* _BSD_FS_PROCFS_PROCFS_H_ */
