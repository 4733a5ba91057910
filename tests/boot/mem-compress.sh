#!/bin/bash
# mem-compress — a 64 MiB guest with no swap device: the vm_compress ktest writes an anonymous
# region one and a half times the size of memory with compressible data and reads every word
# back, so the pageout daemon must keep pages in the default pager's compressed in-memory store
# (issue 6: "a -m 64M guest touching more memory than it has with the in-memory store, all
# contents verified"). The counts and rates are printed as figures; the judge checks the pages went.
. "$(dirname "$0")/lib.sh"
boot_scenario mem-compress
BOOT_ACCEL=tcg
BOOT_MEM=64M
BOOT_TIMEOUT=180
BOOT_PCI_DEVICES=0
BOOT_APPEND="ktest=vm_compressed_store_larger_than_ram"
boot_run
boot_expect '^# vm_compress: [0-9]+ pages .* up to [1-9][0-9]* pages held compressed.* 0 bad words$' \
	"pages kept compressed in memory and read back intact"
boot_expect '^ok [0-9]+ - vm_compressed_store_larger_than_ram$' "the ktest (ran, not skipped)"
boot_finish
