/*
 * debugshell.h — the kernel's interactive console until user space exists.
 */
#ifndef _KERNEL_DEBUGSHELL_H_
#define _KERNEL_DEBUGSHELL_H_

#include <libkern/libkern.h>

/*
 * A command a subsystem adds to the shell without the shell naming it (the linker gathers
 * them in .shellcmd), so lower layers need not include the ones above them:
 *	DEBUGSHELL_COMMAND(ifconfig, "show network interfaces", net_shell_ifconfig);
 */
struct debugshell_cmd {
	const char *dc_name;
	const char *dc_help;
	void (*dc_fn)(int argc, char **argv);
};

#define DEBUGSHELL_COMMAND(name, help, fn)                                                      \
	static const struct debugshell_cmd debugshell_cmd_##name                                 \
	    __attribute__((section(".shellcmd"), used, aligned(8))) = { #name, help, fn }

/*
 * Runs before the `poweroff` command enters S5, with interrupts on (the BSD layer syncs and
 * unmounts the file systems here); NULL: nothing to do.
 */
extern void (*debugshell_poweroff_hook)(void);

/* Read lines from the console and run them; never returns. Interrupts must be on. */
__noreturn void debugshell_run(void);

/* Split line into words and run the command. Returns false for an unknown command. */
bool debugshell_exec(char *line);

#endif
