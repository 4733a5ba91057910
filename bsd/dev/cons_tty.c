/*
 * cons_tty.c — the console as a terminal (4.4BSD kern/tty.c and tty_tty.c, in small): the open
 * file that init's descriptors 0-2 name, its line discipline (tty_ldisc.c), its controlling
 * session and foreground process group, its window size, and the termios ioctls (tty_ioctl(4):
 * TCGETS/TCSETS*, TCFLSH, FIONREAD, TIOCSCTTY, TIOCGPGRP/TIOCSPGRP, TIOCGSID, TIOCNOTTY,
 * TIOCGWINSZ/TIOCSWINSZ).
 *
 * The one idea: typed bytes are taken from the console's input ring by one kernel thread, not
 * by readers, so ^C reaches the foreground process group while nobody reads (a shell waiting
 * for `sleep`); readers sleep until the discipline has a line (or a byte, in raw mode) for them.
 * console_input wakes that thread (console_input_notify). XXX: no SIGTTIN/SIGTTOU for
 * background groups; one console, so one setting for every opener; opening /dev/console gives
 * devfs's node (write-only), not this file.
 */
#include <arch/x86_64/timer.h>
#include <arch/x86_64/usercopy.h>
#include <bsd/dev/cons_tty.h>
#include <bsd/dev/tty_ldisc.h>
#include <bsd/kern/file.h>
#include <bsd/kern/proc.h>
#include <bsd/sys/errno.h>
#include <console.h>
#include <mach/kern/locks.h>
#include <mach/kern/thread.h>
#include <asm/ioctls.h>

#define CT_POLL_NS 1000000000ULL /* the input thread's wait when no wakeup comes */

/* struct winsize (asm-generic/termios.h; that header would bring struct termio along). */
struct ct_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

static struct {
	lck_spin_t ct_lock;		/* everything below */
	struct tty_ldisc ct_ld;
	pid_t ct_sid;			/* the session it controls (0: none) */
	pid_t ct_pgrp;			/* its foreground process group (with ct_sid) */
	pid_t ct_reader_pgrp;		/* the last reader's group (signals with no session) */
	struct ct_winsize ct_ws;
	bool ct_started;
} ct = { .ct_lock = LCK_SPIN_INITIALIZER, .ct_ws = { 24, 80, 0, 0 } };

#define CT_READ_EVENT  ((event_t)&ct.ct_ld)
#define CT_INPUT_EVENT ((event_t)&ct.ct_started)

/* console_input_notify: a byte was typed (interrupt context). */
static void
ct_notify(void)
{
	thread_wakeup(CT_INPUT_EVENT);
}

/* The group ^C goes to: the foreground group, or with no session the last reader's group. */
static pid_t
ct_signal_pgrp_locked(void)
{
	return ct.ct_sid != 0 ? ct.ct_pgrp : ct.ct_reader_pgrp;
}

static void
ct_input_thread(void *arg, wait_result_t wr)
{
	for (;;) {
		struct tty_effect ef;
		bool readable;
		pid_t pg;
		int c;
		bool s;

		while ((c = console_getc()) >= 0) {
			s = lck_spin_lock_irqsave(&ct.ct_lock);
			tty_ldisc_input(&ct.ct_ld, (uint8_t)c, &ef);
			readable = tty_ldisc_readable(&ct.ct_ld);
			pg = ct_signal_pgrp_locked();
			lck_spin_unlock_irqrestore(&ct.ct_lock, s);
			if (ef.te_echolen > 0)
				printf("%.*s", (int)ef.te_echolen, ef.te_echo);
			if (ef.te_signal != 0 && pg > 0)
				pgsignal(pg, ef.te_signal);
			if (readable)
				thread_wakeup(CT_READ_EVENT);
		}
		/* Woken by console_input (ct_notify); the deadline only guards a lost wakeup. */
		(void)assert_wait_deadline(CT_INPUT_EVENT, THREAD_UNINT,
					   clock_uptime_ns() + CT_POLL_NS);
		if (console_input_pending())
			(void)clear_wait(current_thread(), THREAD_AWAKENED);
		(void)thread_block(NULL);
	}
}

/* Start the input thread (once): from then on the console's input belongs to user space. */
static void
ct_start(void)
{
	thread_t t;
	bool s = lck_spin_lock_irqsave(&ct.ct_lock), start = !ct.ct_started;

	if (start) {
		ct.ct_started = true;
		tty_ldisc_init(&ct.ct_ld);
	}
	lck_spin_unlock_irqrestore(&ct.ct_lock, s);
	if (!start)
		return;
	if (kernel_thread_start(ct_input_thread, NULL, &t) != KERN_SUCCESS) {
		klog(LOG_ERR, "tty: no console input thread: the console cannot be read\n");
		return;
	}
	thread_set_name(t, "tty_input");
	thread_deallocate(t);
	console_input_notify = ct_notify;
}

static long
cons_write(struct file *fp, const void *ubuf, size_t len)
{
	char buf[256];
	size_t done = 0;

	while (done < len) {
		size_t n = MIN(len - done, sizeof(buf));

		if (copyin((const char *)ubuf + done, buf, n) != 0)
			return done > 0 ? (long)done : -EFAULT;
		printf("%.*s", (int)n, buf);
		done += n;
	}
	return (long)done;
}

static long
cons_read(struct file *fp, void *ubuf, size_t len)
{
	struct proc *p = current_proc();
	char buf[256];
	size_t n;
	bool s, eof;

	if (len == 0)
		return 0;
	for (;;) {
		s = lck_spin_lock_irqsave(&ct.ct_lock);
		if (p != NULL)
			ct.ct_reader_pgrp = p->p_pgid;
		n = tty_ldisc_read(&ct.ct_ld, buf, MIN(len, sizeof(buf)), &eof);
		if (n > 0 || eof)
			break;
		assert_wait(CT_READ_EVENT, THREAD_INTERRUPTIBLE);
		lck_spin_unlock_irqrestore(&ct.ct_lock, s);
		/* A signal: -EINTR, which the signal code restarts under SA_RESTART. */
		if (thread_block(NULL) == THREAD_INTERRUPTED)
			return -EINTR;
	}
	lck_spin_unlock_irqrestore(&ct.ct_lock, s);
	return n > 0 && copyout(buf, ubuf, n) != 0 ? -EFAULT : (long)n;
}

bool
cons_tty_readable(void)
{
	bool s = lck_spin_lock_irqsave(&ct.ct_lock), r = tty_ldisc_readable(&ct.ct_ld);

	lck_spin_unlock_irqrestore(&ct.ct_lock, s);
	return r;
}

/* TIOCSPGRP: pgid must be a group of the caller's session, the session the console controls. */
static long
ct_set_pgrp(struct proc *p, uint64_t uarg)
{
	int32_t pgid;
	long r = 0;
	bool s;

	if (copyin((const void *)uarg, &pgid, sizeof(pgid)) != 0)
		return -EFAULT;
	if (pgid <= 0)
		return -EINVAL;
	if (!proc_pgrp_in_session(pgid, p->p_sid))
		return -EPERM;
	s = lck_spin_lock_irqsave(&ct.ct_lock);
	if (ct.ct_sid != 0 && ct.ct_sid != p->p_sid)
		r = -ENOTTY;
	else
		ct.ct_pgrp = pgid;
	lck_spin_unlock_irqrestore(&ct.ct_lock, s);
	return r;
}

static long
cons_ioctl(struct file *fp, unsigned long cmd, uint64_t uarg)
{
	struct proc *p = current_proc();
	struct termios t;
	struct ct_winsize ws;
	int32_t v;
	long r = 0;
	bool s;

	switch (cmd) {
	case TCGETS:
		s = lck_spin_lock_irqsave(&ct.ct_lock);
		t = ct.ct_ld.tl_termios;
		lck_spin_unlock_irqrestore(&ct.ct_lock, s);
		return copyout(&t, (void *)uarg, sizeof(t)) != 0 ? -EFAULT : 0;
	case TCSETS:
	case TCSETSW: /* output is written synchronously: nothing to drain */
	case TCSETSF:
		if (copyin((const void *)uarg, &t, sizeof(t)) != 0)
			return -EFAULT;
		s = lck_spin_lock_irqsave(&ct.ct_lock);
		if (cmd == TCSETSF)
			tty_ldisc_flush(&ct.ct_ld);
		tty_ldisc_set(&ct.ct_ld, &t);
		lck_spin_unlock_irqrestore(&ct.ct_lock, s);
		thread_wakeup(CT_READ_EVENT); /* raw mode may make queued bytes readable */
		return 0;
	case TCFLSH:
		if (uarg > 2) /* TCIFLUSH, TCOFLUSH, TCIOFLUSH */
			return -EINVAL;
		s = lck_spin_lock_irqsave(&ct.ct_lock);
		if (uarg != 1)
			tty_ldisc_flush(&ct.ct_ld);
		lck_spin_unlock_irqrestore(&ct.ct_lock, s);
		return 0;
	case TCSBRK:
	case TCXONC:
		return 0; /* no line to break, no output to stop */
	case FIONREAD:
		s = lck_spin_lock_irqsave(&ct.ct_lock);
		v = (int32_t)tty_ldisc_nready(&ct.ct_ld);
		lck_spin_unlock_irqrestore(&ct.ct_lock, s);
		return copyout(&v, (void *)uarg, sizeof(v)) != 0 ? -EFAULT : 0;
	case TIOCGWINSZ:
		s = lck_spin_lock_irqsave(&ct.ct_lock);
		ws = ct.ct_ws;
		lck_spin_unlock_irqrestore(&ct.ct_lock, s);
		return copyout(&ws, (void *)uarg, sizeof(ws)) != 0 ? -EFAULT : 0;
	case TIOCSWINSZ: {
		bool changed;
		pid_t pg;

		if (copyin((const void *)uarg, &ws, sizeof(ws)) != 0)
			return -EFAULT;
		s = lck_spin_lock_irqsave(&ct.ct_lock);
		changed = memcmp(&ws, &ct.ct_ws, sizeof(ws)) != 0;
		ct.ct_ws = ws;
		pg = ct_signal_pgrp_locked();
		lck_spin_unlock_irqrestore(&ct.ct_lock, s);
		if (changed && pg > 0)
			pgsignal(pg, SIGWINCH);
		return 0;
	}
	case TIOCSCTTY:
		if (p == NULL || p->p_sid != p->p_pid)
			return -EPERM; /* only a session leader takes a controlling terminal */
		s = lck_spin_lock_irqsave(&ct.ct_lock);
		if (ct.ct_sid != 0 && ct.ct_sid != p->p_sid && uarg != 1 &&
		    proc_pgrp_in_session(0, ct.ct_sid)) {
			r = -EPERM; /* another session has it; arg 1 steals (XXX: root only) */
		} else {
			ct.ct_sid = p->p_sid;
			ct.ct_pgrp = p->p_pgid;
		}
		lck_spin_unlock_irqrestore(&ct.ct_lock, s);
		return r;
	case TIOCNOTTY:
		s = lck_spin_lock_irqsave(&ct.ct_lock);
		if (p != NULL && ct.ct_sid == p->p_sid && p->p_sid == p->p_pid)
			ct.ct_sid = ct.ct_pgrp = 0; /* the leader lets it go */
		lck_spin_unlock_irqrestore(&ct.ct_lock, s);
		return 0;
	case TIOCGPGRP:
		/* XXX: a process outside the controlling session should get ENOTTY; with no
		 * session it gets its own group, so shells started without one keep job control. */
		s = lck_spin_lock_irqsave(&ct.ct_lock);
		v = ct.ct_sid != 0 ? ct.ct_pgrp : (p != NULL ? p->p_pgid : 0);
		lck_spin_unlock_irqrestore(&ct.ct_lock, s);
		return copyout(&v, (void *)uarg, sizeof(v)) != 0 ? -EFAULT : 0;
	case TIOCSPGRP:
		return p == NULL ? -ENOTTY : ct_set_pgrp(p, uarg);
	case TIOCGSID:
		s = lck_spin_lock_irqsave(&ct.ct_lock);
		v = ct.ct_sid;
		lck_spin_unlock_irqrestore(&ct.ct_lock, s);
		if (v == 0)
			return -ENOTTY;
		return copyout(&v, (void *)uarg, sizeof(v)) != 0 ? -EFAULT : 0;
	default:
		return -ENOTTY;
	}
}

static void
cons_close(struct file *fp)
{
}

static const struct fileops cons_ops = {
	.fo_read = cons_read,
	.fo_write = cons_write,
	.fo_ioctl = cons_ioctl,
	.fo_close = cons_close,
};

static struct file cons_file = { .f_ops = &cons_ops, .f_count = 1 /* never freed */ };

struct file *
cons_tty_file(void)
{
	ct_start();
	return &cons_file;
}

bool
file_is_console(const struct file *fp)
{
	return fp->f_ops == &cons_ops;
}
