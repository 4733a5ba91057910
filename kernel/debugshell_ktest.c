/*
 * debugshell_ktest.c — the debug shell's command dispatch, driven without a terminal.
 */
#include <debugshell.h>
#include <ktest.h>

KTEST(debugshell_dispatch)
{
	char known[] = "  help  ";
	char unknown[] = "no-such-command arg";
	char empty[] = "   ";

	KT_ASSERT(debugshell_exec(known));
	KT_ASSERT(!debugshell_exec(unknown));
	KT_ASSERT(debugshell_exec(empty));
}
