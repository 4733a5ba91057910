/*
 * task.h — Mach tasks: the resource container threads run in (XNU osfmk/kern/task.h).
 *
 * The one idea: a task owns an address space handle and a list of threads (later the IPC
 * space); it lives as long as references to it do. Only kernel_task exists until the BSD
 * issue brings user tasks.
 */
#ifndef _MACH_KERN_TASK_H_
#define _MACH_KERN_TASK_H_

#include <mach/kern/kern_return.h>
#include <mach/kern/locks.h>
#include <mach/kern/queue.h>

struct vm_map;
struct ipc_space;
struct ipc_port;
struct exception_action;

typedef struct task {
	lck_spin_t t_lock;
	uint32_t t_ref;
	queue_head_t t_threads; /* thread.th_task_link, under t_lock */
	unsigned t_thread_count;
	struct vm_map *t_map;	/* XXX: NULL for the kernel task until vm_map lands */
	const char *t_name;
	void *t_bsd_info;	/* the BSD proc over this task (bsd/kern/proc.h), or NULL */
	struct ipc_space *t_space; /* its port names (ipc_task_init), or NULL */
	struct ipc_port *t_self;   /* its task port (a kernel object), or NULL */
	struct exception_action *t_exc_actions; /* EXC_TYPES_COUNT, made on first set */
	uint32_t t_suspend_count; /* task_suspend - task_resume (thread_act.c) */
	struct ipc_port *t_bootstrap; /* TASK_BOOTSTRAP_PORT: a send right, or NULL (ipc_tt.c) */
} *task_t;

extern task_t kernel_task;

/* task_init: create kernel_task and the task zone. Once, at scheduler start-up. */
void task_init(void);
/*
 * task_create: a new task with no threads over map (the task takes over the caller's map
 * reference and drops it when freed).
 *   Returns: the task with one reference, or NULL when memory is short.
 */
task_t task_create(struct vm_map *map, const char *name);
void task_reference(task_t task);
/* Drop a reference; the last one frees the task (it must have no threads left). */
void task_deallocate(task_t task);
/* Add / remove a thread on the task's list. Locks: takes the task lock. */
void task_add_thread(task_t task, struct thread *thread);
void task_remove_thread(task_t task, struct thread *thread);

#endif /* _MACH_KERN_TASK_H_ */
