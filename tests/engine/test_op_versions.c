/* SPDX-License-Identifier: Apache-2.0 */
/* test_op_versions.c — every builtin accepts the versions TFLite's resolver registers and refuses the next by name. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include <spry/op.h>
#include <spry/spry.h>

/* BuiltinOperator code and the version range TFLite's builtin resolver
 * (register.cc) registers for it. Versions past the reference resolver's
 * (ADD 6, MUL 8, SOFTMAX 4, TRANSPOSE 9, ...) name types Spry refuses in
 * prepare (float16 arithmetic, int4 and smaller) or none. */
typedef struct OpVersions {
  int32_t code;
  int32_t min_version;
  int32_t max_version;
} OpVersions;

static const OpVersions tflite_versions[] = {
    {0, 1, 6}, /* ADD */
    {1, 1, 3}, /* AVERAGE_POOL_2D */
    {2, 1, 7}, /* CONCATENATION */
    {3, 1, 8}, /* CONV_2D */
    {4, 1, 7}, /* DEPTHWISE_CONV_2D */
    {5, 1, 2}, /* DEPTH_TO_SPACE */
    {6, 1, 9}, /* DEQUANTIZE */
    {8, 1, 1}, /* FLOOR */
    {9, 1, 14}, /* FULLY_CONNECTED */
    {11, 1, 2}, /* L2_NORMALIZATION */
    {12, 1, 1}, /* L2_POOL_2D */
    {13, 1, 1}, /* LOCAL_RESPONSE_NORMALIZATION */
    {14, 1, 3}, /* LOGISTIC */
    {17, 1, 3}, /* MAX_POOL_2D */
    {18, 1, 8}, /* MUL */
    {19, 1, 3}, /* RELU */
    {20, 1, 1}, /* RELU_N1_TO_1 */
    {21, 1, 3}, /* RELU6 */
    {22, 1, 1}, /* RESHAPE */
    {23, 1, 4}, /* RESIZE_BILINEAR */
    {25, 1, 4}, /* SOFTMAX */
    {26, 1, 2}, /* SPACE_TO_DEPTH */
    {27, 1, 4}, /* SVDF */
    {28, 1, 3}, /* TANH */
    {34, 1, 6}, /* PAD */
    {35, 1, 3}, /* UNIDIRECTIONAL_SEQUENCE_RNN */
    {36, 1, 8}, /* GATHER */
    {37, 1, 4}, /* BATCH_TO_SPACE_ND */
    {38, 1, 4}, /* SPACE_TO_BATCH_ND */
    {39, 1, 9}, /* TRANSPOSE */
    {40, 1, 3}, /* MEAN */
    {41, 1, 5}, /* SUB */
    {42, 1, 2}, /* DIV */
    {43, 1, 2}, /* SQUEEZE */
    {45, 1, 8}, /* STRIDED_SLICE */
    {47, 1, 2}, /* EXP */
    {48, 1, 3}, /* TOPK_V2 */
    {49, 1, 5}, /* SPLIT */
    {50, 1, 2}, /* LOG_SOFTMAX */
    {53, 1, 9}, /* CAST */
    {54, 1, 1}, /* PRELU */
    {55, 1, 4}, /* MAXIMUM */
    {56, 1, 3}, /* ARG_MAX */
    {57, 1, 4}, /* MINIMUM */
    {58, 1, 3}, /* LESS */
    {59, 1, 1}, /* NEG */
    {60, 1, 6}, /* PADV2 */
    {61, 1, 2}, /* GREATER */
    {62, 1, 3}, /* GREATER_EQUAL */
    {63, 1, 2}, /* LESS_EQUAL */
    {64, 1, 4}, /* SELECT */
    {65, 1, 8}, /* SLICE */
    {66, 1, 2}, /* SIN */
    {67, 1, 5}, /* TRANSPOSE_CONV */
    {69, 1, 3}, /* TILE */
    {70, 1, 1}, /* EXPAND_DIMS */
    {71, 1, 5}, /* EQUAL */
    {72, 1, 4}, /* NOT_EQUAL */
    {73, 1, 2}, /* LOG */
    {74, 1, 2}, /* SUM */
    {75, 1, 2}, /* SQRT */
    {76, 1, 3}, /* RSQRT */
    {77, 1, 1}, /* SHAPE */
    {78, 1, 1}, /* POW */
    {79, 1, 3}, /* ARG_MIN */
    {81, 1, 2}, /* REDUCE_PROD */
    {82, 1, 3}, /* REDUCE_MAX */
    {83, 1, 5}, /* PACK */
    {84, 1, 1}, /* LOGICAL_OR */
    {85, 1, 1}, /* ONE_HOT */
    {86, 1, 1}, /* LOGICAL_AND */
    {87, 1, 1}, /* LOGICAL_NOT */
    {88, 1, 6}, /* UNPACK */
    {89, 1, 3}, /* REDUCE_MIN */
    {90, 1, 3}, /* FLOOR_DIV */
    {92, 1, 1}, /* SQUARE */
    {93, 1, 1}, /* ZEROS_LIKE */
    {94, 1, 5}, /* FILL */
    {95, 1, 2}, /* FLOOR_MOD */
    {96, 1, 2}, /* RANGE */
    {97, 1, 4}, /* RESIZE_NEAREST_NEIGHBOR */
    {98, 1, 2}, /* LEAKY_RELU */
    {99, 1, 2}, /* SQUARED_DIFFERENCE */
    {100, 1, 3}, /* MIRROR_PAD */
    {101, 1, 5}, /* ABS */
    {102, 1, 3}, /* SPLIT_V */
    {104, 1, 1}, /* CEIL */
    {105, 1, 4}, /* REVERSE_V2 */
    {107, 1, 6}, /* GATHER_ND */
    {108, 1, 2}, /* COS */
    {110, 1, 1}, /* RANK */
    {111, 1, 1}, /* ELU */
    {114, 1, 6}, /* QUANTIZE */
    {116, 1, 1}, /* ROUND */
    {117, 1, 1}, /* HARD_SWISH */
    {122, 1, 1}, /* SCATTER_ND */
    {123, 1, 2}, /* SELECT_V2 */
    {124, 1, 1}, /* DENSIFY */
    {128, 1, 1}, /* CUMSUM */
    {130, 2, 4}, /* BROADCAST_TO */
    {132, 1, 1}, /* CONV_3D */
    {145, 1, 1}, /* BROADCAST_ARGS */
    {150, 1, 3}, /* GELU */
    {152, 1, 1}, /* RELU_0_TO_1 */
    {158, 1, 2}, /* SIGN */
};

static void test_tflite_version_ranges(void **state) {
  (void)state;
  int checked = 0;
  for (size_t i = 0; i < sizeof tflite_versions / sizeof tflite_versions[0]; i++) {
    const OpVersions *v = &tflite_versions[i];
    const char *name = spry_builtin_op_name(v->code);
    const SpryOpRegistration *r = NULL;
    /* An op left out of a selective build is not checked. */
    if (spry_resolver_lookup(NULL, v->code, NULL, v->min_version, &r) != SPRY_OK) continue;
    for (int32_t version = v->min_version; version <= v->max_version; version++) {
      if (spry_resolver_lookup(NULL, v->code, NULL, version, &r) != SPRY_OK)
        print_error("%s version %d: %s\n", name, (int)version, spry_last_error());
      assert_non_null(r);
    }
    assert_int_equal(spry_resolver_lookup(NULL, v->code, NULL, v->max_version + 1, &r),
                     SPRY_ERROR_UNSUPPORTED);
    char expected[128];
    snprintf(expected, sizeof expected, "%s version %d is newer than supported", name,
             (int)(v->max_version + 1));
    if (!strstr(spry_last_error(), expected))
      print_error("expected \"%s\", got \"%s\"\n", expected, spry_last_error());
    assert_non_null(strstr(spry_last_error(), expected));
    checked++;
  }
  assert_true(checked > 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tflite_version_ranges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
