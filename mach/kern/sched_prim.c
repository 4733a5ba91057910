/*
 * sched_prim.c — the scheduler: run queues, thread_block with continuations, waits on events,
 * preemption through ASTs, the clock tick, the idle and reaper threads.
 *
 * Follows Mach 3 / XNU osfmk/kern/sched_prim.c: thread_block → thread_select → thread_invoke →
 * thread_dispatch; assert_wait + thread_block to sleep; thread_go to make a waiter runnable.
 *
 * The one idea: the scheduler lock is held across the switch itself. The outgoing thread takes
 * it; the incoming one, now on its own stack, finishes the outgoing thread's switch
 * (thread_dispatch: requeue it, free its stack if it left a continuation, hand it to the
 * reaper) and only then drops the lock. So no other path ever sees a thread half switched.
 * A thread that blocks with a continuation and picks a thread without a stack hands its stack
 * over directly (stack handoff): no switch of stacks at all.
 *
 * SMP: every CPU schedules from its own run queue, and one scheduler lock guards them all, so
 * a thread switched out on one CPU is on a run queue (or asleep) only once its switch is done
 * and another CPU may take it. A thread made runnable goes to the CPU it last ran on when that
 * CPU is idle, else to the least loaded CPU (thread_setrun_locked); a CPU that would run another
 * thread it must preempt gets a reschedule IPI; a CPU that runs out of work takes the best
 * unbound thread from the busiest run queue (sched_steal_locked).
 * XXX: the one scheduler lock serialises every switch in the machine; per-CPU run-queue locks
 * come when contention shows in the figures. Timer call-outs all live on CPU 0's queue and
 * expire on its tick. Wakeups at deadlines have the tick's 10 ms resolution (a one-shot
 * deadline for the earliest call-out would tighten real-time lateness).
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/mp.h>
#include <arch/x86_64/timer.h>
#include <arch/x86_64/trap.h>
#include <console.h>
#include <mach/kern/task.h>
#include <mach/kern/thread.h>
#include <panic.h>

#define WAITQ_BUCKETS 64

struct processor processor_array[MAX_CPUS];
struct processor_set pset0 = { .ps_name = "pset0" };

static lck_spin_t sched_spin = LCK_SPIN_INITIALIZER;
static queue_head_t sched_waitq[WAITQ_BUCKETS];	/* waiting threads, hashed by event */
queue_head_t thread_reaper_queue;
static uint64_t sched_ticks;		/* ticks seen by the scheduler */
static uint64_t sched_decay_period;	/* ticks / SCHED_DECAY_TICKS */
static bool sched_running;

thread_t thread_create_internal(thread_continue_t cont, void *param, int pri, sched_mode_t mode,
				bool need_stack);
void thread_zone_init(void);
void thread_reap(thread_t t);
void thread_wait_timeout(void *param0, void *param1);
__noreturn void thread_continue_start(thread_t old);

static wait_result_t thread_block_reason(thread_continue_t cont, void *param, uint32_t reason);

/*
 * Preemption and the scheduler lock.
 */

/*
 * The level is the CPU's, changed with one %gs-relative instruction: a thread preempted and
 * moved between finding its processor and changing the count would change another CPU's.
 */
void
_disable_preemption(void)
{
	__asm__ volatile("incl %%gs:%c0" : : "i"(offsetof(struct processor, p_preempt_level))
			 : "memory", "cc");
}

void
_enable_preemption(void)
{
	struct processor *p;
	bool zero;

	__asm__ volatile("decl %%gs:%c1\n\tsetz %0"
			 : "=q"(zero)
			 : "i"(offsetof(struct processor, p_preempt_level))
			 : "memory", "cc");
	if (!zero)
		return;
	p = current_processor();
	if ((p->p_ast & AST_PREEMPT) && p->p_active_thread != NULL &&
	    (read_rflags() & RFLAGS_IF))
		thread_block_reason(NULL, NULL, p->p_ast);
}

void
processor_cpu_init(unsigned cpu)
{
	struct processor *p = &processor_array[cpu];

	p->p_self = p;
	p->p_cpu = cpu;
	wrmsr(MSR_GS_BASE, (uint64_t)p);
	__atomic_store_n(&p->p_online, true, __ATOMIC_RELEASE);
}

bool
sched_lock(void)
{
	return lck_spin_lock_irqsave(&sched_spin);
}

void
sched_unlock(bool s)
{
	lck_spin_unlock_irqrestore(&sched_spin, s);
}

/* One %gs-relative load: the thread cannot move to another CPU half way through it. */
thread_t
current_thread(void)
{
	thread_t t;

	__asm__ volatile("movq %%gs:%c1, %0"
			 : "=r"(t)
			 : "i"(offsetof(struct processor, p_active_thread)));
	return t;
}

uint64_t
sched_context_switches(void)
{
	return current_processor()->p_context_switches;
}

uint64_t
sched_context_switches_all(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < MAX_CPUS; i++)
		n += __atomic_load_n(&processor_array[i].p_context_switches, __ATOMIC_RELAXED);
	return n;
}

/*
 * Priorities.
 */

void
thread_recompute_pri_locked(thread_t t)
{
	int pri;

	switch (t->th_sched_mode) {
	case TH_MODE_REALTIME:
		pri = BASEPRI_RTQUEUES;
		break;
	case TH_MODE_TIMESHARE:
		t->th_sched_usage = sched_decay_usage(t->th_sched_usage,
						      sched_decay_period - t->th_sched_stamp);
		t->th_sched_stamp = sched_decay_period;
		pri = sched_timeshare_pri(t->th_base_pri, t->th_sched_usage);
		break;
	default:
		pri = t->th_base_pri;
		break;
	}
	if (t->th_promoted_pri > pri)
		pri = t->th_promoted_pri;
	if (t->th_state & TH_IDLE)
		pri = IDLEPRI;
	if (pri == t->th_sched_pri)
		return;
	t->th_sched_pri = pri;
	if (t->th_runq_pri >= 0) {
		struct run_queue *rq = &t->th_runq_proc->p_runq;

		runq_remove(rq, &t->th_link, t->th_runq_pri);
		runq_enqueue(rq, &t->th_link, pri, false);
		t->th_runq_pri = pri;
	}
}

/* Whether running thread cur should give way to a thread at priority pri. */
static bool
sched_should_preempt(const struct thread *cur, int pri)
{
	return cur == NULL || (cur->th_state & TH_IDLE) || pri > cur->th_sched_pri;
}

/* Threads running or queued on p: what placement balances. Sched lock held. */
static unsigned
sched_load(const struct processor *p)
{
	return p->p_runq.rq_count + !(p->p_active_thread->th_state & TH_IDLE);
}

static bool
sched_cpu_idle(const struct processor *p)
{
	return p->p_sched_on && sched_load(p) == 0;
}

/*
 * Where runnable thread t should queue: its binding; else its last CPU when that is idle; else
 * the least loaded CPU, ties going to the last CPU, then to this one. Sched lock held.
 */
static struct processor *
sched_choose_processor(thread_t t)
{
	struct processor *self = current_processor(), *last = t->th_last_proc, *best = NULL;
	unsigned best_load = ~0u;

	if (t->th_bound != NULL)
		return t->th_bound;
	if (last != NULL && sched_cpu_idle(last))
		return last;
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		struct processor *q = &processor_array[i];
		unsigned load;

		if (!q->p_sched_on)
			continue;
		load = sched_load(q);
		if (load < best_load || (load == best_load && (q == last ||
							      (q == self && best != last)))) {
			best = q;
			best_load = load;
		}
	}
	return best != NULL ? best : self;
}

/* A thread at priority pri is queued on q: have q reschedule if it should. Sched lock held. */
static void
sched_poke_locked(struct processor *q, int pri)
{
	if (!sched_should_preempt(q->p_active_thread, pri))
		return;
	if (q == current_processor()) {
		q->p_ast |= AST_PREEMPT;
		return;
	}
	/* Signalled even when an AST is already pending there: one set by q's own lockless
	 * idle tick may be about to be cleared, and an IPI too many costs less than a wakeup
	 * that waits for a tick. */
	__atomic_fetch_or(&q->p_ast, AST_PREEMPT, __ATOMIC_RELAXED);
	mp_resched_ipi(q->p_cpu);
}

void
thread_setrun_locked(thread_t t, bool head)
{
	struct processor *p;

	if (t->th_runq_pri >= 0)
		panic("thread_setrun: thread %llu already queued", (unsigned long long)t->th_id);
	thread_recompute_pri_locked(t);
	p = sched_choose_processor(t);
	t->th_runq_pri = t->th_sched_pri;
	t->th_runq_proc = p;
	runq_enqueue(&p->p_runq, &t->th_link, t->th_sched_pri, head);
	sched_poke_locked(p, t->th_sched_pri);
}

/* Take one thread from q's run queue for p: the first unbound one at the highest priority. */
static thread_t
sched_steal_from(struct processor *p, struct processor *q)
{
	for (int pri = runq_highest(&q->p_runq); pri >= 0; pri--) {
		queue_foreach(&q->p_runq.rq_queues[pri], e) {
			thread_t t = container_of(e, struct thread, th_link);

			if (t->th_bound != NULL)
				continue;
			runq_remove(&q->p_runq, e, pri);
			t->th_runq_pri = -1;
			p->p_steals++;
			return t;
		}
	}
	return NULL;
}

/* p has nothing to run: take a thread from the busiest run queue, else any. Sched lock held. */
static thread_t
sched_steal_locked(struct processor *p)
{
	struct processor *busiest = NULL;
	thread_t t;

	for (unsigned i = 0; i < MAX_CPUS; i++) {
		struct processor *q = &processor_array[i];

		if (q != p && q->p_sched_on && q->p_runq.rq_count > 0 &&
		    (busiest == NULL || q->p_runq.rq_count > busiest->p_runq.rq_count))
			busiest = q;
	}
	if (busiest == NULL)
		return NULL;
	if ((t = sched_steal_from(p, busiest)) != NULL)
		return t;
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		struct processor *q = &processor_array[i];

		if (q != p && q != busiest && q->p_sched_on && q->p_runq.rq_count > 0 &&
		    (t = sched_steal_from(p, q)) != NULL)
			return t;
	}
	return NULL;
}

/* Whether another CPU has threads waiting in its run queue. Sched lock held. */
static bool
sched_work_elsewhere(const struct processor *p)
{
	for (unsigned i = 0; i < MAX_CPUS; i++) {
		const struct processor *q = &processor_array[i];

		if (q != p && q->p_sched_on && q->p_runq.rq_count > 0)
			return true;
	}
	return false;
}

/*
 * Switching.
 */

static thread_t
thread_select(struct processor *p, thread_t self, uint32_t reason)
{
	int hi = runq_highest(&p->p_runq);
	bool runnable = !(self->th_state & TH_TERMINATE) &&
			(!(self->th_state & TH_WAIT) || (reason & AST_PREEMPT)) &&
			(self->th_bound == NULL || self->th_bound == p);
	queue_chain_t *e;
	thread_t stolen;
	int pri;

	if (self->th_state & TH_IDLE) {
		if (hi < 0)
			return (stolen = sched_steal_locked(p)) != NULL ? stolen : self;
	} else if (runnable) {
		if (hi < self->th_sched_pri ||
		    (hi == self->th_sched_pri && !(reason & AST_QUANTUM)))
			return self;
	} else if (hi < 0) {
		return (stolen = sched_steal_locked(p)) != NULL ? stolen : p->p_idle_thread;
	}
	e = runq_dequeue(&p->p_runq, &pri);
	thread_t t = container_of(e, struct thread, th_link);
	t->th_runq_pri = -1;
	return t;
}

/* Finish switching thread t out, now that the CPU runs on another stack. Sched lock held. */
static void
thread_dispatch(thread_t t, uint32_t reason)
{
	if (t->th_state & TH_IDLE)
		return;
	if (t->th_continuation != NULL && t->th_kstack != 0 && !t->th_boot_stack) {
		kstack_free(t->th_kstack);
		t->th_kstack = 0;
	}
	if (t->th_state & TH_TERMINATE) {
		t->th_state &= ~TH_RUN;
		queue_enter(&thread_reaper_queue, &t->th_link);
		thread_wakeup_prim_locked(&thread_reaper_queue, false, THREAD_AWAKENED);
		return;
	}
	/* A preempted thread stays runnable even with a wait asserted: it has not blocked yet
	 * (it may still find its condition true and clear the wait), so it must not sleep. */
	if ((t->th_state & TH_WAIT) && !(reason & AST_PREEMPT)) {
		t->th_state &= ~TH_RUN;
		if (t->th_saved_mode == TH_MODE_REALTIME) {
			/* A demoted real-time thread gets its policy back when it blocks. */
			t->th_sched_mode = TH_MODE_REALTIME;
			t->th_saved_mode = TH_MODE_NONE;
			thread_recompute_pri_locked(t);
		}
		return;
	}
	thread_setrun_locked(t, (reason & AST_PREEMPT) && !(reason & AST_QUANTUM));
}

/* A stack frame that machine_switch() "returns" from into machine_thread_trampoline. */
static void
machine_stack_init(thread_t t)
{
	uint64_t *sp = (uint64_t *)(t->th_kstack + KERNEL_STACK_SIZE);

	*--sp = 0;					/* end of the frame-pointer chain */
	*--sp = (uint64_t)machine_thread_trampoline;	/* machine_switch's ret */
	for (int i = 0; i < 6; i++)
		*--sp = 0;				/* rbp rbx r12 r13 r14 r15 */
	t->th_machine.mt_rsp = (uint64_t)sp;
}

/* Release the scheduler lock for a thread that starts in a continuation: interrupts on. */
static void
sched_unlock_continue(void)
{
	lck_spin_unlock(&sched_spin);
	intr_enable();
}

/*
 * Switch from self to new. Sched lock held, interrupts off. Returns in self once it runs again
 * (only when it has no continuation; with one, it never returns).
 */
static void
thread_invoke(struct processor *p, thread_t self, thread_t new, uint32_t reason)
{
	thread_t old;

	p->p_ast = 0;
	p->p_active_thread = new;
	p->p_context_switches++;
	if (!(new->th_state & TH_IDLE))
		p->p_threads_run++;
	new->th_last_proc = p;
	new->th_switches++;
	if (new->th_sched_mode == TH_MODE_REALTIME)
		new->th_rt_start = clock_uptime_ns();

	if (new->th_kstack == 0) {
		if (self->th_continuation != NULL && !self->th_boot_stack &&
		    !(self->th_state & TH_IDLE)) {
			/* Stack handoff: new takes self's stack, self needs none. */
			thread_continue_t cont = new->th_continuation;
			void *param = new->th_parameter;

			new->th_kstack = self->th_kstack;
			self->th_kstack = 0;
			thread_dispatch(self, reason);
			new->th_continuation = NULL;
			machine_thread_switch(self, new);
			sched_unlock_continue();
			machine_call_continuation(cont, param, new->th_wait_result,
						  new->th_kstack + KERNEL_STACK_SIZE);
		}
		new->th_kstack = kstack_alloc();
		machine_stack_init(new);
	}
	self->th_switch_reason = reason;
	machine_thread_switch(self, new);
	old = machine_switch(self, &self->th_machine.mt_rsp, new->th_machine.mt_rsp);
	thread_dispatch(old, old->th_switch_reason);
}

/* A new stack's first instructions, after machine_thread_trampoline: run the continuation. */
void
thread_continue_start(thread_t old)
{
	thread_t self = current_thread();
	thread_continue_t cont = self->th_continuation;

	thread_dispatch(old, old->th_switch_reason);
	self->th_continuation = NULL;
	sched_unlock_continue();
	cont(self->th_parameter, self->th_wait_result);
	thread_terminate_self();
}

static wait_result_t
thread_block_reason(thread_continue_t cont, void *param, uint32_t reason)
{
	struct processor *p;
	thread_t self, new;
	bool s = sched_lock();

	p = current_processor();
	self = p->p_active_thread;
	if (p->p_preempt_level != 1)
		panic("thread_block: thread %llu blocks with preemption disabled (level %d)",
		      (unsigned long long)self->th_id, p->p_preempt_level);
	if (cont != NULL) {
		self->th_continuation = cont;
		self->th_parameter = param;
	}
	new = thread_select(p, self, reason);
	if (new == self) {
		p->p_ast = 0;
		if (self->th_continuation != NULL) {
			self->th_continuation = NULL;
			sched_unlock_continue();
			machine_call_continuation(cont, param, self->th_wait_result,
						  self->th_kstack + KERNEL_STACK_SIZE);
		}
		sched_unlock(s);
		return self->th_wait_result;
	}
	thread_invoke(p, self, new, reason);
	sched_unlock(s);
	return self->th_wait_result;
}

wait_result_t
thread_block_parameter(thread_continue_t continuation, void *parameter)
{
	return thread_block_reason(continuation, parameter, 0);
}

wait_result_t
thread_block(thread_continue_t continuation)
{
	return thread_block_reason(continuation, NULL, 0);
}

void
thread_yield(void)
{
	thread_block_reason(NULL, NULL, AST_QUANTUM);
}

void
ast_taken_intr(struct trapframe *tf)
{
	struct processor *p = current_processor();

	if (!(p->p_ast & AST_PREEMPT) || p->p_active_thread == NULL || p->p_preempt_level != 0 ||
	    !(tf->tf_rflags & RFLAGS_IF))
		return;
	thread_block_reason(NULL, NULL, p->p_ast);
}

void
thread_terminate_self(void)
{
	thread_t self = current_thread();
	bool s = sched_lock();

	if (self->th_state & TH_WAIT) {
		queue_remove(&self->th_wait_link);
		self->th_state &= ~(TH_WAIT | TH_UNINT);
	}
	self->th_state |= TH_TERMINATE;
	sched_unlock(s);
	/* A preemption from here on is harmless: thread_dispatch already sends a TH_TERMINATE
	 * thread to the reaper, which frees the stack it kept. */
	(void)timer_call_cancel(&self->th_wait_timer);
	thread_block_reason((thread_continue_t)thread_terminate_self, NULL, 0);
	panic("thread_terminate_self: terminated thread %llu ran again",
	      (unsigned long long)self->th_id);
}

/*
 * Waiting.
 */

static queue_head_t *
waitq_bucket(event_t event)
{
	uintptr_t h = (uintptr_t)event;

	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ULL;
	return &sched_waitq[(h >> 58) % WAITQ_BUCKETS];
}

/* Make waiting thread t runnable with result. Sched lock held. */
static void
thread_go_locked(thread_t t, wait_result_t result)
{
	queue_remove(&t->th_wait_link);
	t->th_wait_event = NO_EVENT;
	t->th_wait_result = result;
	t->th_state &= ~(TH_WAIT | TH_UNINT);
	(void)timer_call_cancel(&t->th_wait_timer);
	if (!(t->th_state & TH_RUN)) {
		t->th_state |= TH_RUN;
		thread_setrun_locked(t, false);
	}
}

unsigned
thread_wakeup_prim_locked(event_t event, bool one, wait_result_t result)
{
	queue_head_t *q = waitq_bucket(event);
	unsigned n = 0;

	queue_foreach_safe(q, e, nx) {
		thread_t t = container_of(e, struct thread, th_wait_link);

		if (t->th_wait_event != event)
			continue;
		thread_go_locked(t, result);
		n++;
		if (one)
			break;
	}
	return n;
}

unsigned
thread_wakeup_prim(event_t event, bool one, wait_result_t result)
{
	bool s = sched_lock();
	unsigned n = thread_wakeup_prim_locked(event, one, result);

	sched_unlock(s);
	return n;
}

/* assert_wait with the sched lock held (the mutex and rw-lock slow paths). */
wait_result_t assert_wait_locked(event_t event, wait_interrupt_t interruptible,
				 uint64_t deadline);
wait_result_t
assert_wait_locked(event_t event, wait_interrupt_t interruptible, uint64_t deadline)
{
	thread_t self = current_thread();

	if (self->th_state & TH_WAIT)
		panic("assert_wait: thread %llu already waits on %p", (unsigned long long)self->th_id,
		      self->th_wait_event);
	self->th_state |= TH_WAIT | (interruptible == THREAD_UNINT ? TH_UNINT : 0);
	self->th_wait_event = event;
	self->th_wait_result = THREAD_WAITING;
	self->th_wait_seq++;
	queue_enter(waitq_bucket(event), &self->th_wait_link);
	if (deadline != 0)
		timer_call_enter(&self->th_wait_timer, deadline, (void *)self->th_wait_seq);
	return THREAD_WAITING;
}

wait_result_t
assert_wait_deadline(event_t event, wait_interrupt_t interruptible, uint64_t deadline)
{
	bool s = sched_lock();
	wait_result_t r = assert_wait_locked(event, interruptible, deadline);

	sched_unlock(s);
	return r;
}

wait_result_t
assert_wait(event_t event, wait_interrupt_t interruptible)
{
	return assert_wait_deadline(event, interruptible, 0);
}

void
thread_wait_timeout(void *param0, void *param1)
{
	thread_t t = param0;
	bool s = sched_lock();

	if ((t->th_state & TH_WAIT) && t->th_wait_seq == (uint64_t)param1)
		thread_go_locked(t, THREAD_TIMED_OUT);
	sched_unlock(s);
}

kern_return_t
clear_wait(thread_t thread, wait_result_t result)
{
	bool s = sched_lock();
	kern_return_t kr = KERN_NOT_WAITING;

	if (thread->th_state & TH_WAIT) {
		thread_go_locked(thread, result);
		kr = KERN_SUCCESS;
	}
	sched_unlock(s);
	return kr;
}

kern_return_t
thread_interrupt(thread_t thread)
{
	bool s = sched_lock();
	kern_return_t kr = KERN_NOT_WAITING;

	if ((thread->th_state & TH_WAIT) && (thread->th_state & TH_UNINT)) {
		kr = KERN_FAILURE;
	} else if (thread->th_state & TH_WAIT) {
		thread_go_locked(thread, THREAD_INTERRUPTED);
		kr = KERN_SUCCESS;
	}
	sched_unlock(s);
	return kr;
}

void
thread_sleep_ns(uint64_t ns)
{
	thread_t self = current_thread();

	assert_wait_deadline((event_t)&self->th_wait_timer, THREAD_UNINT, clock_uptime_ns() + ns);
	thread_block(NULL);
}

kern_return_t
thread_set_sched(thread_t t, sched_mode_t mode, int pri, uint64_t period, uint64_t computation,
		 uint64_t constraint)
{
	struct processor *p;
	bool s;

	if (mode == TH_MODE_REALTIME) {
		if (!sched_rt_admissible(period, computation, constraint))
			return KERN_INVALID_ARGUMENT;
	} else if ((mode != TH_MODE_FIXED && mode != TH_MODE_TIMESHARE) || pri < MINPRI + 1 ||
		   pri > MAXPRI_KERNEL) {
		return KERN_INVALID_ARGUMENT;
	}
	s = sched_lock();
	t->th_sched_mode = mode;
	t->th_saved_mode = TH_MODE_NONE;
	if (mode == TH_MODE_REALTIME) {
		t->th_rt_period = period;
		t->th_rt_computation = computation;
		t->th_rt_constraint = constraint;
		t->th_rt_start = clock_uptime_ns();
	} else {
		t->th_base_pri = pri;
	}
	t->th_sched_stamp = sched_decay_period;
	thread_recompute_pri_locked(t);
	p = t->th_last_proc;
	if (p != NULL && t == p->p_active_thread) {
		/* Running: its CPU looks again when something queued there now outranks it. */
		int hi = runq_highest(&p->p_runq);

		if (hi > t->th_sched_pri) {
			__atomic_fetch_or(&p->p_ast, AST_PREEMPT, __ATOMIC_RELAXED);
			if (p != current_processor())
				mp_resched_ipi(p->p_cpu);
		}
	} else if (t->th_runq_pri >= 0) {
		sched_poke_locked(t->th_runq_proc, t->th_sched_pri);
	}
	sched_unlock(s);
	return KERN_SUCCESS;
}

/*
 * The clock tick: call-outs, CPU accounting, time-share decay, quantum, real-time overruns.
 */

/* Every decay period: bring queued time-share threads' priorities up to date. */
static void
sched_decay_runq(struct processor *p)
{
	for (int pri = 0; pri < NRQS; pri++) {
		queue_foreach_safe(&p->p_runq.rq_queues[pri], e, nx) {
			thread_t t = container_of(e, struct thread, th_link);

			if (t->th_sched_mode == TH_MODE_TIMESHARE)
				thread_recompute_pri_locked(t);
		}
	}
}

static uint64_t (*sched_steal_source)(unsigned cpu);

void
processor_set_steal_source(uint64_t (*fn)(unsigned cpu))
{
	__atomic_store_n(&sched_steal_source, fn, __ATOMIC_RELEASE);
}

/* Steal time since this CPU's last tick (0 without a source); keeps the statistic. */
static uint64_t
sched_tick_stolen(struct processor *p)
{
	uint64_t (*fn)(unsigned) = __atomic_load_n(&sched_steal_source, __ATOMIC_ACQUIRE);
	uint64_t now, d;

	if (fn == NULL)
		return 0;
	now = fn(p->p_cpu);
	d = now >= p->p_steal_seen_ns ? now - p->p_steal_seen_ns : 0;
	p->p_steal_seen_ns = now;
	p->p_stolen_ns += d;
	return d;
}

static void
sched_clock_tick(struct trapframe *tf)
{
	struct processor *p = current_processor();
	uint64_t now = clock_uptime_ns(), stolen = sched_tick_stolen(p);
	thread_t self;
	bool s;

	timer_call_expire(now);
	/* An idle CPU other than CPU 0 takes no lock on its tick (with every CPU ticking, the
	 * scheduler lock would otherwise be taken hundreds of times a second for nothing): it
	 * only looks, without the lock, whether there is work here or elsewhere. A stale look
	 * costs one tick. */
	if (p->p_cpu != 0 && (p->p_active_thread->th_state & TH_IDLE)) {
		p->p_idle_ticks++;
		if (runq_highest(&p->p_runq) >= 0 || sched_work_elsewhere(p))
			__atomic_fetch_or(&p->p_ast, AST_PREEMPT, __ATOMIC_RELAXED);
		return;
	}
	/* CPU 0 keeps the decay clock; every CPU runs its own call-outs and accounts its own
	 * thread. */
	s = sched_lock();
	self = p->p_active_thread;
	if (p->p_cpu == 0 && ++sched_ticks % SCHED_DECAY_TICKS == 0) {
		sched_decay_period++;
		for (unsigned i = 0; i < MAX_CPUS; i++)
			if (processor_array[i].p_sched_on)
				sched_decay_runq(&processor_array[i]);
	}
	if (self->th_state & TH_IDLE) {
		p->p_idle_ticks++;
		/* Work queued elsewhere: look for some to steal (thread_select). */
		if (runq_highest(&p->p_runq) >= 0 || sched_work_elsewhere(p))
			p->p_ast |= AST_PREEMPT;
		sched_unlock(s);
		return;
	}
	p->p_busy_ticks++;
	self->th_ticks++;
	if (self->th_sched_mode == TH_MODE_TIMESHARE) {
		self->th_sched_usage = sched_decay_usage(self->th_sched_usage,
							 sched_decay_period - self->th_sched_stamp);
		self->th_sched_stamp = sched_decay_period;
		self->th_sched_usage += sched_charge_ticks(&self->th_charge_carry_ns,
							   SCHED_QUANTUM_NS, stolen);
		thread_recompute_pri_locked(self);
	} else if (self->th_sched_mode == TH_MODE_REALTIME &&
		   now - self->th_rt_start > self->th_rt_constraint) {
		/* Ran past its constraint without blocking: demote it (XNU's fail-safe) to
		 * time-share until it next blocks. */
		self->th_rt_overruns++;
		self->th_saved_mode = TH_MODE_REALTIME;
		self->th_sched_mode = TH_MODE_TIMESHARE;
		self->th_base_pri = BASEPRI_DEFAULT;
		self->th_sched_stamp = sched_decay_period;
		thread_recompute_pri_locked(self);
	}
	if (self->th_sched_mode != TH_MODE_REALTIME &&
	    runq_highest(&p->p_runq) >= self->th_sched_pri)
		p->p_ast |= AST_PREEMPT | AST_QUANTUM;
	sched_unlock(s);
}

/*
 * The idle and reaper threads, and start-up.
 */

/* Halt until an interrupt; the interrupt's AST check switches to whatever it made runnable. */
static void
idle_thread_continue(void *param, wait_result_t wr)
{
	struct processor *p = current_processor();

	for (;;) {
		intr_disable();
		if (runq_highest(&p->p_runq) < 0 && !(p->p_ast & AST_PREEMPT)) {
			/* sti; hlt: a wakeup between the check and hlt still wakes us. An
			 * interrupt that found work switched already (ast_taken_intr); one that
			 * did not (a tick) just halts again, without the scheduler lock. A PV
			 * kick (mp_resched_ipi) ends the hlt with no interrupt at all: the
			 * loop's check finds the AST the waker set. */
			__atomic_store_n(&p->p_halted, true, __ATOMIC_SEQ_CST);
			if (runq_highest(&p->p_runq) < 0 && !(p->p_ast & AST_PREEMPT))
				cpu_idle();
			else
				intr_enable();
			__atomic_store_n(&p->p_halted, false, __ATOMIC_RELAXED);
			continue;
		}
		intr_enable();
		thread_block(NULL);
	}
}

/* Free terminated threads; sleeps with a continuation, so it holds no stack while idle. */
static void
reaper_thread_continue(void *param, wait_result_t wr)
{
	for (;;) {
		queue_chain_t *e;
		bool s;

		assert_wait((event_t)&thread_reaper_queue, THREAD_UNINT);
		s = sched_lock();
		e = queue_dequeue(&thread_reaper_queue);
		sched_unlock(s);
		if (e == NULL)
			thread_block(reaper_thread_continue);
		(void)clear_wait(current_thread(), THREAD_AWAKENED);
		thread_reap(container_of(e, struct thread, th_link));
	}
}

void
sched_init(void)
{
	extern char boot_stack[];
	struct processor *p = current_processor();
	thread_t boot, idle, reaper;
	bool s;

	for (unsigned i = 0; i < WAITQ_BUCKETS; i++)
		queue_init(&sched_waitq[i]);
	queue_init(&thread_reaper_queue);
	runq_init(&p->p_runq);
	lck_spin_init(&p->p_timer_lock);
	timer_queue_init(&p->p_timers);
	p->p_timer_next = UINT64_MAX;
	p->p_pset = &pset0;
	pset0.ps_cpus[pset0.ps_cpu_count++] = p;

	task_init();
	thread_zone_init();
	/* The boot context becomes thread 0 of kernel_task, on the boot stack. */
	boot = thread_create_internal(NULL, NULL, BASEPRI_KERNEL, TH_MODE_FIXED, false);
	idle = thread_create_internal(idle_thread_continue, NULL, IDLEPRI, TH_MODE_FIXED, true);
	reaper = thread_create_internal(reaper_thread_continue, NULL, BASEPRI_KERNEL,
					TH_MODE_FIXED, true);
	if (boot == NULL || idle == NULL || reaper == NULL)
		panic("sched_init: no memory for the first threads");
	boot->th_kstack = (vaddr_t)boot_stack;
	boot->th_boot_stack = true;
	boot->th_state = TH_RUN;
	thread_set_name(boot, "boot");
	idle->th_state = TH_RUN | TH_IDLE;
	idle->th_sched_pri = IDLEPRI;
	thread_set_name(idle, "idle");
	thread_set_name(reaper, "reaper");

	idle->th_bound = p;
	boot->th_last_proc = p;
	s = sched_lock();
	p->p_active_thread = boot;
	p->p_idle_thread = idle;
	p->p_sched_on = true;
	reaper->th_state = TH_RUN;
	thread_setrun_locked(reaper, false);
	sched_running = true;
	sched_unlock(s);
	timer_set_tick_hook(sched_clock_tick);
	printf("sched: %d priorities, quantum %llu ms, pset0 with %u cpu, boot thread %llu\n", NRQS,
	       (unsigned long long)(SCHED_QUANTUM_NS / 1000000), pset0.ps_cpu_count,
	       (unsigned long long)boot->th_id);
}

void
processor_sched_init(uintptr_t stack_base)
{
	struct processor *p = current_processor();
	thread_t idle;
	char name[24];
	bool s;

	runq_init(&p->p_runq);
	lck_spin_init(&p->p_timer_lock);
	timer_queue_init(&p->p_timers);
	p->p_timer_next = UINT64_MAX;
	idle = thread_create_internal(NULL, NULL, IDLEPRI, TH_MODE_FIXED, false);
	if (idle == NULL)
		panic("sched: no memory for cpu %u's idle thread", p->p_cpu);
	idle->th_kstack = stack_base;
	idle->th_boot_stack = true;
	idle->th_state = TH_RUN | TH_IDLE;
	idle->th_sched_pri = IDLEPRI;
	idle->th_bound = p;
	idle->th_last_proc = p;
	ksnprintf(name, sizeof(name), "idle%u", p->p_cpu);
	thread_set_name(idle, name);

	s = sched_lock();
	p->p_pset = &pset0;
	pset0.ps_cpus[pset0.ps_cpu_count++] = p;
	p->p_idle_thread = idle;
	p->p_active_thread = idle;
	p->p_sched_on = true;
	sched_unlock(s);
}

void
processor_idle_run(void)
{
	idle_thread_continue(NULL, THREAD_AWAKENED);
	panic("sched: idle loop returned");
}

struct processor *
thread_bind(struct processor *p)
{
	thread_t self = current_thread();
	struct processor *old;
	bool s = sched_lock();

	if (p != NULL && !p->p_sched_on)
		panic("thread_bind: cpu %u does not schedule", p->p_cpu);
	old = self->th_bound;
	self->th_bound = p;
	sched_unlock(s);
	/* thread_select will not keep a thread on a CPU it is not bound to: block once more
	 * if it was preempted back onto the wrong one in between. */
	while (p != NULL && current_processor() != p)
		thread_block_reason(NULL, NULL, 0);
	return old;
}
