# Default build profile: optimised, with assertions.
PROFILE_CFLAGS := -O2 -DDEBUG=1
