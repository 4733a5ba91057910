# Test profile: what boot tests run; the same code as default, with assertions.
PROFILE_CFLAGS := -O2 -DDEBUG=1
