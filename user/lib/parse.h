/*
 * parse.h - reading numbers from program arguments.
 */
#ifndef KEEL_USER_LIB_PARSE_H
#define KEEL_USER_LIB_PARSE_H

#include <stdbool.h>
#include <stdint.h>

/* The whole of text as an unsigned number: decimal, or hexadecimal after
 * "0x" or "0X". False, with *value untouched, for an empty string, any
 * other character (signs and spaces too), or a value above max. */
bool parse_u64(const char *text, uint64_t max, uint64_t *value);

#endif
