/*
 * serial.c - COM1, a 16550-compatible UART at I/O port 0x3F8.
 *
 * Registers (offsets from the base port; PC16550D data sheet, table II):
 *   +0 THR/RBR data (DLL when LCR.DLAB = 1)   +1 IER (DLM when DLAB = 1)
 *   +2 FCR FIFO control                       +3 LCR line control
 *   +4 MCR modem control                      +5 LSR line status
 * Set-up follows the data sheet: divisor 1 for 115200 baud (1.8432 MHz clock
 * / 16), 8N1, FIFOs on, then a loopback self-test: a byte written while
 * MCR.LOOP is set must come back in RBR. No UART (or a broken one) is
 * tolerated: the console then writes to the screen only.
 * Receiving (kernel only) is in receive.c.
 */
#include <arch/x86_64/cpu.h>
#include <drivers/serial/serial.h>
#include <drivers/serial/uart16550.h>
#include <stdint.h>

#define SELF_TEST_BYTE       0xAE
#define SELF_TEST_SPIN_LIMIT 10000

static bool uart_ok;

bool serial_init(void)
{
    outb(UART_IER, 0x00);
    outb(UART_LCR, LCR_DLAB);
    outb(UART_DIVISOR_LOW, UART_DIVISOR_115200 & 0xFF);
    outb(UART_DIVISOR_HIGH, UART_DIVISOR_115200 >> 8);
    outb(UART_LCR, LCR_8N1);
    outb(UART_FCR, FCR_ENABLE_CLEAR_14);

    /* Loopback self-test: the transmitter feeds the receiver directly. */
    outb(UART_MCR, MCR_LOOP | MCR_RTS | MCR_OUT1 | MCR_OUT2);
    outb(UART_DATA, SELF_TEST_BYTE);
    uart_ok = false;
    for (int i = 0; i < SELF_TEST_SPIN_LIMIT; i++) {
        if (inb(UART_LSR) & LSR_DATA_READY) {
            uart_ok = inb(UART_DATA) == SELF_TEST_BYTE;
            break;
        }
    }
    outb(UART_MCR, MCR_RUNNING);
    return uart_ok;
}

bool serial_present(void)
{
    return uart_ok;
}

static void serial_send_byte(uint8_t byte)
{
    while (!(inb(UART_LSR) & LSR_THR_EMPTY))
        cpu_relax();
    outb(UART_DATA, byte);
}

void serial_putc(char c)
{
    if (!uart_ok)
        return;
    if (c == '\n')
        serial_send_byte('\r');
    serial_send_byte((uint8_t)c);
}
