/*
 * debugshell.h — the kernel's interactive console until user space exists.
 */
#ifndef _KERNEL_DEBUGSHELL_H_
#define _KERNEL_DEBUGSHELL_H_

#include <libkern/libkern.h>

/* Read lines from the console and run them; never returns. Interrupts must be on. */
__noreturn void debugshell_run(void);

/* Split line into words and run the command. Returns false for an unknown command. */
bool debugshell_exec(char *line);

#endif
