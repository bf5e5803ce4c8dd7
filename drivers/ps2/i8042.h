/*
 * i8042.h - the ports, status bits and commands of the 8042 PS/2 controller
 * (OSDev "8042 PS/2 Controller"; IBM PC AT Technical Reference), for every
 * part of Keel that talks to it: the keyboard driver, the BIOS loader's A20
 * switch and the reset line the reboot pulses. C only below the #defines:
 * i8042_wait_input_empty, which every writer to the controller needs.
 */
#ifndef KEEL_DRIVERS_PS2_I8042_H
#define KEEL_DRIVERS_PS2_I8042_H

#define I8042_DATA    0x60 /* read: a byte from a device or the controller; write: to a device */
#define I8042_STATUS  0x64 /* read */
#define I8042_COMMAND 0x64 /* write */

#define I8042_STATUS_OUTPUT_FULL 0x01 /* a byte waits at I8042_DATA */
#define I8042_STATUS_INPUT_FULL  0x02 /* the controller has not taken the last byte yet */

#define I8042_CMD_READ_CONFIG       0x20
#define I8042_CMD_WRITE_CONFIG      0x60
#define I8042_CMD_DISABLE_PORT2     0xA7
#define I8042_CMD_DISABLE_PORT1     0xAD
#define I8042_CMD_ENABLE_PORT1      0xAE
#define I8042_CMD_WRITE_OUTPUT_PORT 0xD1
#define I8042_CMD_PULSE_RESET       0xFE /* pulse output line 0, wired to the CPU's reset, low */

/* Configuration byte (read with 0x20, written with 0x60). */
#define I8042_CONFIG_PORT1_INTERRUPT 0x01
#define I8042_CONFIG_PORT2_INTERRUPT 0x02
#define I8042_CONFIG_PORT1_CLOCK_OFF 0x10
#define I8042_CONFIG_TRANSLATION     0x40 /* translate the keyboard's set 2 into set 1 */

/* Output port (written with 0xD1): bit 0 holds the CPU out of reset, bit 1 is A20. */
#define I8042_OUTPUT_PORT_A20_ON 0xDF

#define I8042_SPIN_LIMIT 100000 /* status polls before a controller counts as absent */

#include <arch/x86_64/cpu.h>
#include <stdbool.h>

/* Wait until the controller can take a byte; false if it never does. */
static inline bool i8042_wait_input_empty(void)
{
    for (int i = 0; i < I8042_SPIN_LIMIT; i++)
        if (!(inb(I8042_STATUS) & I8042_STATUS_INPUT_FULL))
            return true;
    return false;
}

#endif
