"""/bin/sh on the console after a normal boot (pid 1 = /bin/init starts it):
word splitting, builtins, $?, sh -c, background jobs with kill and wait,
renaming a process through /proc/PID/comm, redirection errors, and init
restarting the shell when it exits.

Each test boots its own ppsos (a boot to the prompt takes about a second),
so one failure does not take the others with it."""
import re

import pytest

from qemu import SH_PROMPT, sh_run, sh_wait_prompt, user_lines

SMP = 2


@pytest.fixture
def sh(qemu):
    q = qemu(smp=SMP)
    sh_wait_prompt(q)
    return q


def status(q):
    """$? of the last command, read with `echo $?`."""
    out = user_lines(sh_run(q, "echo $?"))
    q.check(len(out) == 1 and out[0].isdigit(), f"'echo $?' printed {out!r}")
    return int(out[0])


def ps_rows(q):
    """`ps` as {pid: (ppid, state, name)}."""
    rows = {}
    out = user_lines(sh_run(q, "ps"))
    q.check(out and out[0].split()[:3] == ["PID", "PPID", "STATE"],
            f"'ps' header missing: {out!r}")
    for line in out[1:]:
        f = line.split()
        q.check(len(f) == 7 and f[0].isdigit(), f"odd 'ps' line {line!r}")
        rows[int(f[0])] = (int(f[1]), f[2], f[6])
    return rows


def test_echo_splits_words(sh):
    out = sh_run(sh, "echo a  b   c")
    sh.check(out == ["a b c"], f"'echo a  b   c' printed {out!r}, expected ['a b c']")
    out = sh_run(sh, "echo 'x  y' \"z  w\"   # a comment")
    sh.check(out == ["x  y z  w"], f"quoted words / comment: got {out!r}")
    sh.check(status(sh) == 0, "echo's $? is not 0")


def test_help(sh):
    out = "\n".join(sh_run(sh, "help"))
    for word in ["help", "exit", "wait"]:
        sh.check(re.search(rf"\b{word}\b", out), f"'help' does not mention the builtin {word!r}")
    for prog in ["init", "sh", "echo", "cat", "ps", "free", "kill", "sleep", "usertests"]:
        sh.check(re.search(rf"\b{prog}\b", out), f"'help' does not list /bin/{prog}")
    sh.check(status(sh) == 0, "help's $? is not 0")


def test_not_found(sh):
    out = sh_run(sh, "nosuchprogram arg")
    sh.check("sh: nosuchprogram: not found" in out,
             f"no 'sh: nosuchprogram: not found' message: {out!r}")
    st = status(sh)
    sh.check(st == 127, f"$? after a missing command is {st}, expected 127")
    # and the shell still works
    sh.check(sh_run(sh, "echo still here") == ["still here"], "shell broken after not-found")


def test_sh_c_exit_status(sh):
    out = sh_run(sh, 'sh -c "exit 7"')
    sh.check(not user_lines(out), f"'sh -c \"exit 7\"' printed {out!r}")
    st = status(sh)
    sh.check(st == 7, f"$? after sh -c \"exit 7\" is {st}, expected 7")
    st = status(sh)
    sh.check(st == 0, f"$? after a successful echo is {st}, expected 0")
    out = sh_run(sh, "sh -c 'echo inner $?'")
    sh.check(out == ["inner 0"], f"sh -c 'echo inner $?' printed {out!r}")


def test_background_rename_kill_wait(sh):
    out = user_lines(sh_run(sh, "sleep 30 &"))
    m = re.fullmatch(r"\[(\d+)\]", out[0]) if out else None
    sh.check(m is not None, f"'sleep 30 &' did not print [PID]: {out!r}")
    pid = int(m.group(1))

    rows = ps_rows(sh)
    sh.check(pid in rows and rows[pid][2] == "sleep",
             f"'ps' does not list pid {pid} as sleep: {rows}")
    sh_pid = rows[pid][0]
    sh.check(sh_pid in rows and rows[sh_pid][2] == "sh",
             f"sleep's parent {sh_pid} is not the shell: {rows}")

    out = sh_run(sh, f"echo renamed > /proc/{pid}/comm")
    sh.check(not user_lines(out), f"writing /proc/{pid}/comm printed {out!r}")
    sh.check(status(sh) == 0, f"'echo renamed > /proc/{pid}/comm' failed")
    out = sh_run(sh, f"cat /proc/{pid}/comm")
    sh.check(out == ["renamed"], f"/proc/{pid}/comm reads {out!r} after the rename")
    out = sh_run(sh, f"cat /proc/{pid}/status")
    sh.check(any(re.fullmatch(r"Name:\s+renamed", l) for l in out),
             f"/proc/{pid}/status has no 'Name: renamed' line: {out!r}")
    rows = ps_rows(sh)
    sh.check(pid in rows and rows[pid][2] == "renamed",
             f"'ps' does not list pid {pid} as renamed: {rows}")

    out_kill = sh_run(sh, f"kill {pid}")
    out_status = user_lines(sh_run(sh, "echo $?"))
    sh.check("0" in out_status, f"'kill {pid}' failed: {out_kill!r}, $? printed {out_status!r}")
    out_wait = sh_run(sh, "wait", timeout=20)
    # sh reaps finished jobs before each prompt, so the report may come at
    # any prompt after the kill, or from `wait` itself
    done = [l for l in out_kill + out_status + out_wait
            if re.fullmatch(rf"\[{pid}\] done status \d+", l)]
    sh.check(len(done) == 1, f"no single '[{pid}] done status N' report: kill printed "
             f"{out_kill!r}, wait printed {out_wait!r}")
    code = int(done[0].split()[-1])
    sh.check(code == 128 + 15, f"killed sleep reported status {code}, expected 143 (SIGTERM)")
    rows = ps_rows(sh)
    sh.check(pid not in rows, f"pid {pid} still listed by 'ps' after kill + wait: {rows}")
    sh.check(not any(r[2] in ("sleep", "renamed") for r in rows.values()),
             f"a sleep is still around: {rows}")


def test_kill_minus_9(sh):
    out = user_lines(sh_run(sh, "sleep 30 &"))
    m = re.fullmatch(r"\[(\d+)\]", out[0]) if out else None
    sh.check(m is not None, f"'sleep 30 &' did not print [PID]: {out!r}")
    pid = int(m.group(1))
    out = sh_run(sh, f"kill -9 {pid}") + sh_run(sh, "wait", timeout=20)
    sh.check(f"[{pid}] done status 137" in out, f"no '[{pid}] done status 137' after kill -9: {out!r}")
    out = sh_run(sh, f"kill {pid}")
    sh.check(any(l.startswith(f"kill: ({pid}): ") for l in out),
             f"killing the reaped pid {pid} gave no error: {out!r}")
    sh.check(status(sh) == 1, "kill of a gone pid: $? is not 1")


def test_redirect_to_readonly_file(sh):
    out = sh_run(sh, "echo x > /bin/echo")
    sh.check(any(re.match(r"sh: /bin/echo: \S", l) for l in out),
             f"no 'sh: /bin/echo: <error>' message for a read-only file: {out!r}")
    st = status(sh)
    sh.check(st != 0, "$? after a failed redirection is 0")
    # the shell survives, and /bin/echo was not truncated
    out = sh_run(sh, "echo still alive")
    sh.check(out == ["still alive"], f"'echo still alive' after the failed redirection: {out!r}")


def test_exit_restarts_shell(sh):
    first = ps_rows(sh)
    old_sh = [p for p, r in first.items() if r[2] == "sh"]
    sh.sendline("exit 0")
    sh.expect(r"init: sh exited with status 0, restarting", timeout=20,
              what="init's 'init: sh exited with status 0, restarting'")
    sh.expect(SH_PROMPT, timeout=20, what="a prompt from the new shell")
    out = sh_run(sh, "echo new shell")
    sh.check(out == ["new shell"], f"the new shell's echo printed {out!r}")
    rows = ps_rows(sh)
    new_sh = [p for p, r in rows.items() if r[2] == "sh"]
    sh.check(len(new_sh) == 1 and new_sh != old_sh and rows[new_sh[0]][0] == 1,
             f"expected one new sh (child of init) instead of {old_sh}: {rows}")
    # a shell that exits with a status: init reports it
    sh.sendline("exit 3")
    sh.expect(r"init: sh exited with status 3, restarting", timeout=20,
              what="'init: sh exited with status 3, restarting'")
    sh.expect(SH_PROMPT, timeout=20, what="a prompt from the third shell")
    sh.check(sh_run(sh, "echo third") == ["third"], "the third shell does not work")
