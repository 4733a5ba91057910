/*
 * tty_ldisc.c — the terminal line discipline (tty_ldisc.h): input mapping (ICRNL, INLCR,
 * IGNCR), signals from ^C, ^\ and ^Z (ISIG), the canonical line editor (ICANON: VERASE and ^H,
 * VKILL, VWERASE with IEXTEN, VEOF, VEOL) and echo (ECHO, ECHOE, ECHOK, ECHOKE, ECHONL, ECHOCTL),
 * after POSIX XBD 11.1.6-11.1.9 and 11.2 and the behaviour of Linux's n_tty.
 *
 * The one idea: ready input is a ring of 16-bit cells, a byte or TTY_EOF; ^D at the start of a
 * line queues a lone TTY_EOF, which is how read() returns 0 at a terminal while later input
 * is still there to be read.
 * XXX: no output flow control (IXON ^S/^Q), no VLNEXT, VREPRINT or VDISCARD, no VMIN/VTIME
 * other than 1/0 (a raw read returns as soon as one byte is there).
 */
#include <bsd/dev/tty_ldisc.h>

#define TTY_EOF 0x100 /* an EOF mark in tl_inq (^D): ends a read, or is one (returning 0) */

/* The signals of ISIG (Linux numbers; bsd/kern/proc.h's SIGINT, SIGQUIT, SIGTSTP). */
#define TTY_SIGINT  2
#define TTY_SIGQUIT 3
#define TTY_SIGTSTP 20

#define CTRL(c) ((c) & 0x1f)

void
tty_ldisc_init(struct tty_ldisc *tl)
{
	memset(tl, 0, sizeof(*tl));
	tl->tl_termios.c_iflag = ICRNL | IXON;
	tl->tl_termios.c_oflag = OPOST | ONLCR;
	tl->tl_termios.c_cflag = B38400 | CS8 | CREAD;
	tl->tl_termios.c_lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	tl->tl_termios.c_cc[VINTR] = CTRL('C');
	tl->tl_termios.c_cc[VQUIT] = CTRL('\\');
	tl->tl_termios.c_cc[VERASE] = 0x7f;
	tl->tl_termios.c_cc[VKILL] = CTRL('U');
	tl->tl_termios.c_cc[VEOF] = CTRL('D');
	tl->tl_termios.c_cc[VMIN] = 1;
	tl->tl_termios.c_cc[VSTART] = CTRL('Q');
	tl->tl_termios.c_cc[VSTOP] = CTRL('S');
	tl->tl_termios.c_cc[VSUSP] = CTRL('Z');
	tl->tl_termios.c_cc[VREPRINT] = CTRL('R');
	tl->tl_termios.c_cc[VDISCARD] = CTRL('O');
	tl->tl_termios.c_cc[VWERASE] = CTRL('W');
	tl->tl_termios.c_cc[VLNEXT] = CTRL('V');
}

static bool
tl_is(const struct tty_ldisc *tl, uint8_t c, int which)
{
	/* _POSIX_VDISABLE is 0 on Linux: a control character set to 0 is off. */
	return tl->tl_termios.c_cc[which] != 0 && c == tl->tl_termios.c_cc[which];
}

static void
tl_echo(struct tty_effect *ef, const char *s, size_t n)
{
	n = MIN(n, TTY_ECHO_MAX - ef->te_echolen);
	memcpy(ef->te_echo + ef->te_echolen, s, n);
	ef->te_echolen += n;
}

/* Echo byte c as it was typed: control characters as ^X under ECHOCTL (not tab or newline). */
static void
tl_echo_char(const struct tty_ldisc *tl, uint8_t c, struct tty_effect *ef)
{
	if ((tl->tl_termios.c_lflag & ECHOCTL) && (c < 0x20 || c == 0x7f) && c != '\t' &&
	    c != '\n') {
		char ctl[2] = { '^', (char)(c == 0x7f ? '?' : c + '@') };

		tl_echo(ef, ctl, 2);
	} else {
		char ch = (char)c;

		tl_echo(ef, &ch, 1);
	}
}

static bool
tl_push(struct tty_ldisc *tl, uint16_t cell)
{
	if (tl->tl_inq_len == TTY_INQ_MAX)
		return false; /* full: the byte is lost, as a UART overrun loses it */
	tl->tl_inq[(tl->tl_inq_head + tl->tl_inq_len) % TTY_INQ_MAX] = cell;
	tl->tl_inq_len++;
	return true;
}

/* Move the edited line to the ready queue, ended by end (a newline or EOL byte, or TTY_EOF). */
static void
tl_finish_line(struct tty_ldisc *tl, uint16_t end)
{
	size_t room = TTY_INQ_MAX - tl->tl_inq_len;

	/* A line that does not fit is cut (never split from its end); with no room at all it is
	 * lost, as an overrun loses bytes. */
	if (room == 0) {
		tl->tl_linelen = 0;
		return;
	}
	for (size_t i = 0; i < tl->tl_linelen && i + 1 < room; i++)
		(void)tl_push(tl, (uint8_t)tl->tl_line[i]);
	(void)tl_push(tl, end);
	tl->tl_inq_lines++;
	tl->tl_linelen = 0;
}

/* Erase the last character of the line (echoing "\b \b", or "\b\b  \b\b" for a ^X). */
static void
tl_erase_one(struct tty_ldisc *tl, struct tty_effect *ef, bool echo_erase)
{
	uint8_t c;

	if (tl->tl_linelen == 0)
		return;
	c = (uint8_t)tl->tl_line[--tl->tl_linelen];
	if (!echo_erase)
		return;
	if ((tl->tl_termios.c_lflag & ECHOCTL) && (c < 0x20 || c == 0x7f) && c != '\t')
		tl_echo(ef, "\b\b  \b\b", 6);
	else
		tl_echo(ef, "\b \b", 3);
}

static void
tl_canon(struct tty_ldisc *tl, uint8_t c, struct tty_effect *ef)
{
	tcflag_t lflag = tl->tl_termios.c_lflag;
	bool echo = (lflag & ECHO) != 0;

	if (tl_is(tl, c, VERASE) || c == '\b') {
		tl_erase_one(tl, ef, echo && (lflag & ECHOE));
		if (echo && !(lflag & ECHOE))
			tl_echo_char(tl, c, ef);
		return;
	}
	if ((lflag & IEXTEN) && tl_is(tl, c, VWERASE)) {
		/* The word before the cursor and the blanks after it. */
		while (tl->tl_linelen > 0 && (tl->tl_line[tl->tl_linelen - 1] == ' ' ||
					      tl->tl_line[tl->tl_linelen - 1] == '\t'))
			tl_erase_one(tl, ef, echo);
		while (tl->tl_linelen > 0 && tl->tl_line[tl->tl_linelen - 1] != ' ' &&
		       tl->tl_line[tl->tl_linelen - 1] != '\t')
			tl_erase_one(tl, ef, echo);
		return;
	}
	if (tl_is(tl, c, VKILL)) {
		if (echo && (lflag & ECHOKE)) {
			while (tl->tl_linelen > 0)
				tl_erase_one(tl, ef, true);
		} else {
			tl->tl_linelen = 0;
			if (echo) {
				tl_echo_char(tl, c, ef);
				if (lflag & ECHOK)
					tl_echo(ef, "\n", 1);
			}
		}
		return;
	}
	if (tl_is(tl, c, VEOF)) {
		tl_finish_line(tl, TTY_EOF); /* echoes nothing, as Linux does */
		return;
	}
	if (c == '\n' || tl_is(tl, c, VEOL) || tl_is(tl, c, VEOL2)) {
		if (echo || (c == '\n' && (lflag & ECHONL)))
			tl_echo_char(tl, c, ef);
		tl_finish_line(tl, c);
		return;
	}
	if (tl->tl_linelen + 1 >= TTY_LINE_MAX)
		return; /* the line is full: only its end is taken now */
	tl->tl_line[tl->tl_linelen++] = (char)c;
	if (echo)
		tl_echo_char(tl, c, ef);
}

void
tty_ldisc_input(struct tty_ldisc *tl, uint8_t c, struct tty_effect *ef)
{
	tcflag_t iflag = tl->tl_termios.c_iflag, lflag = tl->tl_termios.c_lflag;

	ef->te_echolen = 0;
	ef->te_signal = 0;
	if (c == '\r') {
		if (iflag & IGNCR)
			return;
		if (iflag & ICRNL)
			c = '\n';
	} else if (c == '\n' && (iflag & INLCR)) {
		c = '\r';
	}
	if (lflag & ISIG) {
		int sig = tl_is(tl, c, VINTR) ? TTY_SIGINT : tl_is(tl, c, VQUIT) ? TTY_SIGQUIT
			  : tl_is(tl, c, VSUSP)			  ? TTY_SIGTSTP
								  : 0;

		if (sig != 0) {
			if (!(lflag & NOFLSH))
				tty_ldisc_flush(tl);
			if (lflag & ECHO)
				tl_echo_char(tl, c, ef);
			ef->te_signal = sig;
			return;
		}
	}
	if (lflag & ICANON) {
		tl_canon(tl, c, ef);
		return;
	}
	if (tl_push(tl, c) && (lflag & ECHO))
		tl_echo_char(tl, c, ef);
}

bool
tty_ldisc_readable(const struct tty_ldisc *tl)
{
	if (tl->tl_termios.c_lflag & ICANON)
		return tl->tl_inq_lines > 0;
	return tl->tl_inq_len > 0;
}

size_t
tty_ldisc_read(struct tty_ldisc *tl, char *buf, size_t len, bool *eof)
{
	bool canon = (tl->tl_termios.c_lflag & ICANON) != 0;
	size_t n = 0;

	*eof = false;
	if (!tty_ldisc_readable(tl))
		return 0;
	while (tl->tl_inq_len > 0 && n < len) {
		uint16_t cell = tl->tl_inq[tl->tl_inq_head];
		bool eol = tl_is(tl, (uint8_t)cell, VEOL) || tl_is(tl, (uint8_t)cell, VEOL2);
		bool end = canon && (cell == TTY_EOF || cell == '\n' || eol);

		if (cell == TTY_EOF && !canon) {
			/* A mark left from canonical mode: raw reads skip it. */
			tl->tl_inq_head = (tl->tl_inq_head + 1) % TTY_INQ_MAX;
			tl->tl_inq_len--;
			if (tl->tl_inq_lines > 0)
				tl->tl_inq_lines--;
			continue;
		}
		tl->tl_inq_head = (tl->tl_inq_head + 1) % TTY_INQ_MAX;
		tl->tl_inq_len--;
		if (cell != TTY_EOF)
			buf[n++] = (char)cell;
		else if (n == 0)
			*eof = true;
		if (end) {
			if (tl->tl_inq_lines > 0)
				tl->tl_inq_lines--;
			break;
		}
	}
	return n;
}

void
tty_ldisc_flush(struct tty_ldisc *tl)
{
	tl->tl_linelen = 0;
	tl->tl_inq_head = tl->tl_inq_len = tl->tl_inq_lines = 0;
}

void
tty_ldisc_set(struct tty_ldisc *tl, const struct termios *t)
{
	bool was_canon = (tl->tl_termios.c_lflag & ICANON) != 0;

	tl->tl_termios = *t;
	if (was_canon && !(t->c_lflag & ICANON)) {
		/* What was typed so far becomes input a raw read takes. */
		for (size_t i = 0; i < tl->tl_linelen; i++)
			(void)tl_push(tl, (uint8_t)tl->tl_line[i]);
		tl->tl_linelen = 0;
	}
}

size_t
tty_ldisc_nready(const struct tty_ldisc *tl)
{
	size_t n = 0;

	for (size_t i = 0; i < tl->tl_inq_len; i++)
		n += tl->tl_inq[(tl->tl_inq_head + i) % TTY_INQ_MAX] != TTY_EOF;
	return n;
}
