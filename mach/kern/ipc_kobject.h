/*
 * ipc_kobject.h — kernel objects reached through ports: task, thread and host ports, and the
 * kernel server that answers messages sent to them (XNU osfmk/kern/ipc_kobject.c, ipc_tt.c,
 * ipc_host.c; message layouts from the MIG-generated <mach/task.h>, <mach/thread_act.h>,
 * <mach/mach_host.h>, <mach/mach_port.h> for a 64-bit task).
 *
 * The one idea: a kernel object's port is an ordinary port whose receive right the kernel
 * holds. A message sent to it is not queued: the kernel server takes it, finds the routine by
 * message id, runs it on the object with the request's arguments, and sends the reply (id +
 * 100, the MIG convention) to the request's reply port. The interface description —
 * message ids, request and reply layouts, the routine table — is mach/kern/mig_defs.h, which
 * the kernel server and user/libmach's stubs both compile.
 */
#ifndef _MACH_KERN_IPC_KOBJECT_H_
#define _MACH_KERN_IPC_KOBJECT_H_

#include <mach/ipc/ipc.h>
#include <mach/kern/mig_defs.h>

struct task;
struct thread;

/*
 * ipc_kobject_init: register the kernel server, create the host port and give kernel_task its
 * space and task port. Once, after ipc_bootstrap() and task_init().
 */
void ipc_kobject_init(void);

/*
 * ipc_kobject_alloc: a port for object of kind type (IKOT_*), its receive right held by the
 * kernel. Returns: the port (one reference, the receive right's), or NULL when memory is short.
 */
ipc_port_t ipc_kobject_alloc(void *object, unsigned type);

/*
 * ipc_kobject_destroy: the object is going: its port forgets it and dies (senders' names turn
 * into dead names). Locks: none held; takes the IPC lock.
 */
void ipc_kobject_destroy(ipc_port_t port);

/* ---- ipc_tt.c: task and thread ports ---- */
/*
 * ipc_task_init: give task an IPC space and a task port.
 *   Returns: KERN_SUCCESS, KERN_RESOURCE_SHORTAGE.
 */
kern_return_t ipc_task_init(struct task *task);
/* ipc_task_terminate: destroy task's space and port (task_deallocate calls it). */
void ipc_task_terminate(struct task *task);
/*
 * ipc_task_exit: task's last thread is leaving (process exit): every right its space holds is
 * destroyed now — receivers it held die (senders elsewhere see dead names), its send rights go
 * (no-senders fire) — and its special and exception ports are released. The task port stays
 * until the task is freed. Locks: none held.
 */
void ipc_task_exit(struct task *task);
/*
 * ipc_task_inherit: child, made by fork from parent, gets a copy of parent's special ports
 * (TASK_BOOTSTRAP_PORT) and exception ports, as XNU's ipc_task_init(child, parent). Locks:
 * none held.
 */
void ipc_task_inherit(struct task *child, struct task *parent);
/* ipc_thread_terminate: kill thread's port, if it has one (the thread is being freed). */
void ipc_thread_terminate(struct thread *thread);

/*
 * The traps, as kernel functions of the calling task (the class-1 trap table will call them
 * with current_task()): each returns a name in task's space for a new user reference of a send
 * right to the object (task_self, thread_self, host_self) or a new receive right
 * (mach_reply_port); MACH_PORT_NULL when the task has no space or memory is short.
 */
mach_port_name_t task_self_trap(struct task *task);
mach_port_name_t thread_self_trap(struct thread *thread);
mach_port_name_t host_self_trap(struct task *task);
mach_port_name_t mach_reply_port(struct task *task);
/*
 * ipc_port_name_to_task: the task whose port name denotes a send right to in task's space,
 * with a reference (task_deallocate it), or NULL. Locks: none held.
 * ipc_task_port_copyout: a new send right to target's task port, named in to's space;
 * MACH_PORT_NULL when target has no port or to has no room.
 */
struct task *ipc_port_name_to_task(struct task *task, mach_port_name_t name);
mach_port_name_t ipc_task_port_copyout(struct task *target, struct task *to);

/* ---- the routines (ipc_tt.c, host.c), called by the server with a reference held ---- */
kern_return_t task_info(struct task *task, integer_t flavor, integer_t *out, uint32_t *countp);
kern_return_t thread_info(struct thread *thread, integer_t flavor, integer_t *out,
			  uint32_t *countp);
kern_return_t host_info(integer_t flavor, integer_t *out, uint32_t *countp);
/*
 * task_get_special_port: a send right (*portp, NULL when the slot is empty) to task's special
 * port which (TASK_KERNEL_PORT, TASK_HOST_PORT, TASK_BOOTSTRAP_PORT).
 * task_set_special_port: put the send right port (consumed, also on error; NULL empties the
 * slot) in TASK_BOOTSTRAP_PORT; the other slots are the kernel's.
 *   Locks:   none held.
 *   Returns: KERN_SUCCESS, KERN_INVALID_ARGUMENT (which).
 */
kern_return_t task_get_special_port(struct task *task, int which, ipc_port_t *portp);
kern_return_t task_set_special_port(struct task *task, int which, ipc_port_t port);
/*
 * thread_suspend / thread_resume, task_suspend / task_resume (thread_act.c): a suspend count;
 * a user thread whose own or whose task's count is above zero does not return to user mode
 * until both are zero again (it stops at its next return, as XNU's AST_APC).
 *   Returns: KERN_SUCCESS; KERN_INVALID_ARGUMENT (a kernel thread or kernel_task);
 *            KERN_FAILURE (resume of a count at zero).
 */
kern_return_t thread_suspend(struct thread *thread);
kern_return_t thread_resume(struct thread *thread);
kern_return_t task_suspend(struct task *task);
kern_return_t task_resume(struct task *task);
/* thread_suspend_wait: the current thread, returning to user mode, waits while suspended. */
void thread_suspend_wait(void);
/*
 * thread_get_state / thread_set_state: a user thread's registers in flavor's layout
 * (x86_THREAD_STATE64). get: *countp words of room in, the words written out. set: count
 * words, checked (a kernel address in rip, bad segments are refused); not on the caller itself.
 *   Returns: KERN_SUCCESS; KERN_INVALID_ARGUMENT (flavor, count, a kernel thread, the caller
 *            setting its own state, a state that cannot be loaded).
 */
kern_return_t thread_get_state(struct thread *thread, int flavor, natural_t *state,
			       uint32_t *countp);
kern_return_t thread_set_state(struct thread *thread, int flavor, const natural_t *state,
			       uint32_t count);
/* thread_state_apply: thread_set_state's work, also on the current thread (exception_triage
 * applies a handler's EXCEPTION_STATE reply to the thread that faulted, in its trap). */
kern_return_t thread_state_apply(struct thread *thread, int flavor, const natural_t *state,
				 uint32_t count);
/* task_threads: send rights to the task's thread ports; *portsp kalloc'd (*countp entries). */
kern_return_t task_threads(struct task *task, ipc_port_t **portsp, uint32_t *countp);

/* Internals shared by ipc_kobject.c, ipc_tt.c and host.c. */
ipc_port_t ipc_host_port(void);
/* A send right to the port in *slot (made on first use for object of type). IPC lock held. */
ipc_port_t ipc_kobject_make_send_lazy(ipc_port_t *slot, void *object, unsigned type);
/* Give task's space the send right port (consumed); its name or MACH_PORT_NULL. */
mach_port_name_t ipc_kobject_copyout_send(struct task *task, ipc_port_t port);

#endif /* _MACH_KERN_IPC_KOBJECT_H_ */
