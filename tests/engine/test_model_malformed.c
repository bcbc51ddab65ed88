/* SPDX-License-Identifier: Apache-2.0 */
/* test_model_malformed.c — hand-built .tflite buffers, each broken in one way, give precise errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "spry/op.h"
#include "spry/spry.h"

/*
 * A tiny FlatBuffer writer, front to back: a parent table is written before
 * its children and its offset fields are patched once a child exists (FlatBuffer
 * offsets only point forward). Every table field gets an 8-byte slot at
 * 4 + 8 * id, so any scalar or offset fits.
 */
typedef struct Builder {
  uint8_t buf[16384];
  size_t len;
} Builder;

static void pad(Builder *b, size_t align) {
  while (b->len % align) b->buf[b->len++] = 0;
}

static size_t put(Builder *b, const void *data, size_t n) {
  assert_true(b->len + n <= sizeof b->buf);
  memcpy(b->buf + b->len, data, n);
  b->len += n;
  return b->len - n;
}

static void set32(Builder *b, size_t at, uint32_t v) { memcpy(b->buf + at, &v, 4); }
static void set64(Builder *b, size_t at, uint64_t v) { memcpy(b->buf + at, &v, 8); }

static size_t slot(size_t table, int field) { return table + 4 + 8 * (size_t)field; }

/* Writes a vtable and a zeroed table with the fields whose bit is set. */
static size_t table(Builder *b, int num_fields, uint32_t present) {
  pad(b, 4);
  size_t vtable = b->len;
  uint16_t header[2] = {(uint16_t)(4 + 2 * num_fields), (uint16_t)(4 + 8 * num_fields)};
  put(b, header, sizeof header);
  for (int i = 0; i < num_fields; i++) {
    uint16_t offset = (present >> i) & 1 ? (uint16_t)(4 + 8 * i) : 0;
    put(b, &offset, 2);
  }
  pad(b, 4);
  size_t pos = b->len;
  int32_t soffset = (int32_t)(pos - vtable);
  put(b, &soffset, 4);
  static const uint8_t zeros[8 * 16];
  put(b, zeros, 8 * (size_t)num_fields);
  return pos;
}

/* Points the offset field at `target` (which must come later). */
static void link(Builder *b, size_t table_pos, int field, size_t target) {
  size_t at = slot(table_pos, field);
  assert_true(target > at);
  set32(b, at, (uint32_t)(target - at));
}

static size_t vector(Builder *b, const void *data, uint32_t count, size_t elem_size) {
  /* The elements of [ubyte] buffers are 16-aligned, as TFLite writes them. */
  while ((b->len + 4) % 16) b->buf[b->len++] = 0;
  size_t pos = put(b, &count, 4);
  if (count) put(b, data, count * elem_size);
  return pos;
}

static size_t string(Builder *b, const char *text) {
  pad(b, 4);
  uint32_t n = (uint32_t)strlen(text);
  size_t pos = put(b, &n, 4);
  put(b, text, n + 1);
  return pos;
}

/* A vector of table offsets to be filled with set_element(). */
static size_t table_vector(Builder *b, uint32_t count) {
  pad(b, 4);
  size_t pos = put(b, &count, 4);
  for (uint32_t i = 0; i < count; i++) put(b, &(uint32_t){0}, 4);
  return pos;
}

static void set_element(Builder *b, size_t vec, uint32_t i, size_t target) {
  size_t at = vec + 4 + 4 * (size_t)i;
  set32(b, at, (uint32_t)(target - at));
}

/* The knobs each test turns; defaults build a valid model. */
typedef struct Spec {
  uint32_t version;
  int32_t rank;             /* of tensor 0 */
  int32_t dim0;             /* first dimension of tensor 0 */
  int32_t input0;           /* the operator's first input */
  int32_t output0;
  uint32_t opcode_index;
  int32_t opcode_version;
  int8_t builtin_code;
  uint32_t num_scales;      /* of the int8 weights [2,3] */
  uint32_t num_zero_points;
  int32_t quantized_dimension;
  uint32_t weight_bytes;
  int8_t weight_type;       /* TensorType of the weights */
  int32_t weight_rows;      /* first dimension of the weights [rows, 3] */
  uint32_t tensor_buffer;   /* buffer of the weights */
  bool external;            /* weights after the FlatBuffer (Buffer.offset/size) */
  uint64_t external_offset; /* 0: where they are appended */
} Spec;

static Spec valid_spec(void) {
  return (Spec){.version = 3, .rank = 2, .dim0 = 1, .input0 = 0, .output0 = 2,
                .opcode_index = 0, .opcode_version = 1, .builtin_code = 0,
                .num_scales = 2, .num_zero_points = 2, .quantized_dimension = 0,
                .weight_bytes = 6, .weight_type = 9, .weight_rows = 2, .tensor_buffer = 1};
}

/* Positions of interesting bytes, for corrupting them afterwards. */
typedef struct Layout {
  size_t model_table;
  size_t tensor0_name;
  size_t subgraph;
  size_t op;
} Layout;

static size_t write_tensor(Builder *b, const int32_t *shape, int32_t rank, int8_t type,
                           uint32_t buffer, const char *name, const Spec *quant,
                           size_t *name_pos) {
  size_t t = table(b, 5, quant ? 0x1f : 0x0f);
  set32(b, slot(t, 1), (uint32_t)(uint8_t)type);
  set32(b, slot(t, 2), buffer);
  link(b, t, 0, vector(b, shape, (uint32_t)rank, 4));
  size_t name_at = string(b, name);
  link(b, t, 3, name_at);
  if (name_pos) *name_pos = name_at;
  if (quant) {
    float scales[16];
    int64_t zero_points[16] = {0};
    for (int i = 0; i < 16; i++) scales[i] = 0.5f + (float)i;
    size_t q = table(b, 7, (1u << 2) | (1u << 3) | (1u << 6));
    set32(b, slot(q, 6), (uint32_t)quant->quantized_dimension);
    link(b, t, 4, q);
    link(b, q, 2, vector(b, scales, quant->num_scales, 4));
    link(b, q, 3, vector(b, zero_points, quant->num_zero_points, 8));
  }
  return t;
}

static void write_subgraph(Builder *b, const Spec *spec, size_t sg, Layout *layout) {
  int32_t shape0[9] = {spec->dim0, 2, 1, 1, 1, 1, 1, 1, 1};
  const int32_t shape_w[] = {spec->weight_rows, 3};
  static const int32_t shape_out[] = {1, 2};
  size_t tensors = table_vector(b, 3);
  link(b, sg, 0, tensors);
  set_element(b, tensors, 0,
              write_tensor(b, shape0, spec->rank, 0, 0, "in", NULL, &layout->tensor0_name));
  set_element(b, tensors, 1,
              write_tensor(b, shape_w, 2, spec->weight_type, spec->tensor_buffer, "w", spec, NULL));
  set_element(b, tensors, 2, write_tensor(b, shape_out, 2, 0, 0, "out", NULL, NULL));
  link(b, sg, 1, vector(b, &(int32_t){0}, 1, 4));
  link(b, sg, 2, vector(b, &(int32_t){2}, 1, 4));
  size_t ops = table_vector(b, 1);
  link(b, sg, 3, ops);
  link(b, sg, 4, string(b, "main"));
  size_t op = table(b, 5, 0x1f);
  set_element(b, ops, 0, op);
  layout->op = op;
  set32(b, slot(op, 0), spec->opcode_index);
  set32(b, slot(op, 3), 11); /* AddOptions */
  int32_t inputs[2] = {spec->input0, 1};
  link(b, op, 1, vector(b, inputs, 2, 4));
  link(b, op, 2, vector(b, &spec->output0, 1, 4));
  size_t options = table(b, 1, 1);
  set32(b, slot(options, 0), 1); /* fused_activation_function RELU */
  link(b, op, 4, options);
}

static size_t build(Builder *b, const Spec *spec, Layout *layout) {
  memset(b, 0, sizeof *b);
  put(b, &(uint32_t){0}, 4);
  put(b, "TFL3", 4);
  size_t model = table(b, 5, 0x1f);
  layout->model_table = model;
  set32(b, 0, (uint32_t)model);
  set32(b, slot(model, 0), spec->version);
  size_t codes = table_vector(b, 1);
  link(b, model, 1, codes);
  size_t code = table(b, 4, 0x0d);
  set_element(b, codes, 0, code);
  set32(b, slot(code, 0), (uint32_t)(uint8_t)spec->builtin_code);
  set32(b, slot(code, 2), (uint32_t)spec->opcode_version);
  set32(b, slot(code, 3), (uint32_t)(int32_t)spec->builtin_code);
  size_t subgraphs = table_vector(b, 1);
  link(b, model, 2, subgraphs);
  size_t sg = table(b, 5, 0x1f);
  set_element(b, subgraphs, 0, sg);
  layout->subgraph = sg;
  write_subgraph(b, spec, sg, layout);
  link(b, model, 3, string(b, "hand made"));
  size_t buffers = table_vector(b, 2);
  link(b, model, 4, buffers);
  set_element(b, buffers, 0, table(b, 3, 0));
  size_t weights = table(b, 3, spec->external ? 6 : 1);
  set_element(b, buffers, 1, weights);
  static const int8_t data[16] = {1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12, 13, -14, 15, -16};
  if (spec->external) {
    pad(b, 16);
    uint64_t offset = spec->external_offset ? spec->external_offset : b->len;
    set64(b, slot(weights, 1), offset);
    set64(b, slot(weights, 2), spec->weight_bytes);
    put(b, data, spec->weight_bytes);
  } else {
    link(b, weights, 0, vector(b, data, spec->weight_bytes, 1));
  }
  return b->len;
}

/* Opens the buffer expecting `code` and a message containing `text`. */
static void expect_error(const Builder *b, SpryStatus code, const char *text) {
  SpryModel *model = NULL;
  SpryStatus status = spry_model_open_buffer(b->buf, b->len, &model);
  if (status != code || strstr(spry_last_error(), text) == NULL) {
    fail_msg("expected %s with \"%s\", got %s: \"%s\"", spry_status_name(code), text,
             spry_status_name(status), spry_last_error());
  }
  assert_null(model);
}

static void expect_spec_error(const Spec *spec, SpryStatus code, const char *text) {
  Builder b;
  Layout layout;
  build(&b, spec, &layout);
  expect_error(&b, code, text);
}

static void test_valid_hand_made(void **state) {
  (void)state;
  Builder b;
  Layout layout;
  Spec spec = valid_spec();
  build(&b, &spec, &layout);
  SpryModel *model = NULL;
  if (spry_model_open_buffer(b.buf, b.len, &model) != SPRY_OK) fail_msg("%s", spry_last_error());
  assert_string_equal(model->description, "hand made");
  const SprySubgraphDesc *sg = &model->subgraphs[0];
  assert_string_equal(sg->name, "main");
  assert_int_equal(sg->num_tensors, 3);
  const SpryTensorDesc *w = &sg->tensors[1];
  assert_int_equal(w->type, SPRY_TYPE_INT8);
  assert_int_equal(w->data_size, 6);
  assert_int_equal(((const int8_t *)w->data)[1], -2);
  assert_int_equal(w->quant.num_channels, 2);
  assert_true(w->quant.scales[1] == 1.5f);
  assert_int_equal(w->quant.zero_points[1], 0);
  const SpryOperatorDesc *op = &sg->operators[0];
  assert_int_equal(op->options_type, 11);
  assert_int_equal(spry_option_i8(&op->options, 0, 0), 1);
  SpryOpInfo info;
  assert_int_equal(spry_model_operator(model, 0, 0, &info), SPRY_OK);
  assert_string_equal(info.name, "ADD");
  spry_model_free(model);
}

static void test_absent_optional_input(void **state) {
  (void)state;
  Builder b;
  Layout layout;
  Spec spec = valid_spec();
  spec.input0 = -1; /* an omitted optional input */
  build(&b, &spec, &layout);
  SpryModel *model = NULL;
  assert_int_equal(spry_model_open_buffer(b.buf, b.len, &model), SPRY_OK);
  assert_int_equal(model->subgraphs[0].operators[0].inputs[0], -1);
  spry_model_free(model);
  spec.input0 = 0;
  spec.output0 = -1; /* but outputs must exist */
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL,
                    "model: operator 0 of subgraph 0: output index -1 out of range (3 tensors)");
}

static void test_bad_identifier(void **state) {
  (void)state;
  Builder b;
  Layout layout;
  Spec spec = valid_spec();
  build(&b, &spec, &layout);
  memcpy(b.buf + 4, "TFL2", 4);
  expect_error(&b, SPRY_ERROR_INVALID_MODEL, "bad file identifier \"TFL2\" (expected \"TFL3\")");
  b.len = 6;
  expect_error(&b, SPRY_ERROR_INVALID_MODEL, "truncated");
}

static void test_root_offset_past_end(void **state) {
  (void)state;
  Builder b;
  Layout layout;
  Spec spec = valid_spec();
  build(&b, &spec, &layout);
  set32(&b, 0, (uint32_t)b.len + 100);
  expect_error(&b, SPRY_ERROR_INVALID_MODEL, "model: root table: truncated: offset at 0x0 points to");
  set32(&b, 0, 6); /* in bounds but misaligned */
  expect_error(&b, SPRY_ERROR_INVALID_MODEL, "misaligned table at 0x6");
}

static void test_vtable_out_of_range(void **state) {
  (void)state;
  Builder b;
  Layout layout;
  Spec spec = valid_spec();
  build(&b, &spec, &layout);
  size_t vtable = layout.model_table - 16; /* 5 fields: 14 bytes, padded */
  /* A vtable that claims more bytes than the file holds. */
  uint16_t huge = 0xfff0;
  memcpy(b.buf + vtable, &huge, 2);
  char text[128];
  snprintf(text, sizeof text, "model: truncated: vtable at 0x%zx extends past end of file (size %zu)",
           vtable, b.len);
  expect_error(&b, SPRY_ERROR_INVALID_MODEL, text);
  /* A soffset sending the vtable beyond the end. */
  build(&b, &spec, &layout);
  set32(&b, layout.model_table, (uint32_t)-100000);
  expect_error(&b, SPRY_ERROR_INVALID_MODEL, "vtable of table at");
  /* A field slot that sticks out of its table. */
  build(&b, &spec, &layout);
  uint16_t field_offset = 200;
  memcpy(b.buf + vtable + 4, &field_offset, 2);
  expect_error(&b, SPRY_ERROR_INVALID_MODEL, "lies outside the table");
}

static void test_tensor_index_out_of_range(void **state) {
  (void)state;
  Spec spec = valid_spec();
  spec.input0 = 250;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL,
                    "model: operator 0 of subgraph 0: input index 250 out of range (3 tensors)");
  spec.input0 = -2;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL, "input index -2 out of range");
}

static void test_rank_and_shape(void **state) {
  (void)state;
  Spec spec = valid_spec();
  spec.rank = 9;
  expect_spec_error(&spec, SPRY_ERROR_UNSUPPORTED,
                    "model: subgraph 0, tensor 0: shape has rank 9 (max 8)");
  spec.rank = 8;
  Builder b;
  Layout layout;
  build(&b, &spec, &layout);
  SpryModel *model = NULL;
  assert_int_equal(spry_model_open_buffer(b.buf, b.len, &model), SPRY_OK);
  assert_int_equal(model->subgraphs[0].tensors[0].rank, 8);
  spry_model_free(model);
  spec.rank = 0; /* a scalar */
  build(&b, &spec, &layout);
  assert_int_equal(spry_model_open_buffer(b.buf, b.len, &model), SPRY_OK);
  assert_int_equal(model->subgraphs[0].tensors[0].rank, 0);
  spry_model_free(model);
  spec.rank = 2;
  spec.dim0 = -1;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL,
                    "subgraph 0, tensor 0: shape dimension 0 is -1 (must be >= 0)");
}

static void test_quantization_mismatch(void **state) {
  (void)state;
  Spec spec = valid_spec();
  spec.num_scales = spec.num_zero_points = 3;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL,
                    "model: subgraph 0, tensor 1: quantization: per-channel quantization has "
                    "3 scales but dimension 0 has size 2");
  spec.num_zero_points = 2;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL, "3 scales but 2 zero points");
  spec.num_scales = 3;
  spec.num_zero_points = 0; /* absent zero points read as 0 */
  spec.quantized_dimension = 1;
  Builder b;
  Layout layout;
  build(&b, &spec, &layout);
  SpryModel *model = NULL;
  assert_int_equal(spry_model_open_buffer(b.buf, b.len, &model), SPRY_OK);
  const SpryQuantization *q = &model->subgraphs[0].tensors[1].quant;
  assert_int_equal(q->num_channels, 3);
  assert_int_equal(q->quantized_dimension, 1);
  assert_int_equal(q->zero_points[2], 0);
  spry_model_free(model);
  spec.quantized_dimension = 2;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL, "quantized_dimension 2 out of range (rank 2)");
}

static void test_string_without_nul(void **state) {
  (void)state;
  Builder b;
  Layout layout;
  Spec spec = valid_spec();
  build(&b, &spec, &layout);
  b.buf[layout.tensor0_name + 4 + 2] = 'x'; /* "in" then its terminator */
  char text[128];
  snprintf(text, sizeof text,
           "model: subgraph 0, tensor 0: name: string at 0x%zx (length 2) is not NUL-terminated",
           layout.tensor0_name);
  expect_error(&b, SPRY_ERROR_INVALID_MODEL, text);
}

static void test_opcode_errors(void **state) {
  (void)state;
  Spec spec = valid_spec();
  spec.opcode_index = 5;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL,
                    "model: operator 0 of subgraph 0: opcode index 5 out of range "
                    "(1 operator codes)");
  spec = valid_spec();
  spec.opcode_version = 0;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL, "operator code 0: version 0 (must be >= 1)");
  spec = valid_spec();
  spec.builtin_code = 32; /* CUSTOM, but no custom_code */
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL, "custom operator without a custom_code");
  spec = valid_spec();
  spec.builtin_code = -3;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL, "builtin code -3 is negative");
}

static void test_buffer_errors(void **state) {
  (void)state;
  Spec spec = valid_spec();
  spec.weight_bytes = 5;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL,
                    "model: subgraph 0, tensor 1: buffer 1 holds 5 bytes, expected 6 "
                    "(6 elements of int8)");
  spec = valid_spec();
  spec.tensor_buffer = 9;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL, "buffer index 9 out of range (2 buffers)");
  spec = valid_spec();
  spec.weight_bytes = 0; /* an empty buffer: no data */
  Builder b;
  Layout layout;
  build(&b, &spec, &layout);
  SpryModel *model = NULL;
  assert_int_equal(spry_model_open_buffer(b.buf, b.len, &model), SPRY_OK);
  assert_null(model->subgraphs[0].tensors[1].data);
  spry_model_free(model);
}

/* int4 weights are packed two values a byte: 3 x 3 values take exactly 5
 * bytes (the last holds one value); int4 activations are refused. */
static void test_int4_weights(void **state) {
  (void)state;
  Spec spec = valid_spec();
  spec.weight_type = 17; /* INT4 */
  spec.weight_rows = 3;
  spec.num_scales = spec.num_zero_points = 1;
  spec.weight_bytes = 5;
  Builder b;
  Layout layout;
  build(&b, &spec, &layout);
  SpryModel *model = NULL;
  assert_int_equal(spry_model_open_buffer(b.buf, b.len, &model), SPRY_OK);
  assert_int_equal(model->subgraphs[0].tensors[1].type, SPRY_TYPE_INT4);
  assert_int_equal(model->subgraphs[0].tensors[1].data_size, 5);
  spry_model_free(model);
  spec.weight_bytes = 4;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL,
                    "subgraph 0, tensor 1: int4 tensor 'w': buffer 1 holds 4 bytes, expected 5 "
                    "(9 values packed two a byte)");
  spec.weight_bytes = 6;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL,
                    "int4 tensor 'w': buffer 1 holds 6 bytes, expected 5");
  spec.weight_bytes = 5;
  spec.tensor_buffer = 0; /* no data: an activation */
  expect_spec_error(&spec, SPRY_ERROR_UNSUPPORTED,
                    "subgraph 0, tensor 1: int4 tensor 'w' has no constant data: int4 is "
                    "supported for constant weights only");
}

/* Buffer.offset/size: data placed after the FlatBuffer in the same file. */
static void test_external_buffer_data(void **state) {
  (void)state;
  Builder b;
  Layout layout;
  Spec spec = valid_spec();
  spec.external = true;
  build(&b, &spec, &layout);
  SpryModel *model = NULL;
  if (spry_model_open_buffer(b.buf, b.len, &model) != SPRY_OK) fail_msg("%s", spry_last_error());
  const SpryTensorDesc *w = &model->subgraphs[0].tensors[1];
  assert_ptr_equal(w->data, b.buf + b.len - 6);
  assert_int_equal(w->data_size, 6);
  assert_int_equal(((const int8_t *)w->data)[5], -6);
  spry_model_free(model);
  spec.external_offset = 4000;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL,
                    "model: buffer 1: truncated: external data at 0xfa0 (6 bytes) extends past "
                    "end of file");
  spec.external_offset = UINT64_MAX - 2;
  expect_spec_error(&spec, SPRY_ERROR_INVALID_MODEL, "extends past end of file");
}

/* A model whose `count` operators all share one operator table, whose
 * inputs list has `count` entries. */
static void build_shared(Builder *b, uint32_t count) {
  static const int32_t inputs[1000] = {0};
  Layout layout;
  Spec spec = valid_spec();
  assert_true(count <= 1000);
  build(b, &spec, &layout);
  /* Offsets only point forward: the shared operator comes after its users. */
  size_t ops = table_vector(b, count);
  size_t op = table(b, 3, 0x7);
  for (uint32_t i = 0; i < count; i++) set_element(b, ops, i, op);
  link(b, op, 1, vector(b, inputs, count, 4));
  link(b, op, 2, vector(b, &(int32_t){2}, 1, 4));
  link(b, layout.subgraph, 3, ops);
}

/* FlatBuffers let many parents share one child: 1000 operators sharing one
 * operator with 1000 inputs would make a 9 KB file expand into 4 MB of index
 * arrays (and quadratic work). The reader's budget stops it. */
static void test_shared_tables_bounded(void **state) {
  (void)state;
  Builder b;
  build_shared(&b, 1000);
  expect_error(&b, SPRY_ERROR_INVALID_MODEL, "tables reference far more data than the file holds");
  /* Sharing within the budget is fine. */
  build_shared(&b, 50);
  SpryModel *model = NULL;
  assert_int_equal(spry_model_open_buffer(b.buf, b.len, &model), SPRY_OK);
  assert_int_equal(spry_model_operator_count(model, 0), 50);
  assert_int_equal(model->subgraphs[0].operators[49].num_inputs, 50);
  spry_model_free(model);
}

static void test_schema_version(void **state) {
  (void)state;
  Spec spec = valid_spec();
  spec.version = 2;
  expect_spec_error(&spec, SPRY_ERROR_UNSUPPORTED, "schema version 2 is not supported");
}

/* Every single-byte corruption of the hand-made model stays clean. */
static void test_hand_made_flips(void **state) {
  (void)state;
  Builder b;
  Layout layout;
  Spec spec = valid_spec();
  build(&b, &spec, &layout);
  for (size_t i = 0; i < b.len; i++) {
    for (int bit = 0; bit < 8; bit++) {
      b.buf[i] ^= (uint8_t)(1u << bit);
      SpryModel *model = NULL;
      SpryStatus status = spry_model_open_buffer(b.buf, b.len, &model);
      if (status != SPRY_OK) {
        assert_null(model);
        assert_true(strlen(spry_last_error()) > 0);
      }
      spry_model_free(model);
      b.buf[i] ^= (uint8_t)(1u << bit);
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_valid_hand_made),
      cmocka_unit_test(test_absent_optional_input),
      cmocka_unit_test(test_bad_identifier),
      cmocka_unit_test(test_root_offset_past_end),
      cmocka_unit_test(test_vtable_out_of_range),
      cmocka_unit_test(test_tensor_index_out_of_range),
      cmocka_unit_test(test_rank_and_shape),
      cmocka_unit_test(test_quantization_mismatch),
      cmocka_unit_test(test_string_without_nul),
      cmocka_unit_test(test_opcode_errors),
      cmocka_unit_test(test_buffer_errors),
      cmocka_unit_test(test_int4_weights),
      cmocka_unit_test(test_external_buffer_data),
      cmocka_unit_test(test_shared_tables_bounded),
      cmocka_unit_test(test_schema_version),
      cmocka_unit_test(test_hand_made_flips),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
