# GDB commands for debugging ppsos under QEMU's gdbstub.
#
# Load it explicitly; nothing here depends on an auto-loaded .gdbinit:
#
#   gdb -nx -x scripts/gdb/ppsos.gdb -ex 'target remote :1234' build/kernel.elf
#
# `make debug` (scripts/debug.sh) does exactly that. This file deliberately
# has no `file` and no `target remote`: the caller picks the kernel and the
# port (the tests use a free port of their own).
#
# Each QEMU vCPU is a GDB thread: `info threads` lists one per CPU, and
# `thread N` switches to CPU N-1.
#
# Why `hbreak` rather than `break` for the early kernel:
#   QEMU starts (-S) with the CPU at the reset vector and paging off. ppsos is
#   linked at 0xC0100000 (higher half) but loaded at 1 MiB physical, and the
#   boot code only maps the higher half once it turns paging on. A software
#   breakpoint (`break`) makes GDB write an int3 byte at the breakpoint's
#   address; with paging off that address means physical 0xC01xxxxx, which
#   is not RAM, so GDB fails with "Cannot insert breakpoint ... Cannot access
#   memory". A hardware breakpoint (`hbreak`) writes nothing: QEMU compares
#   each instruction's virtual address with it, so it fires as soon as the
#   kernel runs there. Once the kernel is in kmain (paging on), `break`
#   works too.

set architecture i386
set pagination off
set confirm off
set print pretty on
# GDB's default "auto" retries a refused TCP connection for up to 15 s,
# which covers a QEMU that is still starting.
set tcp connect-timeout 30

define ppsos-boot
  hbreak kmain
  continue
end
document ppsos-boot
Run the halted machine to kmain, the boot CPU's C entry point.
Uses a hardware breakpoint (hbreak): paging is still off at reset, so a
software breakpoint at kmain's higher-half address cannot be written.
end

define ppsos-ap
  hbreak ap_entry
  continue
end
document ppsos-ap
Run until an application processor (AP) reaches ap_entry, its C entry
point after the real-mode trampoline. `info threads` shows which vCPU it is.
end

define ppsos-panic
  hbreak panic
  hbreak panic_trap
  continue
end
document ppsos-panic
Stop at panic() or panic_trap() (a fatal CPU exception), before the report
is printed and the other CPUs are stopped. Then `bt` shows how it got there,
e.g. after booting with CMDLINE=crash=null.
end

define ppsos-cpus
  info threads
end
document ppsos-cpus
One GDB thread per CPU (vCPU): where each CPU is stopped.
end

define ppsos-bt-all
  thread apply all bt
end
document ppsos-bt-all
A backtrace on every CPU.
end

define ppsos-cpu
  if $argc != 1
    echo usage: ppsos-cpu N  (kernel CPU number: cpus[N])\n
  else
    print cpus[$arg0]
  end
end
document ppsos-cpu
ppsos-cpu N: print struct cpu for CPU N (LAPIC id, online flag, current
thread, tick count, ...). The CPUs that came online: print ncpus_online
end

define ppsos-cr
  info registers cr0 cr2 cr3 cr4
end
document ppsos-cr
The control registers of the current CPU: cr0 (PG = bit 31: paging on),
cr2 (the last page-fault address), cr3 (page directory), cr4.
end

# The PPS helpers (pps-pte, pps-vmas, pps-ps, pps-stats, pps-dftlb,
# pps-series, pps-cpus, pps-break-stage, pps-step, pps-step-wait) are GDB
# Python: scripts/gdb/ppsos.py, next to this file. `help ppsos-py` lists
# them. It is found relative to GDB's working directory (the top of the
# checkout: make debug and the tests run from there) or, failing that,
# next to the loaded kernel (build/kernel.elf -> ../scripts/gdb/).
python
import os as _os
_cands = [_os.path.join("scripts", "gdb", "ppsos.py")]
for _o in gdb.objfiles():
    if _o.filename:
        _cands.append(_os.path.join(_os.path.dirname(_os.path.abspath(_o.filename)),
                                    "..", "scripts", "gdb", "ppsos.py"))
_found = next((c for c in _cands if _os.path.isfile(c)), None)
if _found is None:
    print("ppsos.gdb: scripts/gdb/ppsos.py not found (run gdb from the top of the checkout); "
          "the pps-* commands are missing")
else:
    gdb.execute("source " + _found)
end
