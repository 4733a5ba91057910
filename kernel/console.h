/*
 * console.h — the kernel console: printf, log levels, output sinks and the input queue.
 */
#ifndef _KERNEL_CONSOLE_H_
#define _KERNEL_CONSOLE_H_

#include <libkern/libkern.h>

/* syslog(3) levels; klog() prints a message when its level is below the console log level. */
#define LOG_EMERG   0
#define LOG_ALERT   1
#define LOG_CRIT    2
#define LOG_ERR	    3
#define LOG_WARNING 4
#define LOG_NOTICE  5
#define LOG_INFO    6
#define LOG_DEBUG   7

#define LOGLEVEL_DEFAULT 7 /* as Linux: everything but debug */
#define LOGLEVEL_QUIET	 4 /* `quiet`: errors only */

/* A console output device. write() may be called with interrupts disabled. */
struct console_sink {
	const char *cs_name;
	void (*cs_write)(const char *s, size_t n);
	bool cs_enabled;
	struct console_sink *cs_next;
};

void console_register(struct console_sink *sink);
void console_unregister(struct console_sink *sink);
/*
 * console_select: send output only to the sinks named in names (the console= values, e.g.
 * {"ttyS0", "hvc0"}); sinks registered later are enabled if they were named. If none of the
 * named sinks exists yet, every registered sink stays enabled so the kernel is never mute.
 *   Returns: the number of names that matched a registered sink.
 */
unsigned console_select(const char *const *names, unsigned n);
struct cmdline;
/* Select the consoles that the command line names (console=ttyS0|hvc0, possibly several);
 * with none named, every console speaks. */
void console_select_cmdline(const struct cmdline *cl);
void console_set_loglevel(int level);
int console_get_loglevel(void);

int printf(const char *fmt, ...) __printflike(1, 2);
int vprintf(const char *fmt, va_list ap);
void klog(int level, const char *fmt, ...) __printflike(2, 3);
/* Write straight to the sinks, bypassing the lock: for panic, which may hold it. */
void console_panic_mode(void);

/* Input: drivers push received characters (from interrupt context); readers pop them. */
void console_input(char c);
int console_getc(void); /* -1 when nothing is queued */
bool console_input_pending(void); /* whether console_getc would return a byte */
/* Called (interrupt context, no lock held) after console_input queued a byte; NULL: none.
 * The terminal layer sets it to wake the thread that takes the input. */
extern void (*console_input_notify)(void);

/* The message buffer keeps the last CONSOLE_MSGBUF bytes of output for `dmesg`. */
#define CONSOLE_MSGBUF 16384
size_t console_msgbuf_read(char *dst, size_t cap);

#endif /* _KERNEL_CONSOLE_H_ */
