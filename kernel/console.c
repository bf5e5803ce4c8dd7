/*
 * console.c - one console, two devices: the VGA text screen and COM1.
 *
 * Everything the kernel prints goes through console_putc, so the serial
 * log (what tests and serial terminals read) and the screen (what a person
 * sees) always carry the same text. The hardware cursor is moved once per
 * write rather than per character: each move costs four port writes.
 *
 * A spinlock (interrupts off while held) makes each call atomic: a kprintf
 * from an interrupt handler waits until the interrupted kprintf is done
 * instead of splicing into the middle of its line. A panic breaks the lock
 * (console_panic_unlock) so the report always gets out.
 */
#include <keel/console.h>
#include <keel/format.h>
#include <keel/layout.h>
#include <keel/serial.h>
#include <keel/spinlock.h>
#include <keel/vga_hw.h>

static struct vga_writer screen;
static struct spinlock console_lock = SPINLOCK_INIT;

void console_init(void)
{
    serial_init();
    vga_init(&screen, phys_to_virt(VGA_TEXT_BUFFER_PHYS), VGA_LIGHT_GREY, VGA_BLACK);
    vga_hw_set_cursor(vga_cursor_index(&screen));
}

struct vga_writer *console_vga(void)
{
    return &screen;
}

static void console_emit(char c)
{
    vga_put_char(&screen, c);
    serial_putc(c);
}

void console_putc(char c)
{
    console_write(&c, 1);
}

void console_write(const char *s, size_t n)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    for (size_t i = 0; i < n; i++)
        console_emit(s[i]);
    vga_hw_set_cursor(vga_cursor_index(&screen));
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_erase_char(void)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    vga_put_char(&screen, '\b');
    serial_putc('\b'); /* a terminal moves left; overwrite and move left again */
    serial_putc(' ');
    serial_putc('\b');
    vga_hw_set_cursor(vga_cursor_index(&screen));
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_set_color(enum vga_color fg, enum vga_color bg)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    vga_set_color(&screen, fg, bg);
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_clear(void)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    vga_clear(&screen);
    vga_hw_set_cursor(vga_cursor_index(&screen));
    spin_unlock_irqrestore(&console_lock, flags);
}

void console_set_buffer(volatile uint16_t *cells)
{
    screen.cells = cells;
}

uint64_t console_lock_acquire(void)
{
    return spin_lock_irqsave(&console_lock);
}

void console_lock_release(uint64_t flags)
{
    spin_unlock_irqrestore(&console_lock, flags);
}

bool console_panic_unlock(void)
{
    bool was_locked = spin_is_locked(&console_lock);
    spin_force_unlock(&console_lock);
    return was_locked;
}

static void console_sink(char c, void *ctx)
{
    (void)ctx;
    console_emit(c);
}

int kvprintf(const char *fmt, va_list ap)
{
    uint64_t flags = spin_lock_irqsave(&console_lock);
    int n = format_v(console_sink, NULL, fmt, ap);
    vga_hw_set_cursor(vga_cursor_index(&screen));
    spin_unlock_irqrestore(&console_lock, flags);
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}
