"""The live frame map (kernel/framemap.c): the VGA screen against the
kernel's own counts.

One boot at -m 12 (3040 frames: one frame per half-cell, 21 rows of 160)
with `framemap=on` and QEMU's monitor on a socket. `framemap freeze` draws
one pass and keeps it; QEMU's `screendump` of the screen (PPM, 720x400,
9x16 pixels per cell) is then read cell by cell: the upper half shows one
frame's colour, the lower half the next's. Mapped back through the palette,
every frame's colour must be the colour of its class in `cat
/proc/framemap` (which prints that same frozen pass), and the colours'
counts must equal the legend's. Also: the text map agrees with its own
legend, `framemap off` gives the console back (only grey text on black),
a thrash run shows PPS stages beyond young, bad requests fail with a
message, and the kernel keeps running.
"""
import re
import tempfile
from pathlib import Path

import pytest

import qemu as qemu_mod
from qemu import sh_run, user_lines

MEM = 12
COLS, ROWS, CELL_W, CELL_H = 80, 25, 9, 16
MAP_ROW0, MAP_ROWS = 1, 21
# The VGA text palette as QEMU draws it (6-bit DAC values << 2).
PALETTE = [(0x00, 0x00, 0x00), (0x00, 0x00, 0xa8), (0x00, 0xa8, 0x00), (0x00, 0xa8, 0xa8),
           (0xa8, 0x00, 0x00), (0xa8, 0x00, 0xa8), (0xa8, 0x54, 0x00), (0xa8, 0xa8, 0xa8),
           (0x54, 0x54, 0x54), (0x54, 0x54, 0xfc), (0x54, 0xfc, 0x54), (0x54, 0xfc, 0xfc),
           (0xfc, 0x54, 0x54), (0xfc, 0x54, 0xfc), (0xfc, 0xfc, 0x54), (0xfc, 0xfc, 0xfc)]
HEAD_RE = re.compile(r"^framemap: state (\w+), frames (\d+), pass (\d+)$")
LINE_RE = re.compile(r"^([0-9a-f]{5}) (\S+)$")
LEGEND_RE = re.compile(r"^(\S) (\w+) (\d+) (\d+)$")
PPS_LATER = ["old", "unmapped", "slot", "written"]


@pytest.fixture(scope="module")
def sh(ppsos_build):
    with qemu_mod.shell_session(smp=2, mem=MEM, cmdline="framemap=on", monitor=True,
                      name="test_framemap") as q:
        yield q


def read_map(q):
    """`cat /proc/framemap` as (state, chars of every frame, {class name:
    (char, colour, count)}, total)."""
    lines = user_lines(sh_run(q, "cat /proc/framemap"))
    q.check(lines and HEAD_RE.match(lines[0]), f"/proc/framemap header: {lines[:2]!r}")
    state, nframes = HEAD_RE.match(lines[0]).group(1), int(HEAD_RE.match(lines[0]).group(2))
    chars, legend, total = [], {}, None
    for l in lines[1:]:
        m, g = LINE_RE.match(l), LEGEND_RE.match(l)
        if m and len(chars) == int(m.group(1), 16):
            chars.extend(m.group(2))
        elif g:
            legend[g.group(2)] = (g.group(1), int(g.group(3)), int(g.group(4)))
        elif l.startswith("total "):
            total = int(l.split()[1])
    q.check(len(chars) == nframes == total, f"{len(chars)} map characters, header "
            f"{nframes}, total {total}")
    return state, chars, legend, total


def screendump(q):
    """The screen as a function (x, y) -> (r, g, b)."""
    with tempfile.TemporaryDirectory(prefix="ppsos-fm-") as d:
        path = Path(d) / "screen.ppm"
        out = q.monitor(f"screendump {path}")
        q.check(path.exists(), f"no screendump: {out!r}")
        data = path.read_bytes()
    fields, pos = [], 0
    while len(fields) < 4:          # P6, width, height, maxval; # comments allowed
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos)
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    pos += 1
    q.check(fields[0] == b"P6" and int(fields[3]) == 255, f"not a P6 PPM: {fields!r}")
    w, h = int(fields[1]), int(fields[2])
    q.check((w, h) == (COLS * CELL_W, ROWS * CELL_H), f"screen is {w}x{h}, not text mode 80x25")
    px = data[pos:]

    def at(x, y):
        i = 3 * (y * w + x)
        return tuple(px[i:i + 3])
    return at


def colour_index(rgb):
    return min(range(16), key=lambda i: sum((a - b) ** 2 for a, b in zip(rgb, PALETTE[i])))


def frame_colour(at, pfn):
    """The colour of frame pfn's half-cell: upper half for even, lower for odd."""
    cell = pfn // 2
    row, col = MAP_ROW0 + cell // COLS, cell % COLS
    y = row * CELL_H + (3 if pfn % 2 == 0 else 12)
    return colour_index(at(col * CELL_W + 4, y))


def test_frozen_screen_matches_counts(sh):
    state, _, _, _ = read_map(sh)
    sh.check(state == "on", f"framemap=on at boot, but /proc/framemap says {state}")
    out = sh_run(sh, "framemap freeze")
    sh.check(sh_run(sh, "echo $?") == ["0"], f"`framemap freeze`: {out!r}")
    at = screendump(sh)
    state, chars, legend, total = read_map(sh)
    sh.check(state == "frozen", f"after freeze: state {state}")
    sh.check(total <= MAP_ROWS * COLS * 2, f"{total} frames do not fit one per half-cell")
    by_char = {c: (name, colour) for name, (c, colour, _) in legend.items()}
    by_colour = {colour: name for name, (_, colour, _) in legend.items()}
    sh.check(len(by_colour) == len(legend), f"two classes share a colour: {legend}")
    seen = {name: 0 for name in legend}
    wrong = []
    for pfn, ch in enumerate(chars):
        got = frame_colour(at, pfn)
        seen[by_colour.get(got, "?")] = seen.get(by_colour.get(got, "?"), 0) + 1
        if got != by_char[ch][1]:
            wrong.append((hex(pfn), ch, got))
    counts = {name: n for name, (_, _, n) in legend.items()}
    sh.check(not wrong, f"{len(wrong)} frames drawn in another class's colour: {wrong[:10]}")
    sh.check(seen == counts, f"colours on the screen {seen} != legend {counts}")
    sh.check(counts["free"] > 0 and counts["kernel"] > 0 and counts["young"] > 0,
             f"a booted kernel has free, kernel and young frames: {counts}")


def test_text_agrees_with_its_legend(sh):
    sh_run(sh, "framemap on")
    state, chars, legend, total = read_map(sh)
    sh.check(state == "on", f"after `framemap on`: {state}")
    for name, (ch, _, n) in legend.items():
        sh.check(chars.count(ch) == n, f"{name}: {chars.count(ch)} '{ch}' in the map, legend {n}")
    sh.check(sum(n for _, _, n in legend.values()) == total, f"legend does not add up: {legend}")
    mem = {}
    for l in user_lines(sh_run(sh, "cat /proc/meminfo")):
        m = re.match(r"^(\w+):\s+(\d+) kB$", l)
        if m:
            mem[m.group(1)] = int(m.group(2)) // 4
    # A moment apart, and each cat is a process of its own: close, not equal.
    sh.check(abs(legend["free"][2] - mem["MemFree"]) <= 64,
             f"free frames {legend['free'][2]}, MemFree {mem['MemFree']} pages")


def test_off_gives_the_console_back(sh):
    sh_run(sh, "framemap off")
    state, _, _, _ = read_map(sh)
    sh.check(state == "off", f"after `framemap off`: {state}")
    sh_run(sh, "echo console is back")
    at = screendump(sh)
    colours = {colour_index(at(x, y)) for y in range(0, ROWS * CELL_H, 2)
               for x in range(0, COLS * CELL_W, 3)}
    sh.check(colours <= {0, 7}, f"the console is grey on black, but the screen has "
             f"colours {sorted(colours)}: the map is still there")


def pps_frames(legend):
    return sum(legend[n][2] for n in ["young"] + PPS_LATER)


def test_thrash_moves_pps_stages(sh):
    """napper's 256 pages appear as PPS frames; a thrash runs over them
    (small: at -m 12 a larger one leaves the shell no memory to fork
    with); then kppsd's stages, one at a time on request (/proc/kppsd
    `stage N`), take the idle pages on to old, unmapped, slot attached,
    written, and the map shows them there."""
    sh_run(sh, "framemap on")
    _, _, before, _ = read_map(sh)
    sh_run(sh, "napper 256 3600 1 &")
    sh_run(sh, "sleep 1")
    _, _, legend, _ = read_map(sh)
    sh.check(pps_frames(legend) >= pps_frames(before) + 200,
             f"napper's 256 pages are not PPS frames: {pps_frames(before)} before, now {legend}")
    out = user_lines(sh_run(sh, "thrash 6 20000", timeout=120))
    sh.check(any(l.startswith("thrash: OK") for l in out), f"thrash: {out!r}")
    seen = {}
    for stage in (1, 2, 3, 4):
        sh_run(sh, f"echo stage {stage} > /proc/kppsd", timeout=60)
        _, _, legend, _ = read_map(sh)
        for name in PPS_LATER:
            seen[name] = max(seen.get(name, 0), legend[name][2])
    # how far one request moves a page depends on what kppsd did meanwhile
    # (old may go straight on to written in one pass): two classes at least
    sh.check(sum(1 for n in seen.values() if n) >= 2,
             f"kppsd's stages showed frames in fewer than two of {PPS_LATER}: {seen}")
    pid = re.findall(r"napper: pid (\d+)", sh.log)
    sh.check(pid, "napper did not start")
    sh_run(sh, f"kill -9 {pid[-1]}")
    sh_run(sh, "framemap off")


@pytest.mark.parametrize("word", ["bad", "freeze now"])
def test_bad_request_fails(sh, word):
    out = sh_run(sh, f"echo {word} > /proc/framemap")
    sh.check(sh_run(sh, "echo $?") != ["0"], f"`echo {word} > /proc/framemap` succeeded: {out!r}")
    sh.check(f"framemap: bad request '{word}'" in sh.log, f"no kernel message for {word!r}")


@pytest.mark.parametrize("args", ["", "bogus", "on off"])
def test_program_usage(sh, args):
    out = sh_run(sh, f"framemap {args}")
    sh.check(any(l.startswith("usage: framemap") for l in out), f"`framemap {args}`: {out!r}")
    sh.check(sh_run(sh, "echo $?") == ["2"], f"`framemap {args}` did not exit 2")
    sh.check(sh_run(sh, "echo alive") == ["alive"], "the shell stopped answering")
