/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cast.h — reference CAST: element conversion between bool, the integer
 * types (int8/16/32/64, uint8/16/32), float16, bfloat16, float32 and
 * float64, with C++ static_cast semantics as TFLite's cast.cc uses them:
 * integers wrap (two's complement), floats truncate toward zero, anything
 * non-zero (NaN included) is true. Floats out of the target's range (and
 * NaN), undefined in C++, convert as TFLite's x86 build does (see cast.c).
 */
#ifndef SPRY_KERNELS_REFERENCE_CAST_H
#define SPRY_KERNELS_REFERENCE_CAST_H

#include <stdbool.h>
#include <stddef.h>

#include "spry/spry.h"

/* Whether CAST reads / writes this type. */
bool spry_cast_input_type_ok(SpryType type);
bool spry_cast_output_type_ok(SpryType type);

void spry_ref_cast(SpryType input_type, const void *input, SpryType output_type, void *output,
                   size_t count);

#endif /* SPRY_KERNELS_REFERENCE_CAST_H */
