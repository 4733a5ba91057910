/*
 * thread.c — Mach thread life cycle (XNU osfmk/kern/thread.c): creation in kernel_task,
 * reference counting, termination, and the reaper thread that frees terminated threads.
 *
 * The one idea: a terminating thread cannot free the stack it runs on, so it only marks itself
 * TH_TERMINATE and blocks; the scheduler, once off that stack, queues it for the reaper, which
 * drops the thread's own reference. A new thread has no stack at all: it starts like a thread
 * resuming a continuation and gets a stack when it is first switched to.
 */
#include <console.h>
#include <mach/kern/task.h>
#include <mach/kern/ipc_kobject.h>
#include <mach/kern/thread.h>
#include <mach/kern/zalloc.h>
#include <panic.h>

static zone_t thread_zone;
static lck_spin_t thread_list_lock = LCK_SPIN_INITIALIZER;
static queue_head_t thread_list = QUEUE_HEAD_INITIALIZER(thread_list);
static unsigned thread_list_count;
static uint64_t thread_next_id;

/* Defined by sched_prim.c: the terminated threads and the event the reaper waits on. */
extern queue_head_t thread_reaper_queue;

static void wait_timeout(void *param0, void *param1);

void thread_zone_init(void);
void
thread_zone_init(void)
{
	thread_zone = zinit(sizeof(struct thread), 0, 0, "threads");
	if (thread_zone == NULL)
		panic("thread: no thread zone");
}

/* wait_timeout is in sched_prim.c; thread.c only arms it. */
void thread_wait_timeout(void *param0, void *param1);
static void
wait_timeout(void *param0, void *param1)
{
	thread_wait_timeout(param0, param1);
}

/*
 * A thread in kernel_task, not yet runnable: the caller sets its state and queues it.
 * need_stack: reserve a stack for it (every thread but the boot thread).
 */
thread_t thread_create_internal(thread_continue_t cont, void *param, int pri, sched_mode_t mode,
				bool need_stack);
thread_t
thread_create_internal(thread_continue_t cont, void *param, int pri, sched_mode_t mode,
		       bool need_stack)
{
	thread_t t = zalloc(thread_zone);
	bool st;

	if (t == NULL)
		return NULL;
	if (need_stack && !kstack_reserve()) {
		zfree(thread_zone, t);
		return NULL;
	}
	memset(t, 0, sizeof(*t));
	queue_init(&t->th_link);
	queue_init(&t->th_wait_link);
	t->th_runq_pri = -1;
	if (current_thread() != NULL)
		t->th_bound = current_thread()->th_bound;
	t->th_sched_mode = mode;
	t->th_base_pri = pri;
	t->th_sched_pri = pri;
	t->th_continuation = cont;
	t->th_parameter = param;
	t->th_wait_result = THREAD_AWAKENED;
	t->th_ref = 1;
	t->th_task = kernel_task;
	task_reference(kernel_task);
	timer_call_setup(&t->th_wait_timer, wait_timeout, t);
	task_add_thread(kernel_task, t);
	st = lck_spin_lock_irqsave(&thread_list_lock);
	t->th_id = ++thread_next_id;
	queue_enter(&thread_list, &t->th_all_link);
	thread_list_count++;
	lck_spin_unlock_irqrestore(&thread_list_lock, st);
	ksnprintf(t->th_name, sizeof(t->th_name), "thread-%llu", (unsigned long long)t->th_id);
	return t;
}

kern_return_t
kernel_thread_start_priority(thread_continue_t continuation, void *parameter, int pri,
			     sched_mode_t mode, thread_t *new_thread)
{
	thread_t t;
	bool s;

	if (pri < MINPRI + 1 || pri > MAXPRI_KERNEL ||
	    (mode != TH_MODE_FIXED && mode != TH_MODE_TIMESHARE))
		return KERN_INVALID_ARGUMENT;
	t = thread_create_internal(continuation, parameter, pri, mode, true);
	if (t == NULL)
		return KERN_RESOURCE_SHORTAGE;
	t->th_ref++; /* the caller's */
	s = sched_lock();
	t->th_state = TH_RUN;
	thread_recompute_pri_locked(t);
	thread_setrun_locked(t, false);
	sched_unlock(s);
	*new_thread = t;
	return KERN_SUCCESS;
}

kern_return_t
kernel_thread_start(thread_continue_t continuation, void *parameter, thread_t *new_thread)
{
	return kernel_thread_start_priority(continuation, parameter, BASEPRI_KERNEL, TH_MODE_FIXED,
					    new_thread);
}

kern_return_t
thread_create_in_task(struct task *task, thread_continue_t continuation, void *parameter, int pri,
		      thread_t *new_thread)
{
	thread_t t = thread_create_internal(continuation, parameter, pri, TH_MODE_TIMESHARE, true);

	if (t == NULL)
		return KERN_RESOURCE_SHORTAGE;
	/* thread_create_internal puts every thread in kernel_task; move this one over. */
	task_remove_thread(kernel_task, t);
	task_deallocate(kernel_task);
	task_reference(task);
	t->th_task = task;
	task_add_thread(task, t);
	t->th_ref++; /* the caller's */
	*new_thread = t;
	return KERN_SUCCESS;
}

void
thread_start(thread_t t)
{
	bool s = sched_lock();

	t->th_state = TH_RUN;
	thread_recompute_pri_locked(t);
	thread_setrun_locked(t, false);
	sched_unlock(s);
}

void
thread_reference(thread_t thread)
{
	__atomic_fetch_add(&thread->th_ref, 1, __ATOMIC_RELAXED);
}

void
thread_deallocate(thread_t thread)
{
	task_t task;

	if (thread == THREAD_NULL)
		return;
	if (__atomic_sub_fetch(&thread->th_ref, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (!(thread->th_state & TH_TERMINATE))
		panic("thread_deallocate: thread %llu freed while alive",
		      (unsigned long long)thread->th_id);
	task = thread->th_task;
	ipc_thread_terminate(thread);
	zfree(thread_zone, thread);
	task_deallocate(task);
}

/* Called only by the reaper: take a terminated thread apart and drop its own reference. */
void thread_reap(thread_t t);
void
thread_reap(thread_t t)
{
	bool st;

	(void)timer_call_cancel_sync(&t->th_wait_timer);
	if (t->th_kstack != 0 && !t->th_boot_stack)
		kstack_free(t->th_kstack);
	t->th_kstack = 0;
	if (!t->th_boot_stack)
		kstack_unreserve();
	task_remove_thread(t->th_task, t);
	st = lck_spin_lock_irqsave(&thread_list_lock);
	queue_remove(&t->th_all_link);
	thread_list_count--;
	lck_spin_unlock_irqrestore(&thread_list_lock, st);
	thread_deallocate(t);
}

unsigned
thread_count(void)
{
	return __atomic_load_n(&thread_list_count, __ATOMIC_RELAXED);
}

void
thread_set_name(thread_t thread, const char *name)
{
	ksnprintf(thread->th_name, sizeof(thread->th_name), "%s", name);
}

kern_return_t
thread_terminate(thread_t thread)
{
	if (thread != current_thread())
		return KERN_FAILURE;
	thread_terminate_self();
}

static const char *
thread_state_name(const struct thread *t)
{
	if (t->th_state & TH_TERMINATE)
		return "term";
	if (t->th_state & TH_IDLE)
		return "idle";
	if (t->th_state & TH_WAIT)
		return (t->th_state & TH_UNINT) ? "wait-u" : "wait";
	return "run";
}

static const char *
thread_mode_name(sched_mode_t m)
{
	switch (m) {
	case TH_MODE_REALTIME:
		return "rt";
	case TH_MODE_FIXED:
		return "fixed";
	case TH_MODE_TIMESHARE:
		return "ts";
	default:
		return "-";
	}
}

void
thread_print_all(void)
{
	bool st = lck_spin_lock_irqsave(&thread_list_lock);
	uint64_t in_use, cached, total;

	printf("  %5s %-20s %-6s %-5s %4s %4s %8s %8s %s\n", "id", "name", "state", "mode",
	       "base", "pri", "ticks", "switches", "stack");
	queue_foreach(&thread_list, e) {
		thread_t t = container_of(e, struct thread, th_all_link);

		printf("  %5llu %-20s %-6s %-5s %4d %4d %8llu %8llu %s\n",
		       (unsigned long long)t->th_id, t->th_name, thread_state_name(t),
		       thread_mode_name(t->th_sched_mode), t->th_base_pri, t->th_sched_pri,
		       (unsigned long long)t->th_ticks, (unsigned long long)t->th_switches,
		       t->th_kstack != 0 ? "yes" : "no");
	}
	lck_spin_unlock_irqrestore(&thread_list_lock, st);
	kstack_counts(&in_use, &cached, &total);
	printf("  %u threads; kernel stacks: %llu in use, %llu cached; %llu context switches\n",
	       thread_count(), (unsigned long long)in_use, (unsigned long long)cached,
	       (unsigned long long)sched_context_switches());
}
