#!/bin/sh
# Install exactly the Debian packages ppsos needs to build, run and test.
# Called by the Makefile when a tool is missing and by .ci/run.
set -e
PKGS="qemu-system-x86 nasm gcc-i686-linux-gnu binutils-i686-linux-gnu \
libc6-dev-i386-cross grub-pc-bin grub-common xorriso gdb python3-pytest python3-pexpect python3-matplotlib ccache"

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		SUDO=sudo
	else
		echo "ppsos: missing build tools and not root (no sudo)." >&2
		echo "ppsos: ask an administrator to run:" >&2
		echo "  apt-get install --no-install-recommends $PKGS" >&2
		exit 1
	fi
fi
echo "ppsos: installing $PKGS"
export DEBIAN_FRONTEND=noninteractive
${SUDO:-} apt-get update -qq
${SUDO:-} apt-get install -y -qq --no-install-recommends $PKGS >/dev/null
echo "ppsos: tools installed"
