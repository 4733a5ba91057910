/*
 * cons_tty.h — the console as a terminal (cons_tty.c): the open file behind init's descriptors
 * 0, 1 and 2, with a line discipline, a controlling session and a foreground process group.
 */
#ifndef _BSD_DEV_CONS_TTY_H_
#define _BSD_DEV_CONS_TTY_H_

#include <libkern/libkern.h>

struct file;

/*
 * cons_tty_file: the console's open file (static, never freed: take references with
 * file_ref). The first call starts the thread that takes the console's input from then on,
 * so the kernel's debug shell must not be reading it any more.
 */
struct file *cons_tty_file(void);

/* cons_tty_readable: whether a read of the console would return now (poll's POLLIN). */
bool cons_tty_readable(void);

#endif /* _BSD_DEV_CONS_TTY_H_ */
