#!/bin/sh
# Build the GRUB rescue ISO: mkiso.sh KERNEL INITRD ISO "CMDLINE"
# The normal menu entry gets CMDLINE; the second entry runs the ktests.
set -e
kernel=$1
initrd=$2
iso=$3
cmdline=$4
dir=$(dirname "$iso")/iso
rm -rf "$dir"
mkdir -p "$dir/boot/grub"
cp "$kernel" "$dir/boot/kernel.elf"
cp "$initrd" "$dir/boot/initrd.cpio"
while IFS= read -r line; do
	case $line in
	*@CMDLINE@*) printf '%s\n' "${line%%@CMDLINE@*}$cmdline${line#*@CMDLINE@}" ;;
	*) printf '%s\n' "$line" ;;
	esac
done < boot/grub.cfg.in > "$dir/boot/grub/grub.cfg"
if ! grub-mkrescue -o "$iso" "$dir" > "$iso.log" 2>&1; then
	cat "$iso.log" >&2
	echo "mkiso: grub-mkrescue failed (is grub-pc-bin installed?)" >&2
	exit 1
fi
