/*
 * fcntl.h — open(2) flags and *at() constants in the Linux x86-64 ABI, from the Linux UAPI
 * headers (<asm/fcntl.h>, i.e. asm-generic/fcntl.h on x86) rather than re-typed.
 */
#ifndef _BSD_SYS_FCNTL_H_
#define _BSD_SYS_FCNTL_H_

#include <asm/fcntl.h>

#ifndef AT_FDCWD
#define AT_FDCWD -100
#endif

/* The access mode of open flags f: O_RDONLY, O_WRONLY or O_RDWR. */
#define OFLAGS_ACCMODE(f) ((f) & O_ACCMODE)

#endif /* _BSD_SYS_FCNTL_H_ */
