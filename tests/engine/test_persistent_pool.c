/* SPDX-License-Identifier: Apache-2.0 */
/* test_persistent_pool.c — the pool behind prepare's persistent buffers. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, madvise */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
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

/* Whether the mapping that holds p is advised huge pages (the "hg" of its
 * VmFlags in /proc/self/smaps); -1 where smaps does not say. */
static int advised(const void *p) {
  FILE *f = fopen("/proc/self/smaps", "r");
  if (!f) return -1;
  char line[512];
  bool inside = false;
  int result = -1;
  while (result < 0 && fgets(line, sizeof line, f)) {
    unsigned long start, end;
    if (sscanf(line, "%lx-%lx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' '))
      inside = (uintptr_t)p >= start && (uintptr_t)p < end;
    else if (inside && strncmp(line, "VmFlags:", 8) == 0)
      result = strstr(line, " hg") != NULL;
  }
  fclose(f);
  return result;
}

/* Whether this system shows an advice as the test looks for it: 2 MB huge
 * pages over 4 KB pages, and a mapping advised by hand marked in smaps
 * (not so under an emulator that ignores madvise, say). */
static bool advice_visible(void) {
#ifdef MADV_HUGEPAGE
  if (sysconf(_SC_PAGESIZE) != 4096) return false;
  const size_t bytes = 4 * MB;
  uint8_t *m = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) return false;
  uint8_t *aligned = m + (2 * MB - (uintptr_t)m % (2 * MB)) % (2 * MB);
  const bool visible = madvise(aligned, 2 * MB, MADV_HUGEPAGE) == 0 && advised(aligned) == 1 &&
                       advised(m + bytes - 1) != 1;
  munmap(m, bytes);
  return visible;
#else
  return false;
#endif
}

/* ALL advises every chunk, NONE none, FILLED only the huge pages that a
 * buffer larger than a chunk fills whole. */
static void test_huge_page_advice(void **state) {
  (void)state;
  SpryPersistentPool *all = new_pool(SPRY_HUGE_PAGES_ALL);
  SpryPersistentPool *none = new_pool(SPRY_HUGE_PAGES_NONE);
  SpryPersistentPool *filled = new_pool(SPRY_HUGE_PAGES_FILLED);
  const bool visible = advice_visible();
  assert_int_equal(spry_persistent_pool_huge_pages(none), SPRY_HUGE_PAGES_NONE);
  if (visible) {
    assert_int_equal(spry_persistent_pool_huge_pages(all), SPRY_HUGE_PAGES_ALL);
    assert_int_equal(advised(spry_persistent_pool_alloc(all, 1000)), 1);
    assert_int_equal(advised(spry_persistent_pool_alloc(none, 1000)), 0);
    assert_int_equal(advised(spry_persistent_pool_alloc(none, 5 * MB)), 0);
    assert_int_equal(advised(spry_persistent_pool_alloc(filled, 1000)), 0);
    const uint8_t *big = spry_persistent_pool_alloc(filled, 5 * MB);
    assert_int_equal(advised(big), 1);
    assert_int_equal(advised(big + 4 * MB - 1), 1);
    assert_int_equal(advised(big + 4 * MB), 0); /* the last, partial 2 MB */
  }
  spry_persistent_pool_free(all);
  spry_persistent_pool_free(none);
  spry_persistent_pool_free(filled);
  if (!visible) skip();
}

static const char *model_in(const char *env, const char *name) {
  static char path[1024];
  const char *dir = getenv(env);
  snprintf(path, sizeof path, "%s/models/%s.tflite", dir ? dir : ".", name);
  return path;
}

static const char *model_path(void) {
  return model_in("SPRY_TEST_DATA", "mobilenet_v1_0.25_128_quant");
}

/* The advice an interpreter's pool takes for a model, with SPRY_HUGE_PAGES
 * set to `env` (NULL: unset). */
static SpryHugePages interpreter_advice(const char *path, const char *env) {
  if (env)
    setenv("SPRY_HUGE_PAGES", env, 1);
  else
    unsetenv("SPRY_HUGE_PAGES");
  SpryModel *model = NULL;
  assert_int_equal(spry_model_open_file(path, &model), SPRY_OK);
  SpryInterpreter *interp = NULL;
  assert_int_equal(spry_interpreter_new(model, NULL, &interp), SPRY_OK);
  unsetenv("SPRY_HUGE_PAGES");
  if (!interp->persistent_pool) {
    spry_interpreter_free(interp);
    spry_model_free(model);
    skip();
  }
  const SpryHugePages advice = spry_persistent_pool_huge_pages(interp->persistent_pool);
  spry_interpreter_free(interp);
  spry_model_free(model);
  return advice;
}

/* A model under 2 MB gets huge pages only for buffers that fill them, one
 * of 2 MB or more for every chunk, and SPRY_HUGE_PAGES=0 none at all. */
static void test_advice_by_model(void **state) {
  (void)state;
  if (sysconf(_SC_PAGESIZE) != 4096) skip(); /* the pool advises none there */
  const char *small = model_path();
  assert_int_equal(interpreter_advice(small, NULL), SPRY_HUGE_PAGES_FILLED);
  assert_int_equal(interpreter_advice(small, "1"), SPRY_HUGE_PAGES_FILLED);
  assert_int_equal(interpreter_advice(small, "0"), SPRY_HUGE_PAGES_NONE);
  const char *large = model_in("SPRY_SHARED_DIR", "mobilenet_v2_1.0_224_quant");
  FILE *f = fopen(large, "rb");
  if (!f) return; /* no shared models here: the small one's cases stand */
  fclose(f);
  assert_int_equal(interpreter_advice(large, NULL), SPRY_HUGE_PAGES_ALL);
  assert_int_equal(interpreter_advice(large, "0"), SPRY_HUGE_PAGES_NONE);
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
      cmocka_unit_test(test_huge_page_advice),
      cmocka_unit_test(test_advice_by_model),
      cmocka_unit_test(test_prepare_again_releases),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
