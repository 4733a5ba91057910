/*
 * io_matching.h — the matching thread (kernel only; the queue is in io_service.h).
 */
#ifndef _IOKIT_IO_MATCHING_H_
#define _IOKIT_IO_MATCHING_H_

#include <libkern/libkern.h>
#include <mach/kern/kern_return.h>

/* Start the matching thread and hand it the matching queue. Needs the scheduler. */
kern_return_t io_matching_start(void);

/*
 * io_service_wait_quiet: block until no nub is queued or being matched (IOService::waitQuiet).
 *   Returns: true when quiet; false after 10 s with matching still busy (logged).
 */
bool io_service_wait_quiet(void);

#endif
