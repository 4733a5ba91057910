#!/usr/bin/env python3
"""net-shell-converse.py — tests/boot/converse.py with the net-shell scenario's commands, which
contain spaces (BOOT_DRIVER is split on spaces): ifconfig, ping 10.0.2.2 3, poweroff."""
import os
import runpy
import sys

sys.argv[1:1] = ["--cmd", "ifconfig", "--cmd", "ping 10.0.2.2 3", "--cmd", "poweroff"]
runpy.run_path(os.path.join(os.path.dirname(os.path.abspath(__file__)), "converse.py"),
               run_name="__main__")
