/*
 * task.c — Mach tasks (see task.h): the kernel task and the reference counting every task
 * has. Follows XNU osfmk/kern/task.c (task_reference/task_deallocate, the thread list).
 */
#include <console.h>
#include <mach/kern/ipc_kobject.h>
#include <mach/kern/task.h>
#include <mach/kern/thread.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/vm_map.h>
#include <panic.h>

task_t kernel_task;
static zone_t task_zone;

void
task_init(void)
{
	task_zone = zinit(sizeof(struct task), 0, 0, "tasks");
	if (task_zone == NULL)
		panic("task_init: no task zone");
	kernel_task = zalloc(task_zone);
	if (kernel_task == NULL)
		panic("task_init: no memory for kernel_task");
	memset(kernel_task, 0, sizeof(*kernel_task));
	lck_spin_init(&kernel_task->t_lock);
	queue_init(&kernel_task->t_threads);
	kernel_task->t_ref = 1; /* never dropped */
	kernel_task->t_name = "kernel_task";
}

task_t
task_create(struct vm_map *map, const char *name)
{
	task_t task = zalloc(task_zone);

	if (task == NULL)
		return NULL;
	memset(task, 0, sizeof(*task));
	lck_spin_init(&task->t_lock);
	queue_init(&task->t_threads);
	task->t_ref = 1;
	task->t_map = map;
	task->t_name = name;
	return task;
}

void
task_reference(task_t task)
{
	__atomic_fetch_add(&task->t_ref, 1, __ATOMIC_RELAXED);
}

void
task_deallocate(task_t task)
{
	if (__atomic_sub_fetch(&task->t_ref, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (task == kernel_task || task->t_thread_count != 0)
		panic("task_deallocate: %s freed with %u threads", task->t_name,
		      task->t_thread_count);
	if (task->t_map != NULL)
		vm_map_deallocate(task->t_map);
	ipc_task_terminate(task);
	zfree(task_zone, task);
}

void
task_add_thread(task_t task, struct thread *thread)
{
	bool st = lck_spin_lock_irqsave(&task->t_lock);

	queue_enter(&task->t_threads, &thread->th_task_link);
	task->t_thread_count++;
	lck_spin_unlock_irqrestore(&task->t_lock, st);
}

void
task_remove_thread(task_t task, struct thread *thread)
{
	bool st = lck_spin_lock_irqsave(&task->t_lock);

	queue_remove(&thread->th_task_link);
	task->t_thread_count--;
	lck_spin_unlock_irqrestore(&task->t_lock, st);
}
