/*
 * machexc.c — a user exception handler in another process (XNU's exception ports, driven
 * through user/libmach): the child points its thread's, then its task's, EXC_BAD_ACCESS port
 * at the parent's port (the bootstrap port it inherited) and faults; the parent receives
 * exception_raise, reads the faulting thread's registers (thread_get_state), repairs them
 * (a register fixed so the load retries and succeeds; the instruction pointer moved past a
 * store) and replies KERN_SUCCESS, so the child resumes. Once it also suspends the thread
 * and its task before replying, and checks the child makes no progress until both are
 * resumed. Exception ports are inherited by fork; the EXCEPTION_STATE and _STATE_IDENTITY
 * forms bring the registers with the exception and take the handler's back in its reply. A handler that answers KERN_FAILURE, and a
 * fault with no handler at all, end in SIGSEGV, as BSD's signal path says. Exits 0 when every check held.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "user/libmach/mach.h"

#define CHECK(cond)                                                                             \
	do {                                                                                    \
		if (!(cond)) {                                                                  \
			printf("machexc[%d]: line %d: %s\n", getpid(), __LINE__, #cond);        \
			exit(1);                                                                \
		}                                                                               \
	} while (0)
#define KR(call) CHECK((call) == KERN_SUCCESS)

#define BAD_LOAD  0x10UL /* fixed by pointing rbx at good_word */
#define BAD_STORE 0x20UL /* skipped by moving rip to rcx */

static volatile int good_word = 1234;
static volatile int *progress; /* shared with the child (MAP_SHARED survives fork) */

typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	kern_return_t RetCode;
} exc_reply_t;

union exc_buf {
	exception_raise_request_t req;
	mach_exception_raise_state_request_t st;
	mach_exception_raise_state_identity_request_t sti;
	uint8_t bytes[sizeof(mach_exception_raise_state_identity_request_t) + 64];
};

static void
sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* A load through rbx = BAD_LOAD: the handler points rbx at good_word and the load retries. */
static int
fault_load(void)
{
	int v;

	__asm__ volatile("movl (%%rbx), %%eax" : "=a"(v) : "b"(BAD_LOAD) : "memory");
	return v;
}

/* A store to BAD_STORE with its resume address in rcx: the handler jumps there. */
static void
fault_store(void)
{
	__asm__ volatile("leaq 1f(%%rip), %%rcx\n\t"
			 "movl $7, (%%rdx)\n"
			 "1:"
			 :
			 : "d"(BAD_STORE)
			 : "rcx", "memory");
}

static int
child(void)
{
	mach_port_t task = mach_task_self(), thread = mach_thread_self(), handler;

	KR(task_get_special_port(task, TASK_BOOTSTRAP_PORT, &handler));
	/* First the thread's own port. */
	KR(thread_set_exception_ports(thread, EXC_MASK(EXC_BAD_ACCESS), handler,
				      EXCEPTION_DEFAULT, 0));
	CHECK(fault_load() == 1234);
	/* Then the task's, the thread's cleared. */
	KR(thread_set_exception_ports(thread, EXC_MASK(EXC_BAD_ACCESS), MACH_PORT_NULL,
				      EXCEPTION_DEFAULT, 0));
	KR(task_set_exception_ports(task, EXC_MASK(EXC_BAD_ACCESS), handler,
				    EXCEPTION_DEFAULT | MACH_EXCEPTION_CODES, 0));
	fault_store();
	*progress = 1;
	/* The handler suspends us before it replies: nothing runs until it resumes us. */
	fault_store();
	*progress = 2;
	/* The handler refuses this one: SIGSEGV. */
	fault_store();
	return 3;
}

/* Receive one exception_raise (32-bit or 64-bit codes) and check it is our bad access. */
static void
exc_receive(mach_port_t port, union exc_buf *b, uint64_t addr, int wide)
{
	mach_msg_return_t mr = mach_msg(b, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(*b), port,
					10000);

	CHECK(mr == MACH_MSG_SUCCESS);
	CHECK(b->req.Head.msgh_id == (wide ? MSGID_MACH_EXCEPTION_RAISE : MSGID_EXCEPTION_RAISE));
	CHECK(b->req.msgh_body.msgh_descriptor_count == 2 && b->req.exception == EXC_BAD_ACCESS);
	CHECK(b->req.codeCnt == 2);
	if (wide) {
		mach_exception_raise_request_t *w = (void *)b;

		CHECK(w->code[0] == KERN_INVALID_ADDRESS && (uint64_t)w->code[1] == addr);
	} else {
		CHECK(b->req.code[0] == KERN_INVALID_ADDRESS && (uint64_t)b->req.code[1] == addr);
	}
}

static void
exc_reply(union exc_buf *b, kern_return_t kr)
{
	mach_port_t task = mach_task_self();
	exc_reply_t r;

	memset(&r, 0, sizeof(r));
	r.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	r.Head.msgh_size = sizeof(r);
	r.Head.msgh_remote_port = b->req.Head.msgh_remote_port;
	r.Head.msgh_id = b->req.Head.msgh_id + 100;
	r.NDR.int_rep = 1;
	r.RetCode = kr;
	KR(mach_port_deallocate(task, b->req.thread.name));
	KR(mach_port_deallocate(task, b->req.task.name));
	CHECK(mach_msg(&r, MACH_SEND_MSG, sizeof(r), 0, MACH_PORT_NULL, 0) == MACH_MSG_SUCCESS);
}

/* Read, change, write back the faulting thread's registers. */
static void
fix_state(mach_port_t thread, int skip)
{
	x86_thread_state64_t ts;
	uint32_t count = x86_THREAD_STATE64_COUNT;

	KR(thread_get_state(thread, x86_THREAD_STATE64, (natural_t *)&ts, &count));
	CHECK(count == x86_THREAD_STATE64_COUNT);
	if (skip) {
		CHECK(ts.rdx == BAD_STORE && ts.rcx > ts.rip && ts.rcx - ts.rip < 16);
		ts.rip = ts.rcx;
	} else {
		CHECK(ts.rbx == BAD_LOAD);
		ts.rbx = (uint64_t)(uintptr_t)&good_word;
	}
	/* A kernel address is refused. */
	{
		x86_thread_state64_t bad = ts;

		bad.rip = 0xffffffff80000000ULL;
		CHECK(thread_set_state(thread, x86_THREAD_STATE64, (natural_t *)&bad, count) ==
		      KERN_INVALID_ARGUMENT);
	}
	KR(thread_set_state(thread, x86_THREAD_STATE64, (natural_t *)&ts, count));
}

/* A child faults with our port set for behavior; we answer with the registers moved on. */
static void
state_form(mach_port_t port, exception_behavior_t behavior)
{
	mach_port_t task = mach_task_self();
	int identity = (behavior & ~MACH_EXCEPTION_CODES) == EXCEPTION_STATE_IDENTITY;
	int wide = (behavior & MACH_EXCEPTION_CODES) != 0;
	exception_raise_state_reply_t r;
	x86_thread_state64_t ts;
	const uint8_t *p;
	union exc_buf b;
	uint32_t cnt;
	int status, flavor;
	pid_t pid;

	KR(task_set_exception_ports(task, EXC_MASK(EXC_BAD_ACCESS), port, behavior,
				    x86_THREAD_STATE64));
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		fault_store();
		_exit(6);
	}
	KR(task_set_exception_ports(task, EXC_MASK(EXC_BAD_ACCESS), MACH_PORT_NULL,
				    EXCEPTION_DEFAULT, 0));
	CHECK(mach_msg(&b, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(b), port, 10000) == 0);
	CHECK(b.req.Head.msgh_id == (identity ? MSGID_EXCEPTION_RAISE_STATE_IDENTITY
					      : MSGID_EXCEPTION_RAISE_STATE) + (wide ? 4 : 0));
	CHECK(!!(b.req.Head.msgh_bits & MACH_MSGH_BITS_COMPLEX) == identity);
	/* Walk the fields as MIG packs them: after the codes, flavor, count, the registers. */
	p = identity ? (const uint8_t *)&b.sti.exception : (const uint8_t *)&b.st.exception;
	CHECK(*(const int *)p == EXC_BAD_ACCESS && *(const uint32_t *)(p + 4) == 2);
	p += 8;
	if (wide) {
		CHECK(*(const int64_t *)p == KERN_INVALID_ADDRESS &&
		      *(const int64_t *)(p + 8) == BAD_STORE);
		p += 16;
	} else {
		CHECK(*(const int32_t *)p == KERN_INVALID_ADDRESS &&
		      *(const int32_t *)(p + 4) == BAD_STORE);
		p += 8;
	}
	memcpy(&flavor, p, 4);
	memcpy(&cnt, p + 4, 4);
	CHECK(flavor == x86_THREAD_STATE64 && cnt == x86_THREAD_STATE64_COUNT);
	memcpy(&ts, p + 8, sizeof(ts));
	CHECK(ts.rdx == BAD_STORE && ts.rcx > ts.rip && ts.rcx - ts.rip < 16);
	ts.rip = ts.rcx;
	if (identity) {
		KR(mach_port_deallocate(task, b.sti.thread.name));
		KR(mach_port_deallocate(task, b.sti.task.name));
	}
	memset(&r, 0, sizeof(r));
	r.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
	r.Head.msgh_size = offsetof(exception_raise_state_reply_t, new_state) + sizeof(ts);
	r.Head.msgh_remote_port = b.req.Head.msgh_remote_port;
	r.Head.msgh_id = b.req.Head.msgh_id + 100;
	r.NDR.int_rep = 1;
	r.RetCode = KERN_SUCCESS;
	r.flavor = x86_THREAD_STATE64;
	r.new_stateCnt = x86_THREAD_STATE64_COUNT;
	memcpy(r.new_state, &ts, sizeof(ts));
	CHECK(mach_msg(&r, MACH_SEND_MSG, r.Head.msgh_size, 0, MACH_PORT_NULL, 0) == 0);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 6);
}

int
main(void)
{
	mach_port_t task = mach_task_self(), port;
	union exc_buf b;
	int status;
	pid_t pid;

	progress = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	CHECK(progress != MAP_FAILED);
	KR(mach_port_allocate(task, MACH_PORT_RIGHT_RECEIVE, &port));
	KR(mach_port_insert_right(task, port, port, MACH_MSG_TYPE_MAKE_SEND));
	KR(task_set_special_port(task, TASK_BOOTSTRAP_PORT, port));
	/* Our own threads' resume counts are at zero. */
	CHECK(thread_resume(mach_thread_self()) == KERN_FAILURE);

	fflush(stdout);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0)
		_exit(child());

	/* 1: the thread's port, 32-bit codes; fix rbx. */
	exc_receive(port, &b, BAD_LOAD, 0);
	fix_state(b.req.thread.name, 0);
	exc_reply(&b, KERN_SUCCESS);

	/* 2: the task's port, 64-bit codes; move rip. */
	exc_receive(port, &b, BAD_STORE, 1);
	fix_state(b.req.thread.name, 1);
	exc_reply(&b, KERN_SUCCESS);

	/* 3: suspend thread and task, reply, and watch it stay stopped until both resume. */
	exc_receive(port, &b, BAD_STORE, 1);
	CHECK(*progress == 1);
	fix_state(b.req.thread.name, 1);
	{
		mach_port_t th = b.req.thread.name, tk = b.req.task.name;

		/* Keep our own references across the reply (which drops the message's). */
		KR(mach_port_mod_refs(task, th, MACH_PORT_RIGHT_SEND, 1));
		KR(mach_port_mod_refs(task, tk, MACH_PORT_RIGHT_SEND, 1));
		KR(thread_suspend(th));
		KR(task_suspend(tk));
		exc_reply(&b, KERN_SUCCESS);
		sleep_ms(100);
		CHECK(*progress == 1);
		KR(thread_resume(th));
		sleep_ms(100);
		CHECK(*progress == 1); /* the task is still suspended */
		KR(task_resume(tk));
		CHECK(task_resume(tk) == KERN_FAILURE);
		for (int i = 0; i < 200 && *progress != 2; i++)
			sleep_ms(10);
		CHECK(*progress == 2);
		KR(mach_port_deallocate(task, th));
		KR(mach_port_deallocate(task, tk));
	}

	/* 4: refused: BSD's signal. */
	exc_receive(port, &b, BAD_STORE, 1);
	exc_reply(&b, KERN_FAILURE);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);

	/* 5: fork copies exception ports: ours hears our child's fault, and it resumes. */
	KR(task_set_exception_ports(task, EXC_MASK(EXC_BAD_ACCESS), port,
				    EXCEPTION_DEFAULT | MACH_EXCEPTION_CODES, 0));
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		fault_store();
		_exit(5);
	}
	KR(task_set_exception_ports(task, EXC_MASK(EXC_BAD_ACCESS), MACH_PORT_NULL,
				    EXCEPTION_DEFAULT, 0));
	exc_receive(port, &b, BAD_STORE, 1);
	fix_state(b.req.thread.name, 1);
	exc_reply(&b, KERN_SUCCESS);
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);

	/* 6, 7: EXCEPTION_STATE (64-bit codes) and _STATE_IDENTITY (32-bit codes): the registers
	 * come with the exception and the reply's are the ones the child resumes with. */
	CHECK(task_set_exception_ports(task, EXC_MASK(EXC_BAD_ACCESS), port, EXCEPTION_STATE,
				       12345) == KERN_INVALID_ARGUMENT);
	state_form(port, EXCEPTION_STATE | MACH_EXCEPTION_CODES);
	state_form(port, EXCEPTION_STATE_IDENTITY);

	/* No handler at all: SIGSEGV as before. */
	KR(task_set_special_port(task, TASK_BOOTSTRAP_PORT, MACH_PORT_NULL));
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		fault_store();
		_exit(5);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
	printf("machexc: handler fixed a register and moved rip (also by EXCEPTION_STATE "
	       "replies), suspend held the thread, a refusal and no handler ended in SIGSEGV\n");
	return 0;
}
