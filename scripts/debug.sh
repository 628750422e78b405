#!/usr/bin/env bash
# `make debug`: start ppsos in QEMU halted at the first instruction, with
# QEMU's gdbstub listening, and attach GDB to it. Quitting GDB stops QEMU.
#
# Settings (environment; `make debug` passes them from its knobs):
#   SMP=4 MEM=64 CMDLINE= GDBPORT=1234 KERNEL=build/kernel.elf
#   INITRD=build/initrd.cpio      user space (/bin); INITRD= (empty): none,
#                                 and the kernel runs its monitor, kmon
#   SWAP=build/swap.img           the swap disk (hdb); QEMU locks it, so a
#                                 second QEMU at the same time needs a copy
#   SERIAL_LOG=build/serial.log   where the serial console's output goes
#   SERIAL_PORT=                  also serve the console on this TCP port of
#                                 127.0.0.1, to type at the shell from
#                                 another terminal: nc localhost PORT
# Extra arguments go to GDB, e.g. a batch run:
#   scripts/debug.sh -batch -ex ppsos-boot -ex bt
#
# Run from the top of the checkout (make does that).
set -u

SMP=${SMP:-4}
MEM=${MEM:-64}
CMDLINE=${CMDLINE:-}
GDBPORT=${GDBPORT:-1234}
KERNEL=${KERNEL:-build/kernel.elf}
INITRD=${INITRD-build/initrd.cpio}
SERIAL_LOG=${SERIAL_LOG:-build/serial.log}
SERIAL_PORT=${SERIAL_PORT:-}
SWAP=${SWAP:-build/swap.img}
PIDFILE=$PWD/build/qemu-gdb-$GDBPORT.pid  # absolute: a daemonized QEMU does chdir /

if [ ! -f "$KERNEL" ]; then
	echo "debug.sh: $KERNEL not found; run make first" >&2
	exit 1
fi
swap_opts=()
[ -f "$SWAP" ] && swap_opts=(-drive "file=$SWAP,format=raw,if=ide,index=1")
initrd_opts=()
if [ -n "$INITRD" ]; then
	if [ ! -f "$INITRD" ]; then
		echo "debug.sh: $INITRD not found; run make first (or INITRD= for none)" >&2
		exit 1
	fi
	initrd_opts=(-initrd "$INITRD")
fi
# The console goes to SERIAL_LOG; with SERIAL_PORT also to a TCP socket
# that takes one client at a time (what is printed while nobody is
# connected still reaches the log).
serial_opts=(-serial "file:$SERIAL_LOG")
if [ -n "$SERIAL_PORT" ]; then
	serial_opts=(-chardev "socket,id=ser0,host=127.0.0.1,port=$SERIAL_PORT,server=on,wait=off,logfile=$SERIAL_LOG"
		-serial chardev:ser0)
fi

cleanup() {
	if [ -s "$PIDFILE" ]; then
		kill "$(cat "$PIDFILE")" 2>/dev/null
		rm -f "$PIDFILE"
	fi
}
trap cleanup EXIT
# Ctrl-C belongs to GDB (it interrupts the guest). Bash runs this trap only
# after GDB exits, and then carries on to the cleanup.
trap ':' INT

: > "$SERIAL_LOG"
rm -f "$PIDFILE"
# -daemonize: QEMU returns once the gdbstub is listening, runs in its own
# session (so Ctrl-C in GDB does not kill it) and leaves its pid in PIDFILE.
if ! qemu-system-i386 -smp "$SMP" -m "$MEM" -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 "${swap_opts[@]}" \
	-display none -monitor none "${serial_opts[@]}" \
	-kernel "$KERNEL" "${initrd_opts[@]}" -append "$CMDLINE" \
	-S -gdb "tcp::$GDBPORT" -daemonize -pidfile "$PIDFILE"; then
	echo "debug.sh: QEMU did not start (is port $GDBPORT in use? try GDBPORT=...)" >&2
	exit 1
fi

cat <<EOF
ppsos debug: QEMU ($SMP CPUs, $MEM MiB) is halted at the reset vector, gdbstub on port $GDBPORT.
  serial console: tail -f $SERIAL_LOG     command line: '$CMDLINE'
EOF
[ -n "$SERIAL_PORT" ] && echo "  type at the console from another terminal: nc localhost $SERIAL_PORT"
cat <<EOF
  in gdb: ppsos-boot (run to kmain), continue, Ctrl-C, info threads (one per CPU),
          help user-defined (the ppsos-* commands), help ppsos-py (the pps-* helpers;
          the lab: docs/gdb-walkthrough.md). Quitting gdb stops QEMU.
EOF

gdb -q -nx -x scripts/gdb/ppsos.gdb -ex "target remote localhost:$GDBPORT" "$@" "$KERNEL"
status=$?
exit $status
