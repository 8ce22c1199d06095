/* Common includes for the cmocka unit tests. */
#ifndef GD_TESTS_UNIT_H
#define GD_TESTS_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <string.h>

#endif
