#!/usr/bin/python3
"""Pack files into a cpio archive in the "newc" format (Linux's initramfs
format), which kernel/fs/initrd.c unpacks.

    mkinitrd.py OUT.cpio NAME=HOSTFILE...

NAME is the path inside the archive (bin/sh); parent directories are added.
Written here rather than calling cpio(1), which a fresh Debian may lack.
"""
import os
import sys


def entry(ino, name, mode, data=b""):
    name_b = name.encode() + b"\0"
    fields = [ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name_b), 0]
    hdr = b"070701" + b"".join(b"%08X" % f for f in fields)
    out = hdr + name_b
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)
    return out


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out_path, specs = sys.argv[1], sys.argv[2:]
    parts, dirs, ino = [], set(), 1
    for spec in specs:
        name, _, host = spec.partition("=")
        if not host:
            sys.exit(f"mkinitrd: '{spec}' is not NAME=HOSTFILE")
        comps = name.strip("/").split("/")
        for i in range(1, len(comps)):
            d = "/".join(comps[:i])
            if d not in dirs:
                dirs.add(d)
                parts.append(entry(ino, d, 0o040755))
                ino += 1
        with open(host, "rb") as f:
            data = f.read()
        mode = 0o100755 if os.access(host, os.X_OK) else 0o100644
        parts.append(entry(ino, "/".join(comps), mode, data))
        ino += 1
    parts.append(entry(ino, "TRAILER!!!", 0))
    blob = b"".join(parts)
    blob += b"\0" * (-len(blob) % 512)
    with open(out_path + ".tmp", "wb") as f:
        f.write(blob)
    os.replace(out_path + ".tmp", out_path)


if __name__ == "__main__":
    main()
