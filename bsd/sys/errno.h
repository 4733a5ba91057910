/*
 * errno.h — BSD-layer error numbers. The values are Linux's (asm-generic/errno-base.h and
 * errno.h), since class-0 system calls speak the Linux x86-64 ABI (ARCHITECTURE.md, "User ABI"),
 * so no translation table is needed at the system-call boundary: they come from the Linux UAPI
 * header itself. Hosted builds use the host's.
 */
#ifndef _BSD_SYS_ERRNO_H_
#define _BSD_SYS_ERRNO_H_

#ifdef NIMBUS_HOSTED
#include <errno.h>
#else
/* The Linux UAPI's numbers, not re-typed (ARCHITECTURE.md, "Specs as dependencies"). */
#include <asm-generic/errno.h>
#define ENOTSUP EOPNOTSUPP
#endif

#endif /* _BSD_SYS_ERRNO_H_ */
