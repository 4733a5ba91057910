/*
 * console.c — kernel printf and log levels over a list of output sinks (the 16550 now, the
 * virtio and Xen consoles later), a message buffer for dmesg, and the input queue that the
 * debug shell (and later the tty) reads.
 *
 * Output is serialised by one spin lock with interrupts off, so lines from interrupt handlers
 * and other CPUs do not interleave mid-line. panic() switches to lock-free output because the
 * panicking CPU may already hold the lock.
 */
#include <arch/x86_64/cpu.h>
#include <cmdline.h>
#include <console.h>
#include <mach/kern/locks.h>

#define CONSOLE_MAX_SELECT 4
#define CONSOLE_NAME_MAX   16

static struct console_sink *sinks;
static char selected[CONSOLE_MAX_SELECT][CONSOLE_NAME_MAX];
static unsigned nselected;
static int console_loglevel = LOGLEVEL_DEFAULT;
static lck_spin_t console_lock = LCK_SPIN_INITIALIZER;
static bool panic_mode;

static char msgbuf[CONSOLE_MSGBUF];
static size_t msgbuf_head; /* total bytes ever written; index = head % size */

#define INPUT_RING 256
static volatile char input_ring[INPUT_RING];
static volatile uint32_t input_head, input_tail;

static bool
console_is_selected(const char *name)
{
	for (unsigned i = 0; i < nselected; i++)
		if (strcmp(selected[i], name) == 0)
			return true;
	return false;
}

/* Enable the selected sinks, or every sink while none of the selected ones exists. */
static unsigned
console_apply_selection(void)
{
	unsigned matched = 0;

	for (struct console_sink *k = sinks; k != NULL; k = k->cs_next)
		if (console_is_selected(k->cs_name))
			matched++;
	for (struct console_sink *k = sinks; k != NULL; k = k->cs_next)
		k->cs_enabled = matched == 0 || console_is_selected(k->cs_name);
	return matched;
}

void
console_register(struct console_sink *sink)
{
	bool s = lck_spin_lock_irqsave(&console_lock);

	sink->cs_next = sinks;
	sinks = sink;
	console_apply_selection();
	lck_spin_unlock_irqrestore(&console_lock, s);
}

void
console_unregister(struct console_sink *sink)
{
	bool s = lck_spin_lock_irqsave(&console_lock);

	for (struct console_sink **k = &sinks; *k != NULL; k = &(*k)->cs_next) {
		if (*k == sink) {
			*k = sink->cs_next;
			break;
		}
	}
	console_apply_selection();
	lck_spin_unlock_irqrestore(&console_lock, s);
}

unsigned
console_select(const char *const *names, unsigned n)
{
	bool s = lck_spin_lock_irqsave(&console_lock);
	unsigned matched;

	nselected = 0;
	for (unsigned i = 0; i < n && nselected < CONSOLE_MAX_SELECT; i++) {
		if (strnlen(names[i], CONSOLE_NAME_MAX) >= CONSOLE_NAME_MAX)
			continue;
		memcpy(selected[nselected++], names[i], strlen(names[i]) + 1);
	}
	matched = console_apply_selection();
	lck_spin_unlock_irqrestore(&console_lock, s);
	return matched;
}

void
console_set_loglevel(int level)
{
	if (level >= 0 && level <= 8)
		console_loglevel = level;
}

int
console_get_loglevel(void)
{
	return console_loglevel;
}

void
console_panic_mode(void)
{
	panic_mode = true;
}

static void
console_sink_write(void *arg, const char *s, size_t n)
{
	(void)arg;
	for (size_t i = 0; i < n; i++)
		msgbuf[(msgbuf_head + i) % CONSOLE_MSGBUF] = s[i];
	msgbuf_head += n;
	for (struct console_sink *k = sinks; k != NULL; k = k->cs_next)
		if (k->cs_enabled || panic_mode)
			k->cs_write(s, n);
}

void
console_select_cmdline(const struct cmdline *cl)
{
	const char *names[CONSOLE_MAX_SELECT];
	unsigned n = 0, pos = 0;
	const char *v;

	while ((v = cmdline_next(cl, "console", &pos)) != NULL) {
		if (n == ARRAY_SIZE(names)) {
			klog(LOG_WARNING, "console: more than %zu consoles named; %s ignored\n",
			     ARRAY_SIZE(names), v);
			continue;
		}
		if (strcmp(v, "ttyS0") != 0 && strcmp(v, "hvc0") != 0)
			klog(LOG_WARNING, "console: unknown console %s\n", v);
		names[n++] = v;
	}
	if (console_select(names, n) == 0 && n > 0)
		klog(LOG_WARNING, "console: none of the named consoles exists yet; "
				  "keeping every console until one registers\n");
}

int
vprintf(const char *fmt, va_list ap)
{
	bool s;
	int n;

	if (panic_mode)
		return kvformat(console_sink_write, NULL, fmt, ap);
	s = lck_spin_lock_irqsave(&console_lock);
	n = kvformat(console_sink_write, NULL, fmt, ap);
	lck_spin_unlock_irqrestore(&console_lock, s);
	return n;
}

int
printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

void
klog(int level, const char *fmt, ...)
{
	va_list ap;

	if (level >= console_loglevel)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

size_t
console_msgbuf_read(char *dst, size_t cap)
{
	bool s = lck_spin_lock_irqsave(&console_lock);
	size_t avail = msgbuf_head < CONSOLE_MSGBUF ? msgbuf_head : CONSOLE_MSGBUF;
	size_t n = avail < cap ? avail : cap;
	size_t start = msgbuf_head - n;

	for (size_t i = 0; i < n; i++)
		dst[i] = msgbuf[(start + i) % CONSOLE_MSGBUF];
	lck_spin_unlock_irqrestore(&console_lock, s);
	return n;
}

void (*console_input_notify)(void);

void
console_input(char c)
{
	uint32_t next = (input_head + 1) % INPUT_RING;

	if (next == input_tail)
		return; /* full: drop, as a UART overrun would */
	input_ring[input_head] = c;
	__atomic_store_n(&input_head, next, __ATOMIC_RELEASE);
	if (console_input_notify != NULL)
		console_input_notify();
}

bool
console_input_pending(void)
{
	return input_tail != __atomic_load_n(&input_head, __ATOMIC_ACQUIRE);
}

int
console_getc(void)
{
	bool s = intr_save();
	int c = -1;

	if (input_tail != __atomic_load_n(&input_head, __ATOMIC_ACQUIRE)) {
		c = (unsigned char)input_ring[input_tail];
		input_tail = (input_tail + 1) % INPUT_RING;
	}
	intr_restore(s);
	return c;
}
