/*
 * pic.h - the two cascaded 8259A interrupt controllers.
 */
#ifndef KEEL_ARCH_X86_64_PIC_H
#define KEEL_ARCH_X86_64_PIC_H

#include <stdbool.h>
#include <stdint.h>

/* Remap IRQ 0-7 to vectors 32-39 and IRQ 8-15 to 40-47, all lines masked
 * except the cascade (IRQ 2). */
void pic_init(void);
void pic_mask(unsigned irq);
void pic_unmask(unsigned irq);
/* The mask registers: bit n set = IRQ n masked (slave in the high byte). */
uint16_t pic_masks(void);
/* Acknowledge IRQ `irq` (the slave too for IRQ 8-15). */
void pic_send_eoi(unsigned irq);
/* Whether IRQ 7 or 15 is spurious (its in-service bit is clear). For a
 * spurious IRQ 15 the master still gets its EOI (the cascade line was
 * real); a spurious IRQ 7 gets none. Always false for other lines. */
bool pic_is_spurious(unsigned irq);

#endif
