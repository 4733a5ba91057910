#!/bin/sh
# Turns `nm -n` output (stdin) into an assembly file holding the kernel's text symbols, sorted by
# address, for panic backtraces: ksyms_count, ksyms_addrs[] (u64) and ksyms_names (offsets into a
# string blob). Linker-script section markers are left out so
# they never shadow the function that starts at the same address. With empty input it emits an empty table of the same shape.
awk 'BEGIN { n = 0 }
$2 ~ /^[tTwW]$/ && $1 ~ /^ffffffff8/ && $3 !~ /^_(text|rodata|data|bss|kernel)_/ { addr[n] = $1; name[n] = $3; n++ }
END {
	print "\t.section .rodata.ksyms, \"a\""
	print "\t.balign 8"
	print "\t.globl ksyms_count, ksyms_addrs, ksyms_offsets, ksyms_strings"
	print "ksyms_count:\t.quad " (n + 0)
	print "ksyms_addrs:"
	for (i = 0; i < n; i++) print "\t.quad 0x" addr[i]
	print "ksyms_offsets:"
	off = 0
	for (i = 0; i < n; i++) { print "\t.long " off; off += length(name[i]) + 1 }
	print "ksyms_strings:"
	for (i = 0; i < n; i++) print "\t.asciz \"" name[i] "\""
	print "\t.section .note.GNU-stack, \"\", @progbits"
}'
