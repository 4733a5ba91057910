# tests/bench/bench.mk — the pager benchmark (issue 11) and its check.
#
#   make bench                    Nimbus against Linux, sizes from tests/bench/bench.conf
#   make bench BENCH_SIZE=large   bigger guest and files (run it under KVM)
#   make bench BENCH_QUICK=1      tiny sizes, one repetition: proves the harness runs
#   make check-bench              (part of make check) the table code's unit test and a smoke
#                                 run of pagerbench on this host; boots nothing
# Results: build/bench/pager.md, build/bench/pager.png, console logs in build/bench/runs/.

BENCH_SIZE ?= small

.PHONY: check-bench
bench: deps
	@BENCH_SIZE=$(if $(BENCH_QUICK),quick,$(BENCH_SIZE)) bash ci/bench.sh

check-bench:
	@sh tests/bench/smoke.sh $(BUILD)/bench-check
