# tests/unit/unit.mk — the unit tier: Criterion tests of portable kernel code, built for the
# host with AddressSanitizer and UndefinedBehaviorSanitizer (ARCHITECTURE.md, "Testing").
#
# Convention (tests mirror the tree, STYLE.md habit 8): tests/unit/<dir>/<name>_test.c tests
# <dir>/<name>.c, which is linked in when it exists. A line `// unit-deps: a.c b.c` names more
# sources to link: paths from the repository root, or else relative to <dir>. Every test also
# links tests/unit/support/hosted.c (panic, klog, the hosted direct map).
#
#   make check-unit                 build and run every test
#   make check-unit UNIT=kernel/cmdline   only tests/unit/kernel/cmdline_test.c
#   build/unit/kernel/cmdline_test --help   Criterion's own options (--filter, --verbose, ...)

UNIT_CC      ?= gcc
UNIT         ?=
UNIT_SRCS    := $(sort $(shell find tests/unit -name '*_test.c' 2>/dev/null))
ifneq ($(UNIT),)
UNIT_SRCS    := $(filter $(patsubst %,tests/unit/%_test.c,$(UNIT)),$(UNIT_SRCS))
endif
UNIT_BINS    := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
UNIT_SUPPORT := $(wildcard tests/unit/support/*.c)
UNIT_HDRS    := $(shell find $(KDIRS) tests/unit/support -name '*.h' 2>/dev/null)
UNIT_CFLAGS  := -std=gnu11 -DNIMBUS_HOSTED -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-Wall -Wextra -Werror -Wno-unused-parameter -I. -Ikernel -Itests/unit/support \
	$(shell pkg-config --cflags criterion 2>/dev/null)
UNIT_LIBS    := $(shell pkg-config --libs criterion 2>/dev/null || echo -lcriterion)

# unit_mirror TEST: the source a test mirrors, if it exists.
unit_mirror = $(wildcard $(patsubst tests/unit/%_test.c,%.c,$(1)))
# unit_deps TEST: its `// unit-deps:` sources, each from the root or else beside the mirror.
unit_dep1   = $(if $(wildcard $(2)),$(2),$(or $(wildcard $(dir $(1:tests/unit/%=%))$(2)),$(2)))
unit_deps   = $(foreach d,$(shell sed -n 's|^// unit-deps:||p' $(1)),$(call unit_dep1,$(1),$(d)))

define UNIT_RULE
$(1:tests/unit/%.c=$(BUILD)/unit/%): $(1) $(call unit_mirror,$(1)) $(call unit_deps,$(1)) \
		$(UNIT_SUPPORT) $(UNIT_HDRS)
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	@echo "  UNIT    $$@"
	@$(UNIT_CC) $(UNIT_CFLAGS) $$(filter %.c,$$^) $(UNIT_LIBS) -o $$@ >$$@.build.log 2>&1 || \
		{ cat $$@.build.log; exit 1; }
endef
$(foreach t,$(UNIT_SRCS),$(eval $(call UNIT_RULE,$(t))))

.PHONY: check-unit unit-build
# -k: a test that does not build is reported as failing; the others still run.
unit-build:
	@mkdir -p $(BUILD)
	@$(MAKE) --no-print-directory -k $(UNIT_BINS) || true

check-unit:
	@$(MAKE) --no-print-directory -s unit-build
	@sh tests/unit/run.sh $(BUILD) $(UNIT_SRCS)
