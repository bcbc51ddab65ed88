/* SPDX-License-Identifier: Apache-2.0 */
/* test_resolver_lookup.c — the public resolver queries: lookup by op and version, enumeration. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <spry/op.h>
#include <spry/spry.h>

#define BUILTIN_CONV_2D 3

static SpryStatus noop_invoke(SpryContext *ctx, SpryNode *node) {
  (void)ctx;
  (void)node;
  return SPRY_OK;
}

static const SpryOpRegistration twice_v1 = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = SPRY_BUILTIN_CUSTOM,
    .custom_name = "Twice", .min_version = 1, .max_version = 2, .invoke = noop_invoke,
};
static const SpryOpRegistration twice_v2 = {
    .abi_version = SPRY_OP_ABI_VERSION, .builtin_code = SPRY_BUILTIN_CUSTOM,
    .custom_name = "Twice", .min_version = 2, .max_version = 3, .invoke = noop_invoke,
};

static void test_builtin_lookup(void **state) {
  (void)state;
  const SpryOpRegistration *r = NULL;
  assert_int_equal(spry_resolver_lookup(NULL, BUILTIN_CONV_2D, NULL, 1, &r), SPRY_OK);
  assert_non_null(r);
  assert_int_equal(r->builtin_code, BUILTIN_CONV_2D);
  assert_true(r->min_version <= 1 && r->max_version >= 1);

  assert_int_equal(spry_resolver_lookup(NULL, BUILTIN_CONV_2D, NULL, 99, &r),
                   SPRY_ERROR_UNSUPPORTED);
  assert_null(r);
  assert_non_null(strstr(spry_last_error(), "CONV_2D version 99 is newer than supported (max "));

  assert_int_equal(spry_resolver_lookup(NULL, SPRY_BUILTIN_CUSTOM, "NoSuchOp", 1, &r),
                   SPRY_ERROR_UNSUPPORTED);
  assert_null(r);
  assert_string_equal(spry_last_error(), "unsupported op NoSuchOp (custom)");
}

static void test_bad_arguments(void **state) {
  (void)state;
  const SpryOpRegistration *r = &twice_v1;
  assert_int_equal(spry_resolver_lookup(NULL, SPRY_BUILTIN_CUSTOM, NULL, 1, &r),
                   SPRY_ERROR_INVALID_ARGUMENT);
  assert_null(r);
  assert_int_equal(spry_resolver_lookup(NULL, BUILTIN_CONV_2D, NULL, 0, &r),
                   SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_resolver_lookup(NULL, -1, NULL, 1, &r), SPRY_ERROR_INVALID_ARGUMENT);
  assert_int_equal(spry_resolver_lookup(NULL, BUILTIN_CONV_2D, NULL, 1, NULL),
                   SPRY_ERROR_INVALID_ARGUMENT);
}

/* A user resolver: later registrations win where version ranges overlap. */
static void test_custom_resolver(void **state) {
  (void)state;
  SpryResolver *resolver = NULL;
  assert_int_equal(spry_resolver_new(&resolver), SPRY_OK);
  assert_int_equal(spry_resolver_count(resolver), 0);
  assert_int_equal(spry_resolver_add(resolver, &twice_v1), SPRY_OK);
  assert_int_equal(spry_resolver_add(resolver, &twice_v2), SPRY_OK);
  assert_int_equal(spry_resolver_count(resolver), 2);
  assert_ptr_equal(spry_resolver_registration(resolver, 0), &twice_v1);
  assert_ptr_equal(spry_resolver_registration(resolver, 1), &twice_v2);
  assert_null(spry_resolver_registration(resolver, 2));
  assert_null(spry_resolver_registration(resolver, -1));
  const SpryOpRegistration *r = NULL;
  assert_int_equal(spry_resolver_lookup(resolver, SPRY_BUILTIN_CUSTOM, "Twice", 1, &r), SPRY_OK);
  assert_ptr_equal(r, &twice_v1);
  assert_int_equal(spry_resolver_lookup(resolver, SPRY_BUILTIN_CUSTOM, "Twice", 2, &r), SPRY_OK);
  assert_ptr_equal(r, &twice_v2);
  assert_int_equal(spry_resolver_lookup(resolver, SPRY_BUILTIN_CUSTOM, "Twice", 4, &r),
                   SPRY_ERROR_UNSUPPORTED);
  assert_string_equal(spry_last_error(), "Twice version 4 is newer than supported (max 3)");
  /* The builtin ops are not in an empty user resolver. */
  assert_int_equal(spry_resolver_lookup(resolver, BUILTIN_CONV_2D, NULL, 1, &r),
                   SPRY_ERROR_UNSUPPORTED);
  spry_resolver_free(resolver);
}

/* Every builtin registration is found again by its own identity. */
static void test_builtin_enumeration(void **state) {
  (void)state;
  const int32_t count = spry_resolver_count(NULL);
  assert_true(count > 50);
  assert_null(spry_resolver_registration(NULL, count));
  for (int32_t i = 0; i < count; i++) {
    const SpryOpRegistration *reg = spry_resolver_registration(NULL, i);
    assert_non_null(reg);
    assert_true(reg->min_version >= 1 && reg->max_version >= reg->min_version);
    const SpryOpRegistration *found = NULL;
    assert_int_equal(spry_resolver_lookup(NULL, reg->builtin_code, reg->custom_name,
                                          reg->max_version, &found),
                     SPRY_OK);
    assert_int_equal(found->builtin_code, reg->builtin_code);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_builtin_lookup),
      cmocka_unit_test(test_bad_arguments),
      cmocka_unit_test(test_custom_resolver),
      cmocka_unit_test(test_builtin_enumeration),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
