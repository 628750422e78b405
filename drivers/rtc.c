/*
 * CMOS RTC (MC146818): seconds, minutes, hours, day, month, year in BCD or
 * binary (status B bit 2). Read twice until two reads agree, so an update
 * in the middle does not give a torn time. QEMU keeps it in UTC.
 */
#include <drivers/rtc.h>
#include <arch/x86/cpu.h>

static u8 cmos(u8 reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static void read_all(u8 *v)
{
	while (cmos(0x0A) & 0x80) /* update in progress */
		cpu_relax();
	v[0] = cmos(0x00);
	v[1] = cmos(0x02);
	v[2] = cmos(0x04);
	v[3] = cmos(0x07);
	v[4] = cmos(0x08);
	v[5] = cmos(0x09);
}

u32 rtc_read_epoch(void)
{
	u8 a[6], b[6];
	int tries = 0;

	do {
		read_all(a);
		read_all(b);
	} while ((a[0] != b[0] || a[1] != b[1] || a[2] != b[2]) && ++tries < 5);
	if (!(cmos(0x0B) & 0x04))
		for (int i = 0; i < 6; i++)
			b[i] = (b[i] & 0x0F) + (b[i] >> 4) * 10;
	u32 sec = b[0], min = b[1], hour = b[2] & 0x7F, day = b[3], mon = b[4], year = 2000 + b[5];
	/* Days since 1970 (civil calendar to days, Howard Hinnant's method). */
	u32 y = year - (mon <= 2), era = y / 400, yoe = y - era * 400;
	u32 doy = (153 * (mon + (mon > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	u32 doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	u32 days = era * 146097 + doe - 719468;
	return days * 86400 + hour * 3600 + min * 60 + sec;
}
