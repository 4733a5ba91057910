/*
 * uipc_syscalls.h — the socket system calls (uipc_syscalls.c) for the Linux table in
 * syscall.c, and the fileops that mark a descriptor as a socket.
 */
#ifndef _BSD_KERN_UIPC_SYSCALLS_H_
#define _BSD_KERN_UIPC_SYSCALLS_H_

#include <arch/x86_64/trap.h>

#define SYS_SOCKET_HANDLERS(X)                                                                  \
	X(sys_socket) X(sys_socketpair) X(sys_bind) X(sys_listen) X(sys_accept) X(sys_accept4)  \
	X(sys_connect) X(sys_sendto) X(sys_recvfrom) X(sys_sendmsg) X(sys_recvmsg)              \
	X(sys_shutdown) X(sys_setsockopt) X(sys_getsockopt) X(sys_getsockname)                  \
	X(sys_getpeername)

#define SYS_SOCKET_DECLARE(name) long name(struct trapframe *tf);
SYS_SOCKET_HANDLERS(SYS_SOCKET_DECLARE)
#undef SYS_SOCKET_DECLARE

struct fileops;
extern const struct fileops socket_fileops;

#endif /* _BSD_KERN_UIPC_SYSCALLS_H_ */
