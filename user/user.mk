# user/user.mk: builds the tiny libc and the user programs. Included by the
# top Makefile, which sets BUILD and CROSS first and has the rule for
# $(BUILD)/.tools-ok (missing tools installed), which every rule here that
# runs a tool waits for. The programs are static i386 Linux ELF files: they
# run on ppsos and, unchanged, on Linux.
#
# Provides: USER_CFLAGS, USER_LDFLAGS, USER_LIB, USER_CRT0, USER_PROGS,
# USER_BINS, USER_DATA and the rules to build them.

# Rules below must not become the including Makefile's default goal.
USER_SAVED_GOAL := $(.DEFAULT_GOAL)

USER_CC := $(CROSS)gcc
# -Iinclude: the user-ABI headers, <uapi/ppsos/*.h>, shared with the kernel.
USER_CFLAGS := -std=gnu11 -m32 -march=i686 -O2 -g -static -nostdlib \
	-ffreestanding -fno-pic -fno-pie -fno-stack-protector -fno-builtin \
	-fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables \
	-Wall -Wextra -Iuser/lib -Iinclude
# No separate read-only segment for headers: text (R+X) and data (R+W), as a
# teaching kernel's ELF loader expects; no build-id note.
USER_LDFLAGS := -m32 -static -nostdlib -no-pie -Wl,--build-id=none \
	-Wl,-z,noexecstack -Wl,-z,noseparate-code
USER_AR := $(CROSS)ar
# 64-bit division (__udivdi3 and friends) comes from libgcc. Asked of the
# compiler where a recipe first needs it, after $(BUILD)/.tools-ok may have
# installed the compiler (not when make reads this file); then kept.
USER_LIBGCC = $(eval USER_LIBGCC := $(shell $(USER_CC) -m32 -print-libgcc-file-name))$(USER_LIBGCC)

USER_LIB := $(BUILD)/user/libppsos.a
USER_CRT0 := $(BUILD)/user/lib/crt0.o
USER_LIB_SRCS := $(filter-out user/lib/crt0.S,$(wildcard user/lib/*.c user/lib/*.S))
USER_LIB_OBJS := $(patsubst user/lib/%,$(BUILD)/user/lib/%,\
	$(patsubst %.c,%.o,$(patsubst %.S,%.o,$(USER_LIB_SRCS))))

USER_PROGS := init sh echo cat ps free vmstat kill sleep usertests \
	thrash seqscan hotcold phase multithrash napper \
	mtthrash cowtest shmtest cowbomb cowthreads framemap
USER_BINS := $(USER_PROGS:%=$(BUILD)/user/bin/%)

# Fixture files; the initrd carries them as /data/NAME.
USER_DATA := $(wildcard user/data/*)

$(BUILD)/user/lib/%.o: user/lib/%.c | $(BUILD)/.tools-ok
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(USER_CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/user/lib/%.o: user/lib/%.S | $(BUILD)/.tools-ok
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	@$(USER_CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

# crt0.o is only named in a pattern rule; keep make from deleting it.
.SECONDARY: $(USER_CRT0)

$(USER_LIB): $(USER_LIB_OBJS) | $(BUILD)/.tools-ok
	@echo "  AR      $@"
	@rm -f $@
	@$(USER_AR) rcs $@ $^

# Dependency files go to user/dep so that user/bin holds only programs.
$(BUILD)/user/bin/%: user/%.c $(USER_LIB) $(USER_CRT0) | $(BUILD)/.tools-ok
	@mkdir -p $(dir $@) $(BUILD)/user/dep
	@echo "  CC      $<"
	@$(USER_CC) $(USER_CFLAGS) -MMD -MP -MF $(BUILD)/user/dep/$*.d \
		$(USER_LDFLAGS) -o $@ $(USER_CRT0) $< $(USER_LIB) $(USER_LIBGCC)

# usertests is the one program of several files (user/usertests/, one per
# area); they are few and small, so each build compiles them all.
USERTESTS_SRCS := $(wildcard user/usertests/*.c)
$(BUILD)/user/bin/usertests: $(USERTESTS_SRCS) user/usertests/usertests.h $(USER_LIB) $(USER_CRT0) \
		| $(BUILD)/.tools-ok
	@mkdir -p $(dir $@)
	@echo "  CC      user/usertests/*.c"
	@$(USER_CC) $(USER_CFLAGS) -Iuser/usertests $(USER_LDFLAGS) -o $@ $(USER_CRT0) \
		$(USERTESTS_SRCS) $(USER_LIB) $(USER_LIBGCC)

-include $(wildcard $(BUILD)/user/lib/*.d $(BUILD)/user/dep/*.d)

.DEFAULT_GOAL := $(USER_SAVED_GOAL)
