/* hello.c — the smallest user program: one write(2) to the console, exit 0. Built static and
 * static-pie (tests/boot/user.sh) so both loader paths run. */
#include <unistd.h>

int
main(void)
{
	static const char msg[] = "hello, world\n";

	return write(1, msg, sizeof(msg) - 1) == sizeof(msg) - 1 ? 0 : 1;
}
