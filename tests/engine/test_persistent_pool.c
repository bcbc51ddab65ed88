/* SPDX-License-Identifier: Apache-2.0 */
/* test_persistent_pool.c — the pool behind prepare's persistent buffers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "interpreter_internal.h"
#include "persistent_pool.h"
#include "spry/spry.h"

#define MB ((size_t)1 << 20)

/* Under AddressSanitizer the engine uses the heap instead (no pool). */
static SpryPersistentPool *new_pool(SpryHugePages huge_pages) {
  SpryPersistentPool *pool = spry_persistent_pool_new(huge_pages);
  if (!pool) skip();
  return pool;
}

static bool zero_and_aligned(const uint8_t *p, size_t bytes) {
  if (!p || (uintptr_t)p % 64 != 0) return false;
  for (size_t i = 0; i < bytes; i++)
    if (p[i] != 0) return false;
  return true;
}

/* Buffers are zeroed, aligned and apart: each keeps the bytes written to
 * it after the others are written. */
static void test_buffers_are_fresh_and_apart(void **state) {
  (void)state;
  for (int huge = SPRY_HUGE_PAGES_NONE; huge <= SPRY_HUGE_PAGES_ALL; huge++) {
    SpryPersistentPool *pool = new_pool((SpryHugePages)huge);
    enum { N = 40 };
    uint8_t *p[N];
    size_t bytes[N];
    for (int i = 0; i < N; i++) {
      bytes[i] = 1 + (size_t)i * 977 % 70000; /* odd sizes, 1 byte to 68 KB */
      p[i] = spry_persistent_pool_alloc(pool, bytes[i]);
      assert_true(zero_and_aligned(p[i], bytes[i]));
      memset(p[i], i + 1, bytes[i]);
    }
    for (int i = 0; i < N; i++)
      for (size_t j = 0; j < bytes[i]; j++) assert_int_equal(p[i][j], i + 1);
    assert_int_equal(spry_persistent_pool_chunks(pool), 1);
    spry_persistent_pool_free(pool);
  }
}

/* A buffer larger than a chunk gets a chunk of its own, all of it usable;
 * small buffers then fill the ends of earlier chunks first. */
static void test_large_buffers_and_first_fit(void **state) {
  (void)state;
  SpryPersistentPool *pool = new_pool(SPRY_HUGE_PAGES_ALL);
  uint8_t *a = spry_persistent_pool_alloc(pool, (size_t)1536 * 1024);
  uint8_t *big = spry_persistent_pool_alloc(pool, 5 * MB + 3);
  assert_true(zero_and_aligned(a, 64) && zero_and_aligned(big, 64));
  big[0] = 1;
  big[5 * MB + 2] = 2;
  assert_int_equal(spry_persistent_pool_chunks(pool), 2);
  uint8_t *small = spry_persistent_pool_alloc(pool, 100 * 1024);
  assert_true(small >= a + (size_t)1536 * 1024 && small < a + 2 * MB);
  assert_true(zero_and_aligned(small, 100 * 1024));
  assert_int_equal(spry_persistent_pool_chunks(pool), 2);
  spry_persistent_pool_free(pool);
}

/* A chunk goes back to the system with its last buffer; pointers that are
 * not the pool's are refused. */
static void test_release(void **state) {
  (void)state;
  SpryPersistentPool *pool = new_pool(SPRY_HUGE_PAGES_NONE);
  void *a = spry_persistent_pool_alloc(pool, 1000);
  void *b = spry_persistent_pool_alloc(pool, 3000);
  void *big = spry_persistent_pool_alloc(pool, 3 * MB);
  assert_int_equal(spry_persistent_pool_chunks(pool), 2);
  int on_heap = 0;
  assert_false(spry_persistent_pool_release(pool, &on_heap));
  assert_false(spry_persistent_pool_release(pool, NULL));
  assert_false(spry_persistent_pool_release(NULL, a));
  assert_true(spry_persistent_pool_release(pool, big));
  assert_int_equal(spry_persistent_pool_chunks(pool), 1);
  assert_true(spry_persistent_pool_release(pool, a));
  assert_int_equal(spry_persistent_pool_chunks(pool), 1);
  assert_true(spry_persistent_pool_release(pool, b));
  assert_int_equal(spry_persistent_pool_chunks(pool), 0);
  assert_false(spry_persistent_pool_release(pool, b));
  /* And it starts again. */
  assert_true(zero_and_aligned(spry_persistent_pool_alloc(pool, 64), 64));
  assert_int_equal(spry_persistent_pool_chunks(pool), 1);
  spry_persistent_pool_free(pool);
}

static void test_refuses_bad_sizes(void **state) {
  (void)state;
  SpryPersistentPool *pool = new_pool(SPRY_HUGE_PAGES_NONE);
  assert_null(spry_persistent_pool_alloc(pool, 0));
  assert_null(spry_persistent_pool_alloc(pool, SIZE_MAX));
  assert_null(spry_persistent_pool_alloc(pool, SIZE_MAX / 2));
  assert_null(spry_persistent_pool_alloc(NULL, 64));
  assert_int_equal(spry_persistent_pool_chunks(pool), 0);
  spry_persistent_pool_free(pool);
  spry_persistent_pool_free(NULL);
}

static const char *model_path(void) {
  static char path[1024];
  const char *dir = getenv("SPRY_TEST_DATA");
  snprintf(path, sizeof path, "%s/models/mobilenet_v1_0.25_128_quant.tflite", dir ? dir : ".");
  return path;
}

static void invoke_into(SpryInterpreter *interp, uint8_t *out, size_t bytes) {
  SpryTensor *in = spry_interpreter_input(interp, 0);
  uint8_t *x = spry_tensor_data(in);
  for (size_t i = 0; i < spry_tensor_byte_size(in); i++) x[i] = (uint8_t)(i * 7 + i / 383);
  assert_int_equal(spry_interpreter_invoke(interp), SPRY_OK);
  const SpryTensor *y = spry_interpreter_output(interp, 0);
  assert_int_equal(spry_tensor_byte_size(y), bytes);
  memcpy(out, spry_tensor_data_const(y), bytes);
}

/* A model prepared again gives the old prepare's chunks back (the pool
 * does not grow with each prepare), and its packed weights still give the
 * same output. */
static void test_prepare_again_releases(void **state) {
  (void)state;
  SpryModel *model = NULL;
  assert_int_equal(spry_model_open_file(model_path(), &model), SPRY_OK);
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_interpreter_new(model, NULL, &interp), SPRY_OK);
  if (!interp->persistent_pool) {
    spry_interpreter_free(interp);
    spry_model_free(model);
    skip();
  }
  const int32_t chunks = spry_persistent_pool_chunks(interp->persistent_pool);
  assert_true(chunks >= 1);
  enum { OUT = 1001 };
  uint8_t first[OUT], again[OUT];
  invoke_into(interp, first, OUT);
  for (int round = 0; round < 6; round++) {
    /* As a new input shape would (the input's buffer moves: fill it after). */
    interp->needs_prepare = true;
    assert_int_equal(spry_interpreter_prepare(interp), SPRY_OK);
    invoke_into(interp, again, OUT);
    assert_memory_equal(first, again, OUT);
    assert_int_equal(spry_persistent_pool_chunks(interp->persistent_pool), chunks);
  }
  spry_interpreter_free(interp);
  spry_model_free(model);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_buffers_are_fresh_and_apart),
      cmocka_unit_test(test_large_buffers_and_first_fit),
      cmocka_unit_test(test_release),
      cmocka_unit_test(test_refuses_bad_sizes),
      cmocka_unit_test(test_prepare_again_releases),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
