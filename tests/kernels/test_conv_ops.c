/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_conv_ops.c — CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED through
 * their registrations (init, prepare, invoke) on a mock engine context:
 * outputs against TFLite BUILTIN_REF goldens (tests/kernels/data/conv_cases.bin
 * plus tests/data/goldens/<case>/{input,output}_0.bin, written by
 * tools/goldens/make_conv_cases.py) on every kernel variant this CPU runs
 * (SPRY_ISA_REFERENCE and the fast paths), then prepare's validation of
 * hostile nodes.
 *
 * Usage: test_conv_ops CASES.bin   (SPRY_TEST_DATA names tests/data)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv_mock_context.h"
#include "kernel_util.h"
#include "reference/conv_params.h"
#include "reference/fully_connected.h"

extern const SpryOpRegistration spry_op_conv_2d;
extern const SpryOpRegistration spry_op_depthwise_conv_2d;
extern const SpryOpRegistration spry_op_fully_connected;

#define FLOAT_TOLERANCE 1e-5

typedef struct CaseTensor {
  bool present;
  SpryTensor tensor; /* data, quant.scales and quant.zero_points owned by the case */
} CaseTensor;

typedef struct Case {
  char name[96];
  int32_t code, version, options_type;
  SpryOptionsTable options;
  int32_t num_inputs;
  CaseTensor inputs[3];
  CaseTensor output; /* data: the expected bytes */
} Case;

static Case *g_cases;
static int32_t g_num_cases;

/* ---- Reading the case file ------------------------------------------------ */

typedef struct Reader {
  const uint8_t *p;
  size_t left;
  bool ok;
} Reader;

static void take(Reader *r, void *dst, size_t n) {
  if (!r->ok || n > r->left) {
    r->ok = false;
    memset(dst, 0, n);
    return;
  }
  memcpy(dst, r->p, n);
  r->p += n;
  r->left -= n;
}

static int32_t take_i32(Reader *r) {
  uint8_t b[4];
  take(r, b, 4);
  const uint32_t u = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
                     (uint32_t)b[3] << 24;
  return spry_wrap_i32(u);
}

static int64_t take_i64(Reader *r) {
  const uint32_t lo = (uint32_t)take_i32(r);
  const uint32_t hi = (uint32_t)take_i32(r);
  return spry_wrap_i64((uint64_t)hi << 32 | lo);
}

static float take_f32(Reader *r) {
  const uint32_t u = (uint32_t)take_i32(r);
  float f;
  memcpy(&f, &u, sizeof f);
  return f;
}

static uint8_t *read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *data = NULL;
  if (fseek(f, 0, SEEK_END) == 0) {
    const long n = ftell(f);
    if (n >= 0 && fseek(f, 0, SEEK_SET) == 0 && (data = malloc((size_t)n + 1)) != NULL) {
      *size = fread(data, 1, (size_t)n, f);
      if (*size != (size_t)n) {
        free(data);
        data = NULL;
      }
    }
  }
  fclose(f);
  return data;
}

static uint8_t *read_golden(const char *case_name, const char *file, size_t *size) {
  const char *root = getenv("SPRY_TEST_DATA");
  char path[512];
  snprintf(path, sizeof path, "%s/goldens/%s/%s", root ? root : "tests/data", case_name, file);
  uint8_t *data = read_file(path, size);
  if (!data) fprintf(stderr, "cannot read %s\n", path);
  return data;
}

static bool read_tensor(Reader *r, CaseTensor *ct) {
  ct->present = take_i32(r) != 0;
  if (!ct->present) return r->ok;
  SpryTensor *t = &ct->tensor;
  t->type = (SpryType)take_i32(r);
  t->kind = take_i32(r) ? SPRY_TENSOR_CONSTANT : SPRY_TENSOR_ARENA;
  t->rank = take_i32(r);
  if (t->rank < 0 || t->rank > SPRY_MAX_RANK) return false;
  for (int32_t i = 0; i < t->rank; i++) t->dims[i] = take_i32(r);
  const int32_t n = take_i32(r);
  t->quant.quantized_dimension = take_i32(r);
  if (n < 0 || n > 4096) return false;
  t->quant.num_channels = n;
  if (n > 0) {
    float *scales = calloc((size_t)n, sizeof *scales);
    int32_t *zps = calloc((size_t)n, sizeof *zps);
    if (!scales || !zps) return false;
    for (int32_t i = 0; i < n; i++) scales[i] = take_f32(r);
    for (int32_t i = 0; i < n; i++) zps[i] = take_i32(r);
    t->quant.scales = scales;
    t->quant.zero_points = zps;
    t->quant.scale = scales[0];
    t->quant.zero_point = zps[0];
  }
  const uint32_t bytes = (uint32_t)take_i32(r);
  if (bytes > r->left) return false;
  if (bytes > 0) {
    t->data = malloc(bytes);
    if (!t->data) return false;
    take(r, t->data, bytes);
  }
  t->bytes = bytes;
  return r->ok;
}

/* The input's and the expected output's bytes come from the golden files. */
static bool attach_golden(const Case *c, CaseTensor *ct, const char *file) {
  size_t size = 0;
  uint8_t *data = read_golden(c->name, file, &size);
  if (!data) return false;
  ct->tensor.data = data;
  ct->tensor.bytes = size;
  return size == spry_type_size(ct->tensor.type) * spry_tensor_elements(&ct->tensor);
}

static bool read_case(Reader *r, Case *c) {
  const uint32_t name_len = (uint32_t)take_i32(r);
  if (name_len >= sizeof c->name) return false;
  take(r, c->name, name_len);
  c->code = take_i32(r);
  c->version = take_i32(r);
  c->options_type = take_i32(r);
  const uint32_t num_options = (uint32_t)take_i32(r);
  if (num_options > MOCK_MAX_OPTIONS) return false;
  for (uint32_t i = 0; i < num_options; i++) {
    const int32_t field = take_i32(r);
    mock_options_set(&c->options, field, take_i64(r));
  }
  c->num_inputs = take_i32(r);
  if (c->num_inputs < 2 || c->num_inputs > 3) return false;
  for (int32_t i = 0; i < c->num_inputs; i++)
    if (!read_tensor(r, &c->inputs[i])) return false;
  if (take_i32(r) != 1 || !read_tensor(r, &c->output)) return false;
  return attach_golden(c, &c->inputs[0], "input_0.bin") &&
         attach_golden(c, &c->output, "output_0.bin");
}

static bool load_cases(const char *path) {
  size_t size = 0;
  uint8_t *data = read_file(path, &size);
  if (!data) return false;
  Reader r = {data, size, true};
  char magic[8];
  take(&r, magic, sizeof magic);
  const int32_t version = take_i32(&r);
  g_num_cases = take_i32(&r);
  bool ok = r.ok && memcmp(magic, "SPRYCONV", 8) == 0 && version == 1 && g_num_cases > 0 &&
            g_num_cases < 1000;
  if (ok) g_cases = calloc((size_t)g_num_cases, sizeof *g_cases);
  for (int32_t i = 0; ok && i < g_num_cases; i++) {
    ok = g_cases && read_case(&r, &g_cases[i]);
    if (!ok) fprintf(stderr, "%s: bad case %d\n", path, (int)i);
  }
  free(data);
  return ok && r.left == 0;
}

static void free_tensor(CaseTensor *ct) {
  free(ct->tensor.data);
  free((void *)ct->tensor.quant.scales);
  free((void *)ct->tensor.quant.zero_points);
}

static void free_cases(void) {
  for (int32_t i = 0; i < g_num_cases && g_cases; i++) {
    for (int32_t j = 0; j < g_cases[i].num_inputs; j++) free_tensor(&g_cases[i].inputs[j]);
    free_tensor(&g_cases[i].output);
  }
  free(g_cases);
}

static const Case *find_case(const char *name) {
  for (int32_t i = 0; i < g_num_cases; i++)
    if (strcmp(g_cases[i].name, name) == 0) return &g_cases[i];
  fail_msg("case %s missing", name);
  return NULL;
}

/* ---- Running one node -------------------------------------------------------- */

/* A node over copies of a case's tensors (tests may reshape or retype them;
 * the data stays the case's). Tensor 3 is the output. */
typedef struct Run {
  SpryContext ctx;
  SpryTensor tensors[4];
  int32_t inputs[3];
  int32_t outputs[1];
  SpryNode node;
  SpryOptionsTable options;
  const SpryOpRegistration *reg;
  bool initialized;
} Run;

static const SpryOpRegistration *registration_of(int32_t code) {
  switch (code) {
    case 3:
      return &spry_op_conv_2d;
    case 4:
      return &spry_op_depthwise_conv_2d;
    case 9:
      return &spry_op_fully_connected;
    default:
      return NULL;
  }
}

static void run_setup(Run *r, const Case *c) {
  memset(r, 0, sizeof *r);
  for (int32_t i = 0; i < c->num_inputs; i++) {
    r->inputs[i] = c->inputs[i].present ? i : -1;
    if (c->inputs[i].present) r->tensors[i] = c->inputs[i].tensor;
  }
  r->tensors[3] = c->output.tensor;
  r->tensors[3].rank = 0; /* prepare must set the shape */
  r->tensors[3].data = NULL;
  r->tensors[3].bytes = 0;
  r->outputs[0] = 3;
  r->options = c->options;
  r->node.inputs = r->inputs;
  r->node.num_inputs = c->num_inputs;
  r->node.outputs = r->outputs;
  r->node.num_outputs = 1;
  r->node.builtin_code = c->code;
  r->node.version = c->version;
  r->node.options = &r->options;
  r->reg = registration_of(c->code);
  assert_non_null(r->reg);
  mock_context_init(&r->ctx, r->tensors, 4);
}

static SpryStatus run_prepare(Run *r) {
  if (!r->initialized) {
    assert_int_equal(r->reg->init(&r->ctx, &r->node, &r->node.user_data), SPRY_OK);
    r->initialized = true;
  }
  mock_context_release(&r->ctx);
  return r->reg->prepare(&r->ctx, &r->node);
}

static void run_finish(Run *r) {
  if (r->initialized) r->reg->free(&r->ctx, r->node.user_data);
  mock_context_release(&r->ctx);
  free(r->tensors[3].data);
  r->tensors[3].data = NULL;
}

/* Allocates the output as planned and invokes. */
static SpryStatus run_invoke(Run *r) {
  SpryTensor *out = &r->tensors[3];
  free(out->data);
  out->data = malloc(out->bytes ? out->bytes : 1);
  assert_non_null(out->data);
  memset(out->data, 0xA5, out->bytes); /* stale values must all be overwritten */
  return r->reg->invoke(&r->ctx, &r->node);
}

static void expect_prepare_error(Run *r, SpryStatus code, const char *substring) {
  const SpryStatus status = run_prepare(r);
  if (status != code || !strstr(r->ctx.message, substring))
    fail_msg("expected status %d with \"%s\", got %d: \"%s\"", (int)code, substring, (int)status,
             r->ctx.message);
  run_finish(r);
}

/* ---- Golden cases -------------------------------------------------------------- */

static void compare_output(const Case *c, const SpryTensor *got) {
  const SpryTensor *want = &c->output.tensor;
  assert_int_equal(got->rank, want->rank);
  for (int32_t i = 0; i < want->rank; i++) assert_int_equal(got->dims[i], want->dims[i]);
  assert_int_equal(got->bytes, want->bytes);
  if (want->type != SPRY_TYPE_FLOAT32) {
    const uint8_t *g = got->data, *w = want->data;
    for (size_t i = 0; i < want->bytes; i++)
      if (g[i] != w[i])
        fail_msg("%s: byte %zu is 0x%02x, TFLite has 0x%02x", c->name, i, g[i], w[i]);
    return;
  }
  const float *g = got->data, *w = want->data;
  const size_t n = want->bytes / sizeof(float);
  double max_ref = 0, max_err = 0;
  for (size_t i = 0; i < n; i++) {
    max_ref = fmax(max_ref, fabs((double)w[i]));
    max_err = fmax(max_err, fabs((double)g[i] - (double)w[i]));
    if (isnan(g[i]) != isnan(w[i])) fail_msg("%s: element %zu NaN mismatch", c->name, i);
  }
  if (max_err > FLOAT_TOLERANCE * (1.0 + max_ref))
    fail_msg("%s: max abs error %g exceeds %g", c->name, max_err,
             FLOAT_TOLERANCE * (1.0 + max_ref));
}

static void run_golden(const Case *c, SpryIsa isa, int32_t threads) {
  Run r;
  run_setup(&r, c);
  r.ctx.isa = isa;
  r.ctx.threads = threads;
  assert_int_equal(r.reg->builtin_code, c->code);
  assert_int_equal(r.reg->builtin_options_type, c->options_type);
  assert_true(r.reg->min_version <= c->version && c->version <= r.reg->max_version);
  /* Prepare twice: a re-prepare (after a resize) must give the same plan. */
  for (int pass = 0; pass < 2; pass++) {
    const SpryStatus status = run_prepare(&r);
    if (status != SPRY_OK) fail_msg("%s: prepare failed: %s", c->name, r.ctx.message);
    assert_int_equal(run_invoke(&r), SPRY_OK);
    compare_output(c, &r.tensors[3]);
  }
  run_finish(&r);
}

/* Every kernel variant this CPU runs (the fast ones with 1 and 3 threads)
 * must reproduce the golden. */
static void test_golden(void **state) {
  const Case *c = *state;
  for (int isa = SPRY_ISA_REFERENCE; isa < SPRY_ISA_COUNT; isa++) {
    if (!spry_isa_supported((SpryIsa)isa)) continue;
    for (int32_t threads = 1; threads <= (isa == SPRY_ISA_REFERENCE ? 1 : 3); threads += 2)
      run_golden(c, (SpryIsa)isa, threads);
  }
}

/* ---- Validation ------------------------------------------------------------------ */

static void test_conv_channel_mismatch(void **state) {
  (void)state;
  Run r;
  run_setup(&r, find_case("op_conv_2d_s8_stride2_same"));
  r.tensors[0].dims[3] = 4; /* filter has 3 */
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "filter has 3 input channels but input has 4");
}

static void test_conv_groups_must_divide_outputs(void **state) {
  (void)state;
  Run r;
  run_setup(&r, find_case("op_conv_2d_f32_grouped_relu")); /* 4 input channels, filter 2 */
  r.tensors[1].dims[0] = 5; /* 5 outputs into 2 groups; data stays large enough */
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "cannot be split into 2 groups");
}

static void test_conv_bad_ranks_and_counts(void **state) {
  (void)state;
  Run r;
  run_setup(&r, find_case("op_conv_2d_u8_valid_dil2"));
  r.tensors[0].rank = 3;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "input must have rank 4");
  run_setup(&r, find_case("op_conv_2d_u8_valid_dil2"));
  r.tensors[2].dims[0] = 2;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "bias has 2 elements for 3 output channels");
  run_setup(&r, find_case("op_conv_2d_u8_valid_dil2"));
  r.tensors[1].bytes = 3; /* constant data shorter than its shape */
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "filter data (3 bytes)");
  run_setup(&r, find_case("op_conv_2d_u8_valid_dil2"));
  r.node.num_inputs = 1;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "expected 2 or 3 inputs");
}

static void test_conv_bad_options(void **state) {
  (void)state;
  Run r;
  run_setup(&r, find_case("op_conv_2d_f32_same"));
  mock_options_set(&r.options, 1, 0); /* stride_w */
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "strides must be positive");
  run_setup(&r, find_case("op_conv_2d_f32_same"));
  mock_options_set(&r.options, 5, -2); /* dilation_h */
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "dilations must be positive");
  run_setup(&r, find_case("op_conv_2d_f32_same"));
  mock_options_set(&r.options, 0, 7); /* padding */
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "unknown padding 7");
  run_setup(&r, find_case("op_conv_2d_f32_same"));
  mock_options_set(&r.options, 3, 4); /* TANH */
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED, "unsupported fused activation 4");
  run_setup(&r, find_case("op_conv_2d_f32_same"));
  r.node.options = NULL; /* no options table: stride 0 */
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "strides must be positive");
}

/* Huge strides and dilations must neither overflow nor index out of bounds
 * (ASan/UBSan watch this test): only in-image taps are read. */
static void test_conv_huge_window(void **state) {
  (void)state;
  const char *names[] = {"op_conv_2d_s8_stride2_same", "op_depthwise_conv_2d_u8_same_relu6"};
  for (int i = 0; i < 2; i++) {
    Run r;
    run_setup(&r, find_case(names[i]));
    const int first = r.reg == &spry_op_conv_2d ? 4 : 5; /* dilation_w field */
    mock_options_set(&r.options, 1, INT32_MAX);     /* stride_w */
    mock_options_set(&r.options, 2, INT32_MAX - 1); /* stride_h */
    mock_options_set(&r.options, first, INT32_MAX);
    mock_options_set(&r.options, first + 1, INT32_MAX / 2);
    assert_int_equal(run_prepare(&r), SPRY_OK);
    assert_int_equal(r.tensors[3].dims[1], 1);
    assert_int_equal(r.tensors[3].dims[2], 1);
    assert_int_equal(run_invoke(&r), SPRY_OK);
    run_finish(&r);
  }
}

static void test_quantization_checks(void **state) {
  (void)state;
  Run r;
  float bad_scales[6] = {0.01f, 0.01f, NAN, 0.01f, 0.01f, 0.01f};
  run_setup(&r, find_case("op_conv_2d_s8_stride2_same"));
  r.tensors[1].quant.scales = bad_scales;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "invalid quantization scale nan (channel 2)");
  run_setup(&r, find_case("op_conv_2d_s8_stride2_same"));
  r.tensors[1].quant.num_channels = 5;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "filter has 5 scales along dimension 0");
  run_setup(&r, find_case("op_conv_2d_s8_stride2_same"));
  r.tensors[0].quant.scale = 0.0f;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "input has invalid quantization scale 0");
  run_setup(&r, find_case("op_conv_2d_s8_stride2_same"));
  r.tensors[3].quant.zero_point = 128;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "output zero point 128 is outside");
  run_setup(&r, find_case("op_conv_2d_u8_valid_dil2"));
  r.tensors[0].quant.zero_point = -1;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "input zero point -1 is outside [0, 255]");
  int32_t zps[6] = {0, 0, 0, 3, 0, 0};
  run_setup(&r, find_case("op_conv_2d_s8_stride2_same"));
  r.tensors[1].quant.zero_points = zps;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "filter zero point 3 of channel 3 must be 0");
  run_setup(&r, find_case("op_conv_2d_s16_same"));
  r.tensors[0].quant.zero_point = 1;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "input zero point 1 is outside [0, 0]");
  run_setup(&r, find_case("op_conv_2d_s8_stride2_same"));
  r.tensors[0].quant.num_channels = 0; /* int8 input without quantization */
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "input must be quantized per tensor");
  /* int16 with int64 accumulators: TFLite's 64-bit requantization takes
   * multipliers below 2^7 only. */
  run_setup(&r, find_case("op_conv_2d_s16_same"));
  r.tensors[3].quant.scale = 1e-12f;
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED, "is too large");
}

static void test_unsupported_types(void **state) {
  (void)state;
  Run r;
  run_setup(&r, find_case("op_conv_2d_s8_stride2_same"));
  r.tensors[0].type = SPRY_TYPE_INT8;
  r.tensors[1].type = SPRY_TYPE_FLOAT32;
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED,
                       "unsupported type combination: input int8, filter float32, output int8");
  run_setup(&r, find_case("op_depthwise_conv_2d_s8_valid_dil2"));
  r.tensors[3].type = SPRY_TYPE_INT16;
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED, "input int8, filter int8, output int16");
  run_setup(&r, find_case("op_fully_connected_u8_relu6"));
  r.tensors[2].type = SPRY_TYPE_INT64;
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED, "bias type int64 does not match uint8");
  run_setup(&r, find_case("op_depthwise_conv_2d_s16_dm2"));
  r.tensors[2].type = SPRY_TYPE_INT32;
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED, "(expected int64)");
}

/* A quantized case turned hybrid: float32 input and output, float32 bias
 * (its int32 bytes are never read by prepare). */
static void setup_hybrid(Run *r, const char *name) {
  run_setup(r, find_case(name));
  r->tensors[0].type = SPRY_TYPE_FLOAT32;
  r->tensors[3].type = SPRY_TYPE_FLOAT32;
  if (r->inputs[2] >= 0) r->tensors[2].type = SPRY_TYPE_FLOAT32;
}

/* Hybrid CONV_2D and DEPTHWISE_CONV_2D prepare as TFLite's kernels do and
 * refuse what they refuse (or what they would read out of bounds). */
static void test_hybrid(void **state) {
  (void)state;
  Run r;
  setup_hybrid(&r, "op_conv_2d_s8_stride2_same");
  assert_int_equal(run_prepare(&r), SPRY_OK);
  assert_int_equal(r.tensors[3].type, SPRY_TYPE_FLOAT32);
  run_finish(&r);
  setup_hybrid(&r, "op_conv_2d_s8_stride2_same");
  r.tensors[2].type = SPRY_TYPE_INT32;
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED, "hybrid: bias must be float32, is int32");
  setup_hybrid(&r, "op_conv_2d_s8_stride2_same");
  r.tensors[3].type = SPRY_TYPE_INT8;
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED, "hybrid: output must be float32, is int8");
  setup_hybrid(&r, "op_conv_2d_s8_stride2_same");
  r.tensors[1].kind = SPRY_TENSOR_ARENA;
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED, "hybrid filter must be constant");
  setup_hybrid(&r, "op_conv_2d_u8_valid_dil2");
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED, "hybrid filter must be int8, is uint8");
  setup_hybrid(&r, "op_conv_2d_s8_stride2_same");
  r.tensors[1].quant.num_channels = 5;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "filter has 5 scales along dimension 0");
  /* TFLite runs grouped hybrid convolutions through its per-channel kernel,
   * which would read past a single per-tensor scale. */
  setup_hybrid(&r, "op_conv_2d_s8_grouped_nobias");
  assert_int_equal(run_prepare(&r), SPRY_OK);
  run_finish(&r);
  setup_hybrid(&r, "op_conv_2d_s8_grouped_nobias");
  r.tensors[1].quant.num_channels = 1;
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED,
                       "grouped hybrid convolution needs one filter scale per output channel");

  setup_hybrid(&r, "op_depthwise_conv_2d_s8_dm2_stride2_same");
  assert_int_equal(run_prepare(&r), SPRY_OK);
  run_finish(&r);
  setup_hybrid(&r, "op_depthwise_conv_2d_s8_per_tensor_nobias");
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED, "hybrid filter needs one scale per output");
  setup_hybrid(&r, "op_depthwise_conv_2d_s8_dm2_stride2_same");
  mock_options_set(&r.options, 3, 1); /* TFLite's hybrid kernel uses this value */
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "depth_multiplier option 1 disagrees");
  setup_hybrid(&r, "op_depthwise_conv_2d_s8_dm2_stride2_same");
  r.tensors[1].kind = SPRY_TENSOR_ARENA;
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED, "hybrid filter must be constant");
}

/* Output bytes of a hybrid node on one kernel variant; `input` and `bias`
 * replace the case's data, `per_tensor` keeps only the first filter scale
 * (TFLite's symmetric kernel). */
static float *run_hybrid(const char *name, SpryIsa isa, const float *input, const float *bias,
                         bool per_tensor, size_t *count) {
  Run r;
  setup_hybrid(&r, name);
  r.ctx.isa = isa;
  r.tensors[0].data = (void *)input;
  r.tensors[0].bytes = spry_tensor_elements(&r.tensors[0]) * sizeof(float);
  if (r.inputs[2] >= 0) {
    r.tensors[2].data = (void *)bias;
    r.tensors[2].bytes = spry_tensor_elements(&r.tensors[2]) * sizeof(float);
  }
  if (per_tensor) r.tensors[1].quant.num_channels = 1;
  if (run_prepare(&r) != SPRY_OK) fail_msg("%s: prepare failed: %s", name, r.ctx.message);
  if (run_invoke(&r) != SPRY_OK) fail_msg("%s: invoke failed: %s", name, r.ctx.message);
  *count = spry_tensor_elements(&r.tensors[3]);
  float *out = malloc(*count * sizeof *out + 1);
  assert_non_null(out);
  memcpy(out, r.tensors[3].data, *count * sizeof *out);
  run_finish(&r);
  return out;
}

/* The hybrid CONV_2D fast path (fast/hybrid_conv.h) gives the reference's
 * bits on every variant: symmetric and asymmetric inputs, strides,
 * dilations, padding, and outputs past one column block. */
static void test_hybrid_fast_matches_reference(void **state) {
  (void)state;
  static const char *const names[] = {"op_conv_2d_s8_stride2_same", "op_conv_2d_s8_valid_dil2_relu",
                                      "op_conv_2d_s8_multiplier_gt1", "op_conv_2d_s8_acc_wrap"};
  float input[4096], bias[256];
  uint32_t seed = 12345;
  for (size_t i = 0; i < 4096; i++) {
    seed = seed * 1664525u + 1013904223u;
    input[i] = (float)(seed >> 8) / (float)(1u << 24) * 3.0f - 1.0f; /* [-1, 2): asymmetric */
  }
  for (size_t i = 0; i < 256; i++) bias[i] = (float)i * 0.01f - 1.0f;
  for (size_t n = 0; n < sizeof names / sizeof names[0]; n++) {
    const Case *c = find_case(names[n]);
    assert_true(spry_tensor_elements(&c->inputs[0].tensor) <= 4096);
    for (int per_tensor = 0; per_tensor <= 1; per_tensor++) {
      size_t want_count, got_count;
      float *want = run_hybrid(names[n], SPRY_ISA_REFERENCE, input, bias, per_tensor, &want_count);
      for (int isa = SPRY_ISA_REFERENCE + 1; isa < SPRY_ISA_COUNT; isa++) {
        if (!spry_isa_supported((SpryIsa)isa)) continue;
        float *got = run_hybrid(names[n], (SpryIsa)isa, input, bias, per_tensor, &got_count);
        assert_int_equal(got_count, want_count);
        if (memcmp(got, want, want_count * sizeof *got) != 0)
          fail_msg("%s (%s, isa %d) differs from the reference", names[n],
                   per_tensor ? "per tensor" : "per channel", isa);
        free(got);
      }
      free(want);
    }
  }
}

static void test_depthwise_shapes(void **state) {
  (void)state;
  Run r;
  run_setup(&r, find_case("op_depthwise_conv_2d_s8_dm2_stride2_same")); /* 3 in, 6 out */
  r.tensors[0].dims[3] = 4;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL,
                       "filter has 6 channels, not a multiple of the input's 4 channels");
  run_setup(&r, find_case("op_depthwise_conv_2d_s8_dm2_stride2_same"));
  r.tensors[1].dims[0] = 2;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "filter must have shape [1, H, W, C*M]");
  run_setup(&r, find_case("op_depthwise_conv_2d_s8_dm2_stride2_same"));
  r.tensors[1].quant.quantized_dimension = 0;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "expected 6 along dimension 3");
  run_setup(&r, find_case("op_depthwise_conv_2d_s16_dm2"));
  mock_options_set(&r.options, 3, 1); /* TFLite's int16 kernel uses this value */
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "depth_multiplier option 1 disagrees");
}

static void test_fully_connected_shapes(void **state) {
  (void)state;
  Run r;
  run_setup(&r, find_case("op_fully_connected_f32_keep_dims_nobias"));
  r.tensors[0].dims[2] = 4; /* weights depth 6; 2*3*4 = 24 = 4 rows of 6 */
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "keep_num_dims: input depth 4 does not match");
  run_setup(&r, find_case("op_fully_connected_f32_relu"));
  r.tensors[1].rank = 3;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "weights must have rank 2");
  run_setup(&r, find_case("op_fully_connected_s8_rank4"));
  r.tensors[2].dims[0] = 6;
  expect_prepare_error(&r, SPRY_ERROR_INVALID_MODEL, "bias has 6 elements for 7 units");
  run_setup(&r, find_case("op_fully_connected_s8_rank4"));
  mock_options_set(&r.options, 1, 1); /* SHUFFLED4x16INT8 */
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED, "weights format 1 is not supported");
  run_setup(&r, find_case("op_fully_connected_s8_rank4"));
  mock_options_set(&r.options, 0, 5); /* SIGN_BIT */
  expect_prepare_error(&r, SPRY_ERROR_UNSUPPORTED, "unsupported fused activation 5");

  /* Batches round down like TFLite's: 30 values of depth 15 -> 2 rows; 29 -> 1. */
  run_setup(&r, find_case("op_fully_connected_s8_rank4"));
  r.tensors[0].dims[0] = 1;
  r.tensors[0].dims[1] = 29;
  r.tensors[0].dims[3] = 1;
  assert_int_equal(run_prepare(&r), SPRY_OK);
  assert_int_equal(r.tensors[3].rank, 2);
  assert_int_equal(r.tensors[3].dims[0], 1);
  assert_int_equal(r.tensors[3].dims[1], 7);
  assert_int_equal(run_invoke(&r), SPRY_OK);
  run_finish(&r);
}

/* A zero-sized batch prepares to an empty output and invokes as a no-op. */
static void test_empty_batch(void **state) {
  (void)state;
  const char *names[] = {"op_conv_2d_f32_same", "op_depthwise_conv_2d_u8_same_relu6",
                         "op_fully_connected_s16"};
  for (int i = 0; i < 3; i++) {
    Run r;
    run_setup(&r, find_case(names[i]));
    r.tensors[0].dims[0] = 0;
    assert_int_equal(run_prepare(&r), SPRY_OK);
    assert_int_equal(r.tensors[3].dims[0], 0);
    assert_int_equal(r.tensors[3].bytes, 0);
    assert_int_equal(run_invoke(&r), SPRY_OK);
    run_finish(&r);
  }
}

/* ---- Reference helpers ---------------------------------------------------------------- */

static void test_wrap_helpers(void **state) {
  (void)state;
  assert_int_equal(spry_wrap_i32(UINT32_C(0x80000000)), INT32_MIN);
  assert_int_equal(spry_wrap_i32(UINT32_C(0xFFFFFFFF)), -1);
  assert_int_equal(spry_wrap_i32(UINT32_C(0x7FFFFFFF)), INT32_MAX);
  assert_int_equal(spry_add_wrap_i32(INT32_MAX, 1), INT32_MIN);
  assert_int_equal(spry_add_wrap_i32(INT32_MIN, -1), INT32_MAX);
  assert_true(spry_wrap_i64(UINT64_C(0x8000000000000000)) == INT64_MIN);
  assert_true(spry_wrap_i64(UINT64_MAX) == -1);
  assert_int_equal(spry_conv_tap_coord(INT32_MAX, INT32_MAX, 0, 2, INT32_MAX, 5), -1);
  assert_int_equal(spry_conv_tap_coord(1, 2, 3, 2, 2, 5), 3);
  assert_int_equal(spry_conv_tap_coord(0, 1, 1, 0, 1, 5), -1);
}

/* Requantization of FULLY_CONNECTED: round half away from zero in double,
 * results beyond int32 (undefined in TFLite) saturate. */
static void test_fully_connected_requantize(void **state) {
  (void)state;
  const double half = 0.5, huge = 1e12;
  SpryFullyConnectedParams p = {.scales = &half, .num_scales = 1, .output_offset = 3,
                                .act_min = -128, .act_max = 127};
  assert_int_equal(spry_fully_connected_requantize(&p, 5, 0), 3 + 3);   /* 2.5 -> 3 */
  assert_int_equal(spry_fully_connected_requantize(&p, -5, 0), -3 + 3); /* -2.5 -> -3 */
  assert_int_equal(spry_fully_connected_requantize(&p, 1000, 0), 127);
  p.scales = &huge;
  p.act_min = INT32_MIN;
  p.act_max = INT32_MAX;
  p.output_offset = 100;
  assert_int_equal(spry_fully_connected_requantize(&p, INT32_MAX, 0), INT32_MAX);
  assert_int_equal(spry_fully_connected_requantize(&p, INT32_MIN, 0), INT32_MIN + 100);
}

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s CASES.bin\n", argv[0]);
    return 2;
  }
  if (!load_cases(argv[1])) {
    fprintf(stderr, "cannot load %s\n", argv[1]);
    free_cases();
    return 1;
  }
  static const struct CMUnitTest fixed[] = {
      cmocka_unit_test(test_conv_channel_mismatch),
      cmocka_unit_test(test_conv_groups_must_divide_outputs),
      cmocka_unit_test(test_conv_bad_ranks_and_counts),
      cmocka_unit_test(test_conv_bad_options),
      cmocka_unit_test(test_conv_huge_window),
      cmocka_unit_test(test_quantization_checks),
      cmocka_unit_test(test_unsupported_types),
      cmocka_unit_test(test_hybrid),
      cmocka_unit_test(test_hybrid_fast_matches_reference),
      cmocka_unit_test(test_depthwise_shapes),
      cmocka_unit_test(test_fully_connected_shapes),
      cmocka_unit_test(test_empty_batch),
      cmocka_unit_test(test_wrap_helpers),
      cmocka_unit_test(test_fully_connected_requantize),
  };
  const size_t num_fixed = sizeof fixed / sizeof fixed[0];
  const size_t count = (size_t)g_num_cases + num_fixed;
  struct CMUnitTest *tests = calloc(count, sizeof *tests);
  if (!tests) return 1;
  for (int32_t i = 0; i < g_num_cases; i++) {
    tests[i].name = g_cases[i].name;
    tests[i].test_func = test_golden;
    tests[i].initial_state = &g_cases[i];
  }
  memcpy(tests + g_num_cases, fixed, sizeof fixed);
  const int failures = _cmocka_run_group_tests("conv_ops", tests, count, NULL, NULL);
  free(tests);
  free_cases();
  return failures;
}
