/*
 * debugshell.c — a small line-oriented shell on the kernel console, for looking at a running
 * kernel before there is a user space (and, later, when init fails).
 *
 * Input arrives by interrupt (COM1 receive → console input queue); the shell sleeps in `hlt`
 * between keystrokes, so an idle shell costs no VM exits. Lines are edited with backspace,
 * Ctrl-U (erase line) and Ctrl-C (abandon line); escape sequences (arrow keys) are ignored.
 */
#include <arch/x86_64/cpu.h>
#include <arch/x86_64/timer.h>
#include <arch/x86_64/trap.h>
#include <cmdline.h>
#include <console.h>
#include <debugshell.h>
#include <iokit/acpi_platform.h>
#include <mach/kern/thread.h>
#include <iokit/platform_expert.h>
#include <mach/kern/zalloc.h>
#include <mach/vm/vm_page.h>
#include <pv/pv_info.h>

#define SHELL_PROMPT "nimbus> "
#define SHELL_LINE   256
#define SHELL_ARGS   16

extern const struct debugshell_cmd __shellcmd_start[], __shellcmd_end[];

static void cmd_help(int argc, char **argv);

static void
cmd_cmdline(int argc, char **argv)
{
	for (unsigned i = 0; i < boot_cmdline.nargs; i++) {
		const struct cmdline_arg *a = &boot_cmdline.args[i];
		printf("  %s%s%s%s\n", a->key, a->value != NULL ? "=" : "",
		       a->value != NULL ? a->value : "", a->known ? "" : "  (for init)");
	}
}

static void
cmd_dmesg(int argc, char **argv)
{
	static char buf[CONSOLE_MSGBUF];
	size_t n = console_msgbuf_read(buf, sizeof(buf));

	/* Written in pieces: printf would bound nothing and the buffer may hold '%'. */
	for (size_t off = 0; off < n; off += 512)
		printf("%.*s", (int)MIN((size_t)512, n - off), buf + off);
}

static void
cmd_intr(int argc, char **argv)
{
	for (unsigned v = IDT_FIRST_INTR; v < 256; v++) {
		uint64_t n = intr_count(v);
		if (n != 0)
			printf("  vector %3u: %llu\n", v, (unsigned long long)n);
	}
}

static void
cmd_mem(int argc, char **argv)
{
	vm_page_print_stats();
	if (argc > 1 && strcmp(argv[1], "-z") == 0)
		zone_print_stats();
	else
		printf("mem: %u zones (mem -z lists them)\n", zone_count());
}

static void
cmd_uptime(int argc, char **argv)
{
	uint64_t ns = clock_uptime_ns();

	printf("up %llu.%03llu s, %llu timer ticks (%s, %llu periods skipped), TSC %u kHz\n",
	       (unsigned long long)(ns / 1000000000), (unsigned long long)(ns / 1000000 % 1000),
	       (unsigned long long)timer_ticks(), timer_mode(),
	       (unsigned long long)timer_ticks_missed(), tsc_freq_khz());
}

static void
cmd_pv(int argc, char **argv)
{
	pv_info_print();
}

void (*debugshell_poweroff_hook)(void);

static void
cmd_poweroff(int argc, char **argv)
{
	if (debugshell_poweroff_hook != NULL)
		debugshell_poweroff_hook();
	printf("poweroff: entering ACPI S5\n");
	acpi_poweroff();
	printf("poweroff: the machine is still running (see the log above)\n");
}

static void
cmd_reboot(int argc, char **argv)
{
	printf("reboot: resetting\n");
	acpi_reboot();
	printf("reboot: the machine did not reset\n");
}

static void
cmd_threads(int argc, char **argv)
{
	thread_print_all();
}

static void
cmd_ioreg(int argc, char **argv)
{
	iokit_dump(argc > 1 && strcmp(argv[1], "-l") == 0);
}

static const struct debugshell_cmd shell_cmds[] = {
	{ "help", "list the commands", cmd_help },
	{ "mem", "show physical memory (mem -z: and every zone)", cmd_mem },
	{ "uptime", "show time since boot and the timer", cmd_uptime },
	{ "pv", "show hypervisor, clocksource, steal time, PV EOI", cmd_pv },
	{ "poweroff", "power the machine off (ACPI S5)", cmd_poweroff },
	{ "reboot", "reset the machine", cmd_reboot },
	{ "cmdline", "show the parsed kernel command line", cmd_cmdline },
	{ "dmesg", "show the kernel message buffer", cmd_dmesg },
	{ "intr", "show interrupt counts per vector", cmd_intr },
	{ "threads", "list threads: state, policy, priority, CPU ticks, stacks", cmd_threads },
	{ "ioreg", "show the I/O Registry (ioreg -l: with properties)", cmd_ioreg },
};

static void
cmd_help(int argc, char **argv)
{
	printf("commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(shell_cmds); i++)
		printf("  %-10s %s\n", shell_cmds[i].dc_name, shell_cmds[i].dc_help);
	for (const struct debugshell_cmd *c = __shellcmd_start; c < __shellcmd_end; c++)
		printf("  %-10s %s\n", c->dc_name, c->dc_help);
}

bool
debugshell_exec(char *line)
{
	char *argv[SHELL_ARGS];
	int argc = 0;

	for (char *p = line; *p != '\0' && argc < SHELL_ARGS;) {
		while (*p == ' ' || *p == '\t')
			*p++ = '\0';
		if (*p == '\0')
			break;
		argv[argc++] = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
	if (argc == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(shell_cmds); i++) {
		if (strcmp(shell_cmds[i].dc_name, argv[0]) == 0) {
			shell_cmds[i].dc_fn(argc, argv);
			return true;
		}
	}
	for (const struct debugshell_cmd *c = __shellcmd_start; c < __shellcmd_end; c++) {
		if (strcmp(c->dc_name, argv[0]) == 0) {
			c->dc_fn(argc, argv);
			return true;
		}
	}
	printf("%s: unknown command (try help)\n", argv[0]);
	return false;
}

/*
 * Wait for the next input character. In a thread the shell sleeps a tick between polls, so
 * lower-priority threads run (and the idle thread halts the CPU); before the scheduler it
 * halts between interrupts.
 * XXX: polling; the console input queue should wake a waiting thread instead.
 */
static int
shell_getc(void)
{
	for (;;) {
		int c;

		intr_disable();
		c = console_getc();
		if (c >= 0) {
			intr_enable();
			return c;
		}
		if (current_thread() != NULL) {
			intr_enable();
			thread_sleep_ns(10 * 1000 * 1000);
		} else {
			cpu_idle(); /* sti; hlt: an interrupt between check and hlt still wakes us */
		}
	}
}

void
debugshell_run(void)
{
	char line[SHELL_LINE];
	size_t len = 0;
	bool last_cr = false;
	int esc = 0; /* position inside an escape sequence */

	printf("debug shell: type help for the commands\n%s", SHELL_PROMPT);
	for (;;) {
		int c = shell_getc();

		if (esc > 0) {
			/* ESC [ params final: swallow until the final byte (0x40..0x7e). */
			if ((esc == 1 && c != '[') || (esc > 1 && c >= 0x40 && c <= 0x7e))
				esc = 0;
			else
				esc++;
			continue;
		}
		if (c == '\n' && last_cr) {
			last_cr = false;
			continue;
		}
		last_cr = c == '\r';
		switch (c) {
		case '\r':
		case '\n':
			printf("\n");
			line[len] = '\0';
			debugshell_exec(line);
			len = 0;
			printf("%s", SHELL_PROMPT);
			break;
		case 0x7f:
		case '\b':
			if (len > 0) {
				len--;
				printf("\b \b");
			}
			break;
		case 0x15: /* Ctrl-U */
			while (len > 0) {
				len--;
				printf("\b \b");
			}
			break;
		case 0x03: /* Ctrl-C */
			len = 0;
			printf("^C\n%s", SHELL_PROMPT);
			break;
		case 0x1b:
			esc = 1;
			break;
		default:
			if (c >= ' ' && c < 0x7f && len + 1 < sizeof(line)) {
				line[len++] = (char)c;
				printf("%c", c);
			}
			break;
		}
	}
}
