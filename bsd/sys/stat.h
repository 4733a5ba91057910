/*
 * stat.h — struct stat and the file-type bits as user space sees them: the Linux x86-64 ABI
 * (ARCHITECTURE.md, "User ABI"), taken from the Linux UAPI headers (Debian linux-libc-dev)
 * rather than re-typed: <asm/stat.h> gives struct stat, <linux/stat.h> the S_IF* and mode bits.
 */
#ifndef _BSD_SYS_STAT_H_
#define _BSD_SYS_STAT_H_

/* libkern's __unused (an attribute) would rename the header's padding field. */
#pragma push_macro("__unused")
#undef __unused
#include <asm/stat.h>
#pragma pop_macro("__unused")
#include <linux/stat.h>

_Static_assert(sizeof(struct stat) == 144, "struct stat is the Linux x86-64 layout");

#endif /* _BSD_SYS_STAT_H_ */
