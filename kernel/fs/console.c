/*
 * /dev/console: the serial line as a terminal, in canonical mode like a
 * Linux tty. A reader edits a line (echo, Backspace, Ctrl-U) and gets it
 * when Enter is pressed; Ctrl-D at the start of a line is end of file.
 * Output goes to the serial port and the VGA mirror (console_write).
 *
 * Lock: tty_lock (a spinlock) protects the finished line and its read
 * position; characters come from the serial driver's ring, which has its
 * own lock. Two processes reading at once each edit their own line, and
 * one of them gets it: there is no job control to decide.
 *
 * The one ioctl is TCGETS, which isatty() asks: it reports the modes the
 * line really has (see console_ioctl); nothing can change them (no
 * TCSETS), so a program that wants raw input gets -ENOTTY for that.
 */
#include <kernel/fs/vfs.h>
#include <kernel/printk.h>
#include <kernel/errno.h>
#include <kernel/spinlock.h>
#include <kernel/string.h>
#include <mm/uaccess.h>
#include <uapi/ppsos/termios.h>
#include <drivers/serial.h>

#define LINE_MAX 256

static DEFINE_SPINLOCK(tty_lock);
static char ready[LINE_MAX + 1];
static u32 ready_len, ready_pos;
static bool ready_eof;

static void echo(const char *s, u32 n)
{
	console_write(s, n);
}

/* Edit one line from the keyboard into `ready`. 0, or -EINTR. */
static int edit_line(void)
{
	char line[LINE_MAX + 1];
	u32 n = 0;

	for (;;) {
		int c = serial_getc_interruptible();
		if (c < 0)
			return c;
		if (c == '\r' || c == '\n') {
			echo("\n", 1);
			line[n++] = '\n';
			break;
		}
		if (c == 0x04) { /* Ctrl-D: end of file on an empty line */
			if (n == 0) {
				spin_lock(&tty_lock);
				ready_eof = true;
				spin_unlock(&tty_lock);
				return 0;
			}
			break;
		}
		if (c == 0x7F || c == '\b') {
			if (n) {
				n--;
				echo("\b \b", 3);
			}
			continue;
		}
		if (c == 0x15) { /* Ctrl-U */
			while (n) {
				n--;
				echo("\b \b", 3);
			}
			continue;
		}
		if (c == 0x03) { /* Ctrl-C: no job control, drop the line */
			echo("^C\n", 3);
			n = 0;
			line[n++] = '\n';
			break;
		}
		if (c < 0x20 && c != '\t')
			continue;
		if (n < LINE_MAX - 1) {
			line[n++] = (char)c;
			echo((char *)&c, 1);
		}
	}
	spin_lock(&tty_lock);
	memcpy(ready, line, n);
	ready_len = n;
	ready_pos = 0;
	spin_unlock(&tty_lock);
	return 0;
}

static long console_read(struct file *f, u32 ubuf, u32 n)
{
	char tmp[LINE_MAX];
	u32 k;

	(void)f;
	if (n == 0)
		return 0;
	for (;;) {
		spin_lock(&tty_lock);
		if (ready_eof) {
			ready_eof = false;
			spin_unlock(&tty_lock);
			return 0;
		}
		if (ready_pos < ready_len) {
			k = MIN(n, ready_len - ready_pos);
			memcpy(tmp, ready + ready_pos, k);
			ready_pos += k;
			spin_unlock(&tty_lock);
			break;
		}
		spin_unlock(&tty_lock);
		int r = edit_line();
		if (r)
			return r;
	}
	if (copy_to_user(ubuf, tmp, k))
		return -EFAULT;
	return k;
}

static long console_write_user(struct file *f, u32 ubuf, u32 n)
{
	char buf[256];
	u32 done = 0;

	(void)f;
	while (done < n) {
		u32 chunk = MIN(n - done, sizeof(buf));
		u32 got = copy_from_user_partial(buf, ubuf + done, chunk);
		console_write(buf, got);
		done += got;
		if (got < chunk)
			return done ? (long)done : -EFAULT;
	}
	return done;
}

/*
 * TCGETS: the modes the console works in, honestly, in Linux's bits:
 * canonical input with echo, Backspace erasing (ECHOE) and Ctrl-U killing
 * the line (ECHOK), CR read as NL (ICRNL), NL written as CR NL
 * (OPOST|ONLCR), 115200 8N1 on COM1. No ISIG: Ctrl-C only drops the line,
 * it sends no signal; VINTR names the key anyway, VQUIT is off. Any other
 * command is -ENOTTY, as Linux's tty says for one it does not know.
 */
static long console_ioctl(struct file *f, u32 cmd, u32 arg)
{
	struct termios t;

	(void)f;
	if (cmd != TCGETS)
		return -ENOTTY;
	memset(&t, 0, sizeof(t));
	t.c_iflag = ICRNL;
	t.c_oflag = OPOST | ONLCR;
	t.c_cflag = B115200 | CS8 | CREAD | CLOCAL;
	t.c_lflag = ICANON | ECHO | ECHOE | ECHOK;
	t.c_cc[VINTR] = 0x03;
	t.c_cc[VERASE] = 0x7F;
	t.c_cc[VKILL] = 0x15;
	t.c_cc[VEOF] = 0x04;
	t.c_cc[VMIN] = 1;
	/* copy_to_user refuses kernel addresses and turns a fault into -EFAULT */
	return copy_to_user(arg, &t, sizeof(t));
}

static const struct file_ops console_fops = {
	.read = console_read,
	.write = console_write_user,
	.ioctl = console_ioctl,
	.seekable = false,
};

static struct inode console_inode = {
	.mode = S_IFCHR | 0666,
	.fops = &console_fops,
};

void console_init(void)
{
	struct inode *dev = vfs_mkdir(&vfs_root, "dev");

	list_init(&console_inode.children);
	if (dev)
		vfs_add_node(dev, &console_inode, "console");
}
