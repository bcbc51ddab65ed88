/* SPDX-License-Identifier: Apache-2.0 */
/* internal.h — helpers shared by the post-processing decoders (errors, shape checks). */
#ifndef SPRY_POSTPROCESS_INTERNAL_H
#define SPRY_POSTPROCESS_INTERNAL_H

#include "postprocess.h"

/* Formats the message into `err` (when not NULL) and returns `code`. */
SpryStatus spry_post_fail(SpryPostError *err, SpryStatus code, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Clears the message so that a successful call leaves "". */
void spry_post_ok(SpryPostError *err);

/* Checks the view (spry_tensor_view_check) and names it `what` in the message. */
SpryStatus spry_post_check_view(const SpryTensorView *view, const char *what, SpryPostError *err);

/* Dimensions of the view after dropping leading 1s until `want` remain; fails
 * (returns 0) when the rank, after that, is not `want`. */
int spry_post_squeeze(const SpryTensorView *view, int32_t want, int32_t dims[SPRY_MAX_RANK]);

/* Writes the view's shape as "[1,2,3]" into buf. */
const char *spry_post_shape(const SpryTensorView *view, char *buf, size_t size);

#endif /* SPRY_POSTPROCESS_INTERNAL_H */
