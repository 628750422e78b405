/*
 * The ATA task-file registers, the PIIX bus-master registers and the
 * command opcodes the driver uses (ATA/ATAPI-6, Intel PIIX datasheet).
 * Constants only: no code, no state.
 */
#ifndef DRIVERS_ATA_ATA_REGS_H
#define DRIVERS_ATA_ATA_REGS_H

/* Legacy ("compatibility mode") port bases and IRQs of the two channels. */
#define ATA_PRIMARY_BASE 0x1F0
#define ATA_PRIMARY_CTRL 0x3F6
#define ATA_PRIMARY_IRQ 14
#define ATA_SECONDARY_BASE 0x170
#define ATA_SECONDARY_CTRL 0x376
#define ATA_SECONDARY_IRQ 15

/* Task-file registers, offsets from the channel's base port. */
#define ATA_REG_DATA 0
#define ATA_REG_ERROR 1         /* read */
#define ATA_REG_FEATURES 1      /* write */
#define ATA_REG_NSECT 2
#define ATA_REG_LBA0 3          /* LBA bits 0-7 (24-31 with HOB) */
#define ATA_REG_LBA1 4          /* LBA bits 8-15 (32-39) */
#define ATA_REG_LBA2 5          /* LBA bits 16-23 (40-47) */
#define ATA_REG_DEVICE 6
#define ATA_REG_STATUS 7        /* read: also acknowledges the interrupt */
#define ATA_REG_COMMAND 7       /* write */

/* The control block: one register at the channel's ctrl port. Reading it
 * gives the alternate status (no interrupt acknowledge); writing it is
 * the device control register. */
#define ATA_CTL_NIEN 0x02       /* device interrupts off */
#define ATA_CTL_SRST 0x04       /* software reset of both devices */
#define ATA_CTL_HOB 0x80        /* read the high-order bytes of LBA48 */

/* Status bits. */
#define ATA_SR_ERR 0x01
#define ATA_SR_DRQ 0x08
#define ATA_SR_DF 0x20          /* device fault */
#define ATA_SR_DRDY 0x40
#define ATA_SR_BSY 0x80
#define ATA_SR_FLOATING 0xFF    /* nothing drives the bus: no devices */

/* Device register. */
#define ATA_DEV_LBA 0x40
#define ATA_DEV_OBS 0xA0        /* bits 7 and 5: obsolete, set by convention */
#define ATA_DEV_SLAVE 0x10

/* Commands. */
#define ATA_CMD_READ_PIO 0x20
#define ATA_CMD_READ_PIO_EXT 0x24
#define ATA_CMD_READ_DMA_EXT 0x25
#define ATA_CMD_WRITE_PIO 0x30
#define ATA_CMD_WRITE_PIO_EXT 0x34
#define ATA_CMD_WRITE_DMA_EXT 0x35
#define ATA_CMD_READ_DMA 0xC8
#define ATA_CMD_WRITE_DMA 0xCA
#define ATA_CMD_IDENTIFY 0xEC

/* The signature an ATAPI device leaves in LBA1/LBA2 after a reset or a
 * refused IDENTIFY. */
#define ATAPI_SIG_LBA1 0x14
#define ATAPI_SIG_LBA2 0xEB

/* IDENTIFY DEVICE data, in 16-bit words. */
#define ATA_ID_WORDS 256
#define ATA_ID_MODEL 27         /* 40 characters, byte-swapped pairs */
#define ATA_ID_MODEL_LEN 40
#define ATA_ID_CAPS 49
#define ATA_ID_CAPS_LBA 0x0200
#define ATA_ID_LBA28_SECTORS 60 /* two words */
#define ATA_ID_CMDSET2 83
#define ATA_ID_CMDSET2_LBA48 0x0400
#define ATA_ID_LBA48_SECTORS 100 /* four words */

/* Limits of one command. */
#define ATA_LBA28_MAX_SECTORS 256
#define ATA_LBA48_MAX_SECTORS 65536
#define ATA_LBA28_LIMIT (1u << 28)      /* first sector LBA28 cannot address */

/* PIIX bus master IDE registers, offsets from BAR4 (+8 for the secondary). */
#define BM_CHANNEL_STRIDE 8
#define BM_REG_CMD 0
#define BM_REG_STATUS 2
#define BM_REG_PRDT 4
#define BM_CMD_START 0x01
#define BM_CMD_TO_MEMORY 0x08   /* direction: device to memory (a read) */
#define BM_SR_ACTIVE 0x01
#define BM_SR_ERR 0x02          /* write 1 to clear */
#define BM_SR_INTR 0x04         /* write 1 to clear */

/* A physical region descriptor: one piece of a DMA transfer. A region may
 * not cross a 64 KiB boundary; a count of 0 means 64 KiB. */
#define PRD_EOT 0x8000          /* last entry of the table */
#define PRD_BOUNDARY 0x10000
#define PRD_TABLE_SIZE 4096     /* one page: QEMU reads no further, either */

#endif
