/* SPDX-License-Identifier: Apache-2.0 */
/* status.c — per-thread error messages, status and type names. */
#include "status.h"

#include <stdio.h>
#include <string.h>

#define SPRY_ERROR_CAPACITY 512

static _Thread_local char last_error[SPRY_ERROR_CAPACITY];

const char *spry_last_error(void) { return last_error; }

void spry_clear_error(void) { last_error[0] = '\0'; }

SpryStatus spry_set_error_v(SpryStatus code, const char *format, va_list args) {
  vsnprintf(last_error, sizeof last_error, format, args);
  return code;
}

SpryStatus spry_set_error(SpryStatus code, const char *format, ...) {
  va_list args;
  va_start(args, format);
  spry_set_error_v(code, format, args);
  va_end(args);
  return code;
}

SpryStatus spry_prefix_error(SpryStatus code, const char *format, ...) {
  char previous[SPRY_ERROR_CAPACITY];
  char prefix[SPRY_ERROR_CAPACITY];
  memcpy(previous, last_error, sizeof previous);
  va_list args;
  va_start(args, format);
  vsnprintf(prefix, sizeof prefix, format, args);
  va_end(args);
  /* Truncation of an over-long message is acceptable. */
  size_t n = strlen(prefix);
  if (n > sizeof last_error - 3) n = sizeof last_error - 3;
  memcpy(last_error, prefix, n);
  memcpy(last_error + n, ": ", 2);
  size_t rest = strlen(previous);
  if (rest > sizeof last_error - n - 3) rest = sizeof last_error - n - 3;
  memcpy(last_error + n + 2, previous, rest);
  last_error[n + 2 + rest] = '\0';
  return code;
}

const char *spry_status_name(SpryStatus status) {
  switch (status) {
    case SPRY_OK: return "ok";
    case SPRY_ERROR_INVALID_ARGUMENT: return "invalid argument";
    case SPRY_ERROR_INVALID_MODEL: return "invalid model";
    case SPRY_ERROR_UNSUPPORTED: return "unsupported";
    case SPRY_ERROR_OUT_OF_MEMORY: return "out of memory";
    case SPRY_ERROR_IO: return "i/o error";
    case SPRY_ERROR_NOT_FOUND: return "not found";
    case SPRY_ERROR_BAD_STATE: return "bad state";
    case SPRY_ERROR_RUNTIME: return "runtime error";
  }
  return "unknown status";
}

const char *spry_type_name(SpryType type) {
  switch (type) {
    case SPRY_TYPE_FLOAT32: return "float32";
    case SPRY_TYPE_FLOAT16: return "float16";
    case SPRY_TYPE_INT32: return "int32";
    case SPRY_TYPE_UINT8: return "uint8";
    case SPRY_TYPE_INT64: return "int64";
    case SPRY_TYPE_STRING: return "string";
    case SPRY_TYPE_BOOL: return "bool";
    case SPRY_TYPE_INT16: return "int16";
    case SPRY_TYPE_COMPLEX64: return "complex64";
    case SPRY_TYPE_INT8: return "int8";
    case SPRY_TYPE_FLOAT64: return "float64";
    case SPRY_TYPE_COMPLEX128: return "complex128";
    case SPRY_TYPE_UINT64: return "uint64";
    case SPRY_TYPE_RESOURCE: return "resource";
    case SPRY_TYPE_VARIANT: return "variant";
    case SPRY_TYPE_UINT32: return "uint32";
    case SPRY_TYPE_UINT16: return "uint16";
    case SPRY_TYPE_INT4: return "int4";
    case SPRY_TYPE_BFLOAT16: return "bfloat16";
    case SPRY_TYPE_INT2: return "int2";
    case SPRY_TYPE_UINT4: return "uint4";
  }
  return "unknown";
}

size_t spry_type_size(SpryType type) {
  switch (type) {
    case SPRY_TYPE_BOOL:
    case SPRY_TYPE_UINT8:
    case SPRY_TYPE_INT8: return 1;
    case SPRY_TYPE_FLOAT16:
    case SPRY_TYPE_BFLOAT16:
    case SPRY_TYPE_INT16:
    case SPRY_TYPE_UINT16: return 2;
    case SPRY_TYPE_FLOAT32:
    case SPRY_TYPE_INT32:
    case SPRY_TYPE_UINT32: return 4;
    case SPRY_TYPE_INT64:
    case SPRY_TYPE_UINT64:
    case SPRY_TYPE_FLOAT64:
    case SPRY_TYPE_COMPLEX64: return 8;
    case SPRY_TYPE_COMPLEX128: return 16;
    default: return 0;
  }
}
