/*
 * tty_ldisc.h — the terminal line discipline (tty_ldisc.c, portable: unit-tested on the host):
 * what a terminal does to the bytes typed at it before a program reads them, per POSIX XBD
 * chapter 11 "General Terminal Interface" and Linux's termios(3) flags.
 *
 * The one idea: typed bytes go through the discipline one at a time; in canonical mode they
 * are edited in a line buffer (erase, kill, word erase) and only a finished line (newline, or
 * EOF's ^D) moves to the queue a read takes from; in raw mode every byte goes straight there.
 * Echo and the signal a byte raises (^C, ^\, ^Z) are handed back to the caller, which owns the
 * output device and the process groups. The discipline takes no locks: its owner serialises.
 */
#ifndef _BSD_DEV_TTY_LDISC_H_
#define _BSD_DEV_TTY_LDISC_H_

#include <libkern/libkern.h>
/* struct termios and its flags in the Linux ABI layout (36 bytes: TCGETS/TCSETS). */
#include <asm/termbits.h>

#define TTY_LINE_MAX 1024 /* MAX_CANON: a longer line gets no more bytes until it ends */
#define TTY_INQ_MAX  2048 /* bytes and EOF marks waiting to be read */
#define TTY_ECHO_MAX 32	  /* the most echo one input byte makes */

struct tty_ldisc {
	struct termios tl_termios;
	char tl_line[TTY_LINE_MAX];	/* the canonical line being edited */
	size_t tl_linelen;
	uint16_t tl_inq[TTY_INQ_MAX];	/* ready input: bytes, or TTY_EOF marks (a ring) */
	size_t tl_inq_head, tl_inq_len;
	size_t tl_inq_lines;		/* ends of line (newline, EOL, EOF mark) in tl_inq */
};

/* What one input byte did besides queueing: text to echo, and a signal to raise (0: none). */
struct tty_effect {
	char te_echo[TTY_ECHO_MAX];
	size_t te_echolen;
	int te_signal;
};

/* tty_ldisc_init: the settings of a fresh Linux terminal (cooked, echo, ISIG, ^C ^\ ^Z ...). */
void tty_ldisc_init(struct tty_ldisc *tl);

/* tty_ldisc_input: one byte typed; *ef says what to echo and which signal to raise. */
void tty_ldisc_input(struct tty_ldisc *tl, uint8_t c, struct tty_effect *ef);

/* tty_ldisc_readable: whether a read would return now (a whole line, or EOF, when canonical). */
bool tty_ldisc_readable(const struct tty_ldisc *tl);

/*
 * tty_ldisc_read: take up to len ready bytes into buf; in canonical mode at most one line (its
 * newline included; an EOF mark ends it and is consumed). Returns the bytes taken; 0 either
 * when nothing is ready or at an EOF mark alone (*eof true).
 */
size_t tty_ldisc_read(struct tty_ldisc *tl, char *buf, size_t len, bool *eof);

/* tty_ldisc_flush: drop the line being edited and the ready input (TCSETSF, TCFLSH). */
void tty_ldisc_flush(struct tty_ldisc *tl);

/* tty_ldisc_set: new settings; leaving canonical mode makes the edited line ready input. */
void tty_ldisc_set(struct tty_ldisc *tl, const struct termios *t);

/* Bytes ready (FIONREAD): queued input, EOF marks left out. */
size_t tty_ldisc_nready(const struct tty_ldisc *tl);

#endif /* _BSD_DEV_TTY_LDISC_H_ */
