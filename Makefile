# ppsos: `make run` boots it, `make test` tests it. See README.md.
#
# Knobs (make VAR=value): SMP (CPUs), MEM (MiB), CMDLINE (kernel command
# line), SWAP_MB (size of a new build/swap.img, the swap disk of run,
# ktest, bench...; the pytest tests make their own), GDBPORT, DEBUG (1:
# invariant assertions on, the default and what the tests use), VGA (1:
# show QEMU's window with the VGA mirror), BENCH_SMP (`make bench
# BENCH_SMP="4"`: the CPU counts to benchmark; default "1 4"), BENCH_REPEAT
# (boots per configuration, cells are medians), BENCH_COMPARE,
# BENCH_COMPARE_WORKLOADS, BENCH_RECLAIM (see bench below), INSTALL_DEPS
# (what installs missing tools).

SMP ?= 4
MEM ?= 64
CMDLINE ?=
SWAP_MB ?= 64
GDBPORT ?= 1234
DEBUG ?= 1
VGA ?= 0

BUILD := build
CROSS ?= i686-linux-gnu-
CC := $(CROSS)gcc
LD := $(CROSS)ld
NM := $(CROSS)nm
NASM := nasm
QEMU := qemu-system-i386
PYTHON := /usr/bin/python3
# What installs missing tools (tests/test_fresh_build.py puts a fake one here).
INSTALL_DEPS ?= ./scripts/install-deps.sh

# Values asked of a tool are computed where a recipe first uses them, not
# when make reads this file: on a fresh machine the tools only exist once
# the $(BUILD)/.tools-ok rule has installed them. `V = $(eval V := ...)$(V)`
# runs the tool once, then V keeps the answer. Every rule that runs a tool
# has `| $(BUILD)/.tools-ok`, so that with -j too nothing runs before it.
# -Iinclude: the user-ABI headers, <uapi/ppsos/*.h>, which user/lib shares.
CFLAGS = -std=gnu11 -m32 -march=i686 -O2 -g -ffreestanding -fno-pic -fno-pie \
	-fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-mno-sse -mno-mmx -mno-80387 -fno-strict-aliasing -fno-common \
	-Wall -Wextra -Wno-unused-parameter -I. -Iinclude -MMD -MP $(CC_MIN_PAGESIZE)
# GCC 12 warns about fixed low addresses (the BIOS data area) otherwise.
CC_MIN_PAGESIZE = $(eval CC_MIN_PAGESIZE := $(shell $(CC) --param=min-pagesize=0 \
	-E -x c /dev/null >/dev/null 2>&1 && echo --param=min-pagesize=0))$(CC_MIN_PAGESIZE)
ifeq ($(DEBUG),1)
CFLAGS += -DDEBUG
endif
NASMFLAGS := -f elf32 -g -F dwarf
LDFLAGS := -m elf_i386 -nostdlib -z noexecstack -T linker.ld
LIBGCC = $(eval LIBGCC := $(shell $(CC) -m32 -print-libgcc-file-name))$(LIBGCC)

KERNEL_C := $(wildcard kernel/*.c kernel/fs/*.c mm/*.c arch/x86/*.c drivers/*.c drivers/ata/*.c)
KTEST_C := $(wildcard tests/*/ktest_*.c)
KERNEL_ASM := $(wildcard boot/*.asm arch/x86/*.asm)
OBJS := $(patsubst %.c,$(BUILD)/%.o,$(KERNEL_C) $(KTEST_C)) \
	$(patsubst %.asm,$(BUILD)/%.o,$(KERNEL_ASM))

QEMU_BASE = $(QEMU) -smp $(SMP) -m $(MEM) -no-reboot \
	-device isa-debug-exit,iobase=0xf4,iosize=0x04 \
	-drive file=$(BUILD)/swap.img,format=raw,if=ide,index=1
ifeq ($(VGA),1)
QEMU_RUN = $(QEMU_BASE) -serial mon:stdio
else
QEMU_RUN = $(QEMU_BASE) -serial mon:stdio -display none
endif

.PHONY: all run run-kernel debug test ktest pytest bench bench-compare bench-disk bench-scale clean tools FORCE
.PHONY: host-tools bench-opt
all: $(BUILD)/kernel.elf $(INITRD) $(BUILD)/ppsos.iso $(BUILD)/swap.img

# User programs (user/user.mk) and the initrd that carries them.
include user/user.mk

# EXTRA_PROGS='dir/a.c dir/b': a .c file is built against user/lib, any
# other file is taken as a ready static i386 ELF; each lands in /bin.
EXTRA_PROGS ?=
# Where the initrd goes: tests build one with their own EXTRA_PROGS beside
# the normal one (make build/t.cpio INITRD=build/t.cpio EXTRA_PROGS=...).
INITRD ?= $(BUILD)/initrd.cpio
EXTRA_C := $(filter %.c,$(EXTRA_PROGS))
EXTRA_BIN := $(filter-out %.c,$(EXTRA_PROGS))
EXTRA_BUILT := $(foreach f,$(EXTRA_C),$(BUILD)/user/extra/$(basename $(notdir $(f))))
define extra_rule
$(BUILD)/user/extra/$(basename $(notdir $(1))): $(1) $$(USER_LIB) $$(USER_CRT0) | $(BUILD)/.tools-ok
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$<"
	@$$(USER_CC) $$(USER_CFLAGS) $$(USER_LDFLAGS) -o $$@ $$(USER_CRT0) $$< $$(USER_LIB) $$(USER_LIBGCC)
endef
$(foreach f,$(EXTRA_C),$(eval $(call extra_rule,$(f))))

INITRD_FILES := $(foreach b,$(USER_BINS) $(EXTRA_BUILT),bin/$(notdir $(b))=$(b)) \
	$(foreach b,$(EXTRA_BIN),bin/$(notdir $(b))=$(b)) \
	$(foreach d,$(USER_DATA),data/$(notdir $(d))=$(d))

$(INITRD).extra: FORCE | $(BUILD)/.tools-ok
	@printf '%s\n' "$(EXTRA_PROGS)" | cmp -s - $@ 2>/dev/null || printf '%s\n' "$(EXTRA_PROGS)" > $@

$(INITRD): $(USER_BINS) $(EXTRA_BUILT) $(EXTRA_BIN) $(USER_DATA) scripts/mkinitrd.py $(INITRD).extra \
		| $(BUILD)/.tools-ok
	@echo "  INITRD  $@"
	@for f in $(EXTRA_BIN); do [ -f "$$f" ] || { echo "EXTRA_PROGS: $$f not found" >&2; exit 1; }; done
	@$(PYTHON) scripts/mkinitrd.py $@ $(INITRD_FILES)

# Missing tools are installed once, by one script, which says what it does.
$(BUILD)/.tools-ok:
	@missing=""; \
	for t in $(CC) $(LD) $(NASM) $(QEMU) grub-mkrescue xorriso gdb; do \
		command -v $$t >/dev/null 2>&1 || missing="$$missing $$t"; \
	done; \
	[ -d /usr/lib/grub/i386-pc ] || missing="$$missing grub-pc-bin"; \
	$(PYTHON) -c 'import pytest, pexpect' 2>/dev/null || missing="$$missing pytest/pexpect"; \
	if [ -n "$$missing" ]; then \
		echo "ppsos: missing:$$missing"; \
		$(INSTALL_DEPS) || exit 1; \
	fi
	@mkdir -p $(BUILD) && touch $@
tools: $(BUILD)/.tools-ok

$(BUILD)/%.o: %.c | $(BUILD)/.tools-ok
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/%.o: %.asm | $(BUILD)/.tools-ok
	@mkdir -p $(dir $@)
	@echo "  NASM    $<"
	@$(NASM) $(NASMFLAGS) $< -o $@

# Two links: the first, with an empty symbol table, gives the addresses
# that scripts/gen-ksyms.sh turns into the table of the second. .ksyms sits
# after .text in linker.ld, so no function moves between the two.
$(BUILD)/kernel.elf: $(OBJS) linker.ld scripts/gen-ksyms.sh | $(BUILD)/.tools-ok
	@echo "  LD      $@"
	@./scripts/gen-ksyms.sh $(NM) > $(BUILD)/ksyms0.asm
	@$(NASM) -f elf32 $(BUILD)/ksyms0.asm -o $(BUILD)/ksyms0.o
	@$(LD) $(LDFLAGS) -o $(BUILD)/kernel.stage1.elf $(OBJS) $(BUILD)/ksyms0.o $(LIBGCC)
	@./scripts/gen-ksyms.sh $(NM) $(BUILD)/kernel.stage1.elf > $(BUILD)/ksyms.asm
	@$(NASM) -f elf32 $(BUILD)/ksyms.asm -o $(BUILD)/ksyms.o
	@$(LD) $(LDFLAGS) -o $@ $(OBJS) $(BUILD)/ksyms.o $(LIBGCC)
	@$(NM) -n $(BUILD)/kernel.stage1.elf | grep -i ' t ' > $(BUILD)/syms1.txt
	@$(NM) -n $@ | grep -i ' t ' > $(BUILD)/syms2.txt
	@cmp -s $(BUILD)/syms1.txt $(BUILD)/syms2.txt || { echo "ksyms: text moved between links" >&2; exit 1; }

# The ISO is rebuilt when the kernel or CMDLINE changes.
$(BUILD)/cmdline.txt: FORCE | $(BUILD)/.tools-ok
	@printf '%s\n' "$(CMDLINE)" | cmp -s - $@ 2>/dev/null || printf '%s\n' "$(CMDLINE)" > $@

$(BUILD)/ppsos.iso: $(BUILD)/kernel.elf $(INITRD) boot/grub.cfg.in scripts/mkiso.sh $(BUILD)/cmdline.txt \
		| $(BUILD)/.tools-ok
	@echo "  ISO     $@"
	@./scripts/mkiso.sh $(BUILD)/kernel.elf $(INITRD) $@ "$(CMDLINE)"

# A sparse file, formatted as Linux swap by Linux's own mkswap (util-linux,
# on every Debian), so the kernel reads the header any Linux would write.
$(BUILD)/swap.img: | $(BUILD)/.tools-ok
	@echo "  SWAP    $@ ($(SWAP_MB) MiB, sparse, mkswap)"
	@truncate -s $(SWAP_MB)M $@.tmp
	@chmod 600 $@.tmp
	@# (mkswap's note about holes concerns Linux swap *files*; this is a disk)
	@PATH="$$PATH:/sbin:/usr/sbin" mkswap -L ppsos-swap $@.tmp > $@.log 2>&1 || \
		{ cat $@.log >&2; echo "swap.img: mkswap failed" >&2; exit 1; }
	@mv $@.tmp $@

# QEMU exits 1 when the kernel powers off through isa-debug-exit: success.
run: all
	@echo "ppsos: booting the GRUB ISO with $(SMP) CPUs and $(MEM) MiB; quit with Ctrl-a x"
	@$(QEMU_RUN) -cdrom $(BUILD)/ppsos.iso -boot d; s=$$?; [ $$s -eq 0 ] || [ $$s -eq 1 ]

run-kernel: all
	@echo "ppsos: booting build/kernel.elf directly (-kernel); quit with Ctrl-a x"
	@$(QEMU_RUN) -kernel $(BUILD)/kernel.elf -initrd $(INITRD) -append "$(CMDLINE)"; \
		s=$$?; [ $$s -eq 0 ] || [ $$s -eq 1 ]

debug: all
	@SMP=$(SMP) MEM=$(MEM) CMDLINE="$(CMDLINE)" GDBPORT=$(GDBPORT) KERNEL=$(BUILD)/kernel.elf \
		./scripts/debug.sh

# In-kernel tests: KTAP on the serial line, status through isa-debug-exit.
ktest: all
	@echo "ppsos: in-kernel tests (ktest=all) on $(SMP) CPUs"
	@timeout 300 $(QEMU_BASE) -display none -serial stdio -monitor none \
		-kernel $(BUILD)/kernel.elf -initrd $(INITRD) \
		-append "ktest=all panic=exit $(CMDLINE)" \
		> $(BUILD)/ktest.log 2>&1; s=$$?; \
	grep -E '(not )?ok [0-9]+ |# ktest:|FAIL|PANIC' $(BUILD)/ktest.log; \
	if [ $$s -ne 1 ]; then echo "ktest: FAILED (QEMU status $$s), full log: $(BUILD)/ktest.log"; exit 1; fi

# Disk benchmark: PIO vs DMA on the swap disk (writes its upper half only;
# the swap header at the start stays).
bench-disk: all
	@echo "ppsos: disk benchmark (bench=disk), PIO and DMA"
	@timeout 300 $(QEMU_BASE) -display none -serial stdio -monitor none \
		-kernel $(BUILD)/kernel.elf -append "bench=disk panic=exit $(CMDLINE)" \
		> $(BUILD)/bench-disk.log 2>&1; s=$$?; \
	grep 'bench-disk:' $(BUILD)/bench-disk.log; \
	if [ $$s -ne 1 ]; then echo "bench-disk: FAILED (QEMU status $$s), log: $(BUILD)/bench-disk.log"; exit 1; fi

# Linux on the same workloads (scripts/bench_linux.py): Debian's i386 kernel
# (fetched once into ${PPSOS_CACHE:-~/.cache/ppsos}/linux) boots on ppsos's
# QEMU command line at bench_workloads.LINUX_MEM MiB, once with the classic
# LRU and once with MGLRU; a table and build/bench-linux.csv.
# BENCH_WORKLOADS=random,seqscan: only those (bench_workloads' names);
# BENCH_REPEAT: boots per mode, cells are medians. Not part of `make test`.
.PHONY: bench-linux
bench-linux: all
	@$(PYTHON) scripts/bench_linux.py --repeat $(BENCH_REPEAT) --workloads "$(BENCH_WORKLOADS)"

# PPS benchmark: the thrash programs at -m 64 -smp 4, with the vmstat
# figures of each run, a table and build/bench.csv (scripts/bench_pps.py
# says what to look for), at -smp 1 and 4 with the -smp 4 / -smp 1 time
# ratio (BENCH_SMP= other CPU counts; empty: skip this part), each cell the
# median of BENCH_REPEAT boots; BENCH_WORKLOADS=thrash,seqscan: only those
# programs (in this part and bench_reclaim's).
# Then the main table (scripts/bench_compare.py, also `make bench-compare`):
# the workloads of scripts/bench_workloads.py at -m 38 -smp 4 under each
# BENCH_COMPARE configuration (reclaim=pps, reclaim=clock; empty: skip),
# a boot per run with a vmstat sampler beside the workload, combined with
# build/bench-linux.csv (make bench-linux) and the OPT/LRU replay (make
# bench-opt) into build/bench-compare.md and .csv, and the plots in
# build/plots/. BENCH_COMPARE_WORKLOADS=random,seqscan: only those.
# BENCH_RECLAIM (RECLAIM[/RMAP] list, e.g. pps,clock,clock/chain,pps/chain)
# also runs scripts/bench_reclaim.py, PPS against the clock with either
# reverse map, fork workloads included; empty by default.
# Under TCG on two host cores the first part takes 3 to 4 minutes, the
# comparison about 18 (reclaim=clock's runs are the slow ones), per
# BENCH_REPEAT. A quick look:
#   make bench BENCH_SMP= BENCH_COMPARE=pps BENCH_COMPARE_WORKLOADS=seqscan
BENCH_SMP ?= 1 4
BENCH_REPEAT ?= 1
BENCH_RECLAIM ?=
BENCH_WORKLOADS ?=
BENCH_COMPARE ?= pps,clock
BENCH_COMPARE_WORKLOADS ?=
bench: all
	@$(if $(strip $(BENCH_SMP)),$(PYTHON) scripts/bench_pps.py --mem $(MEM) --smp $(BENCH_SMP) \
		--repeat $(BENCH_REPEAT) --workloads "$(BENCH_WORKLOADS)")
	@$(if $(strip $(BENCH_RECLAIM)),$(PYTHON) scripts/bench_reclaim.py --mem $(MEM) \
		--configs "$(BENCH_RECLAIM)" --repeat $(BENCH_REPEAT) --workloads "$(BENCH_WORKLOADS)")
	@$(if $(strip $(BENCH_COMPARE)),$(MAKE) --no-print-directory bench-compare)

bench-compare: all
	@$(PYTHON) scripts/bench_compare.py --configs "$(BENCH_COMPARE)" --repeat $(BENCH_REPEAT) \
		--workloads "$(BENCH_COMPARE_WORKLOADS)"

# Reclaim at scale (scripts/bench_scale.py says what it reports): one boot
# at -m 512 -smp 8 with a fresh 1 GiB swap disk, thrash at 64 to 896 MiB;
# kppsd's ns per scanned PTE and the fault latencies per size, with the
# largest/smallest ratio of each, and build/bench-scale.csv. 5 to 10
# minutes under TCG. BENCH_SCALE_ARGS: e.g. "--sizes 64,640 --accesses 20000".
BENCH_SCALE_ARGS ?=
bench-scale: all
	@$(PYTHON) scripts/bench_scale.py $(BENCH_SCALE_ARGS)

# OPT/LRU replay (tools/replay/): the workloads' very sources built for the
# host, with WL_HOST (host_ulib.h stands in for ulib.h) and WL_TRACE (each
# page access appended to the file the environment's WL_TRACE names),
# and the replay itself, in build/host/. Host gcc, not the cross compiler; -Wno-format:
# ulib's printf takes %llu for uint64_t, which is unsigned long on x86-64
# (same size, so harmless there).
HOST_CC := gcc
HOST_CFLAGS := -std=gnu11 -O2 -Wall
HOST_WL_PROGS := thrash seqscan hotcold phase multithrash
HOST_WL_BINS := $(HOST_WL_PROGS:%=$(BUILD)/host/%)
HOST_WL_DEPS := user/lib/workload.c user/lib/workload.h tools/replay/host_ulib.h \
	tools/replay/wl_trace.c tools/replay/wl_trace.h
$(HOST_WL_BINS): $(BUILD)/host/%: user/%.c $(HOST_WL_DEPS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(HOST_CC) $(HOST_CFLAGS) -Wno-format -DWL_HOST -DWL_TRACE -Iuser/lib -Itools/replay \
		-o $@ $< user/lib/workload.c tools/replay/wl_trace.c
$(BUILD)/host/replay: tools/replay/replay.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	@$(HOST_CC) $(HOST_CFLAGS) -Wextra -o $@ $<
host-tools: $(HOST_WL_BINS) $(BUILD)/host/replay

# OPT and LRU on every workload's page trace (scripts/bench_opt.py): a
# table and build/bench-opt.csv. BENCH_OPT_FRAMES: usable frame counts
# (default: the ppsos runs' 8768); BENCH_OPT_CSV: take them from the
# usable_frames of other benchmarks' CSVs instead (comma-separated);
# BENCH_OPT_WORKLOADS: names of scripts/bench_workloads.py (random,multi).
BENCH_OPT_FRAMES ?=
BENCH_OPT_WORKLOADS ?=
BENCH_OPT_CSV ?=
bench-opt: host-tools
	@$(PYTHON) scripts/bench_opt.py --workloads "$(BENCH_OPT_WORKLOADS)" \
		$(if $(strip $(BENCH_OPT_FRAMES)),--frames "$(BENCH_OPT_FRAMES)") \
		$(if $(strip $(BENCH_OPT_CSV)),--from-csv "$(BENCH_OPT_CSV)")

pytest: all
	@$(PYTHON) -m pytest -q --durations=15 tests

# ---- course labs (docs/labs/, grade/) -----------------------------------------
# make grade [LAB=n] [TEST=name] [GRADE_JSON=file] [GRADE_TIMEOUT_SCALE=2]
.PHONY: grade grade-list lab-tree lab-check
grade: all
	@$(PYTHON) grade/grade.py $(if $(LAB),--lab $(LAB)) $(if $(TEST),--test $(TEST))

grade-list:
	@$(PYTHON) grade/grade.py --list $(if $(LAB),--lab $(LAB))

# make lab-tree LAB=n OUT=dir: lab n's student tree (see scripts/lab_tree.py)
lab-tree:
	@$(PYTHON) scripts/lab_tree.py $(LAB) $(OUT)

lab-check:
	@$(PYTHON) scripts/lab_tree.py --check

# every lab's tree against every lab's tests (eight grading runs; not in make test)
.PHONY: lab-matrix
lab-matrix: all
	@$(PYTHON) scripts/lab_matrix.py $(LAB)

test: ktest pytest

clean:
	rm -rf $(BUILD)/*.o $(BUILD)/kernel $(BUILD)/mm $(BUILD)/arch $(BUILD)/drivers \
		$(BUILD)/boot $(BUILD)/tests $(BUILD)/*.elf $(BUILD)/*.iso* $(BUILD)/iso \
		$(BUILD)/ksyms* $(BUILD)/syms*.txt $(BUILD)/user $(INITRD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
