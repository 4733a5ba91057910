# Debug profile: no optimisation, for gdb stepping (make PROFILE=debug; qemu -s -S).
PROFILE_CFLAGS := -O0 -DDEBUG=1
