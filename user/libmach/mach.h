/*
 * mach.h — user/libmach: the Mach interface for Nimbus user programs — the class-1 traps
 * (ARCHITECTURE.md "User ABI") and the stubs of the kernel server's routines, in XNU's names
 * and argument order (<mach/mach.h>, <mach/mach_port.h>, <mach/task.h>, <mach/thread_act.h>).
 *
 * The one idea: the message layouts, ids and the routine list are the kernel's own
 * (mach/kern/mig_defs.h, MIG_ROUTINES), compiled here as they are compiled into the kernel
 * server, so a stub and the dispatch entry it reaches cannot disagree. Build with musl-gcc
 * -DNIMBUS_HOSTED -I<tree> -I<tree>/kernel (user.inc does).
 *
 * XXX: one cached MIG reply port per process (re-made after fork), so the stubs are not yet
 * safe for two threads of one process at once (XNU keeps one per thread).
 */
#ifndef _LIBMACH_MACH_H_
#define _LIBMACH_MACH_H_

#include <mach/kern/mig_defs.h>

typedef mach_port_name_t mach_port_t;

/* ---- traps ---- */
mach_port_t mach_task_self(void);
mach_port_t mach_thread_self(void);
mach_port_t mach_host_self(void);
mach_port_t mach_reply_port(void);
mach_msg_return_t mach_msg(void *msg, mach_msg_option_t option, mach_msg_size_t send_size,
			   mach_msg_size_t rcv_size, mach_port_t rcv_name,
			   mach_msg_timeout_t timeout);
/* task_for_pid: a send right to pid's task port (privileged callers only). */
kern_return_t task_for_pid(mach_port_t task, int pid, mach_port_t *target);

/* ---- stubs of the kernel server (mig_defs.h) ---- */
kern_return_t mach_port_allocate(mach_port_t task, mach_port_right_t right,
				 mach_port_name_t *name);
kern_return_t mach_port_deallocate(mach_port_t task, mach_port_name_t name);
kern_return_t mach_port_destroy(mach_port_t task, mach_port_name_t name);
kern_return_t mach_port_type(mach_port_t task, mach_port_name_t name, mach_port_type_t *type);
kern_return_t mach_port_get_refs(mach_port_t task, mach_port_name_t name,
				 mach_port_right_t right, mach_port_urefs_t *refs);
kern_return_t mach_port_mod_refs(mach_port_t task, mach_port_name_t name,
				 mach_port_right_t right, mach_port_delta_t delta);
kern_return_t mach_port_insert_right(mach_port_t task, mach_port_name_t name, mach_port_t poly,
				     mach_msg_type_name_t poly_disp);
kern_return_t mach_port_request_notification(mach_port_t task, mach_port_name_t name,
					     mach_msg_id_t msgid, mach_port_mscount_t sync,
					     mach_port_t notify, mach_msg_type_name_t notify_disp,
					     mach_port_t *previous);
kern_return_t task_get_special_port(mach_port_t task, int which, mach_port_t *port);
kern_return_t task_set_special_port(mach_port_t task, int which, mach_port_t port);
kern_return_t task_set_exception_ports(mach_port_t task, exception_mask_t mask,
				       mach_port_t port, exception_behavior_t behavior,
				       int flavor);
kern_return_t thread_set_exception_ports(mach_port_t thread, exception_mask_t mask,
					 mach_port_t port, exception_behavior_t behavior,
					 int flavor);
kern_return_t thread_get_state(mach_port_t thread, int flavor, natural_t *state,
			       uint32_t *count);
kern_return_t thread_set_state(mach_port_t thread, int flavor, const natural_t *state,
			       uint32_t count);
kern_return_t thread_suspend(mach_port_t thread);
kern_return_t thread_resume(mach_port_t thread);
kern_return_t task_suspend(mach_port_t task);
kern_return_t task_resume(mach_port_t task);
/* mach_vm_*: the memory of the task whose port is given (mach_vm.defs; read's data arrives
 * out of line, copy-on-write, in the caller's map: vm_deallocate / munmap it). */
kern_return_t mach_vm_allocate(mach_port_t task, uint64_t *address, uint64_t size, int flags);
kern_return_t mach_vm_deallocate(mach_port_t task, uint64_t address, uint64_t size);
kern_return_t mach_vm_protect(mach_port_t task, uint64_t address, uint64_t size,
			      int set_maximum, int new_protection);
kern_return_t mach_vm_read(mach_port_t task, uint64_t address, uint64_t size, uint64_t *data,
			   uint32_t *dataCnt);
kern_return_t mach_vm_write(mach_port_t task, uint64_t address, const void *data,
			    uint32_t dataCnt);

#endif /* _LIBMACH_MACH_H_ */
