/*
 * io_matching.c — the I/O Kit matching thread and IOService::waitQuiet.
 *
 * Design: XNU matches published nubs on a kernel thread, so a bus driver that publishes a
 * hundred nubs from its start() returns at once and drivers start one after another, never
 * nested on the publisher's stack. The queue and the matching itself live in io_service.c
 * (portable); this file gives them a thread. The thread sleeps with a continuation, so it holds
 * no kernel stack while the registry is quiet.
 */
#include <console.h>
#include <iokit/io_matching.h>
#include <iokit/io_service.h>
#include <mach/kern/clock.h>
#include <mach/kern/thread.h>

#define IO_QUIET_TIMEOUT_NS (10ULL * 1000 * 1000 * 1000)

static int io_match_event; /* the matching thread waits here for nubs */
static int io_quiet_event; /* io_service_wait_quiet() waits here for the queue to empty */

static void
io_matching_continue(void *param, wait_result_t wr)
{
	for (;;) {
		assert_wait(&io_match_event, THREAD_UNINT);
		if (io_matching_busy() == 0)
			thread_block(io_matching_continue);
		(void)clear_wait(current_thread(), THREAD_AWAKENED);
		io_matching_drain();
	}
}

static void
io_matching_kick(void)
{
	thread_wakeup(&io_match_event);
}

static void
io_matching_quiet(void)
{
	thread_wakeup(&io_quiet_event);
}

kern_return_t
io_matching_start(void)
{
	thread_t t;
	kern_return_t kr = kernel_thread_start(io_matching_continue, NULL, &t);

	if (kr != KERN_SUCCESS)
		return kr;
	thread_set_name(t, "iokit-matching");
	thread_deallocate(t);
	io_matching_set_hooks(io_matching_kick, io_matching_quiet);
	return KERN_SUCCESS;
}

bool
io_service_wait_quiet(void)
{
	uint64_t deadline = clock_get_uptime() + IO_QUIET_TIMEOUT_NS;

	for (;;) {
		assert_wait_deadline(&io_quiet_event, THREAD_UNINT, deadline);
		if (io_matching_busy() == 0) {
			(void)clear_wait(current_thread(), THREAD_AWAKENED);
			return true;
		}
		if (thread_block(NULL) == THREAD_TIMED_OUT) {
			klog(LOG_WARNING, "iokit: %u nubs still matching after %llu s\n",
			     io_matching_busy(), IO_QUIET_TIMEOUT_NS / 1000000000ULL);
			return false;
		}
	}
}
