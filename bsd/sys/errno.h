/*
 * errno.h — BSD-layer error numbers. The values are Linux's (asm-generic/errno-base.h and
 * errno.h), since class-0 system calls speak the Linux x86-64 ABI (ARCHITECTURE.md, "User ABI"),
 * so no translation table is needed at the system-call boundary. Hosted builds use the host's.
 */
#ifndef _BSD_SYS_ERRNO_H_
#define _BSD_SYS_ERRNO_H_

#ifdef NIMBUS_HOSTED
#include <errno.h>
#else
#define EPERM	      1
#define ENOENT	      2
#define EIO	      5
#define ENXIO	      6
#define E2BIG	      7
#define ENOMEM	      12
#define EFAULT	      14
#define EBUSY	      16
#define EEXIST	      17
#define EXDEV	      18
#define ENODEV	      19
#define ENOTDIR	      20
#define EISDIR	      21
#define EINVAL	      22
#define EFBIG	      27
#define ENOSPC	      28
#define EROFS	      30
#define EMLINK	      31
#define ERANGE	      34
#define ENAMETOOLONG  36
#define ENOTEMPTY     39
#define ELOOP	      40
/* Processes, descriptors and system calls (bsd/kern). */
#define ESRCH	      3
#define EINTR	      4
#define ENOEXEC	      8
#define EBADF	      9
#define ECHILD	      10
#define EAGAIN	      11
#define EACCES	      13
#define ENFILE	      23
#define EMFILE	      24
#define ENOTTY	      25
#define ENODEV	      19
#define EPIPE	      32
#define ESPIPE	      29
#define ENOSYS	      38
#define EOPNOTSUPP    95
#define ENOTSUP	      EOPNOTSUPP
#endif

#endif /* _BSD_SYS_ERRNO_H_ */
