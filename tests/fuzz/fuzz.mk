# tests/fuzz/fuzz.mk — the fuzz tier: libFuzzer harnesses for everything that parses untrusted
# bytes (ARCHITECTURE.md, "Testing"), built with clang, ASan and UBSan.
#
# Convention: tests/fuzz/<name>_fuzz.c defines LLVMFuzzerTestOneInput and has a line
# `// fuzz-deps: a.c b.c` naming the sources it links (paths from the repository root); every
# harness also links tests/unit/support/hosted.c. Seeds, if any, go in tests/fuzz/corpus/<name>/.
# Harnesses are found by wildcard: adding the file adds it to both targets.
#
#   make check-fuzz              each harness for FUZZ_SMOKE_TIME (4) seconds, one test each
#   make fuzz                    each harness for FUZZ_TIME (60) seconds
#   make fuzz FUZZ=cmdline FUZZ_TIME=600   one harness, longer
#
# The growing corpus is kept in build/fuzz/corpus/<name>/, crashes in build/fuzz/artifacts/.
# Replay one: build/fuzz/<name>_fuzz build/fuzz/artifacts/<name>/crash-...

FUZZ_CC         ?= clang
FUZZ            ?=
FUZZ_TIME       ?= 60
FUZZ_SMOKE_TIME ?= 4
FUZZ_SRCS       := $(sort $(wildcard tests/fuzz/*_fuzz.c))
ifneq ($(FUZZ),)
FUZZ_SRCS       := $(filter $(patsubst %,tests/fuzz/%_fuzz.c,$(FUZZ)),$(FUZZ_SRCS))
endif
FUZZ_BINS       := $(FUZZ_SRCS:tests/fuzz/%.c=$(BUILD)/fuzz/%)
FUZZ_CFLAGS     := -std=gnu11 -DNIMBUS_HOSTED -g -O1 -fno-omit-frame-pointer \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Wno-unused-parameter -I. -Ikernel -Itests/unit/support

fuzz_deps = $(shell sed -n 's|^// fuzz-deps:||p' $(1))

define FUZZ_RULE
$(1:tests/fuzz/%.c=$(BUILD)/fuzz/%): $(1) $(call fuzz_deps,$(1)) tests/unit/support/hosted.c \
		$(UNIT_HDRS) $(wildcard tests/fuzz/*.h)
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	@echo "  FUZZ    $$@"
	@$(FUZZ_CC) $(FUZZ_CFLAGS) $$(filter %.c,$$^) -o $$@ >$$@.build.log 2>&1 || \
		{ cat $$@.build.log; exit 1; }
endef
$(foreach f,$(FUZZ_SRCS),$(eval $(call FUZZ_RULE,$(f))))

.PHONY: fuzz check-fuzz fuzz-build
fuzz-build:
	@$(MAKE) --no-print-directory -k $(FUZZ_BINS) || true

fuzz:
	@$(MAKE) --no-print-directory -s fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_TIME) $(BUILD) $(FUZZ_SRCS)

check-fuzz:
	@$(MAKE) --no-print-directory -s fuzz-build
	@sh tests/fuzz/run.sh $(FUZZ_SMOKE_TIME) $(BUILD) $(FUZZ_SRCS)
