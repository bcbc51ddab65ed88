/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conv_3d.c — the CONV_3D and CONV_3D_TRANSPOSE ops: option parsing,
 * validation, output shape and padding, dispatch to the reference loops
 * (reference/conv_3d.h).
 *
 * CONV_3D inputs: input NDHWC, filter [fd, fh, fw, in_c, out_c], optional
 * bias [out_c]. CONV_3D_TRANSPOSE inputs: output_shape (int32 [5]; when not
 * constant it must equal the declared output shape at run time), filter
 * [fd, fh, fw, out_c, in_c], input NDHWC, optional bias [out_c]. Both read
 * Conv3DOptions: padding, strides, dilations, fused activation.
 *
 * Versions (TFLite register_ref.cc: 1 each): float32 only, as TFLite's
 * CONV_3D (its Prepare requires float32 input and filter). Results are
 * within 1e-5 * (1 + max |ref|) of TFLite's.
 */
#include <stdlib.h>
#include <string.h>

#include "kernel_util.h"
#include "reference/conv_3d.h"
#include "spry/op.h"

/* Conv3DOptions field ids (schema.fbs). */
enum {
  OPT_PADDING = 0,
  OPT_STRIDE_D = 1,
  OPT_STRIDE_W = 2,
  OPT_STRIDE_H = 3,
  OPT_ACTIVATION = 4,
  OPT_DILATION_D = 5,
  OPT_DILATION_W = 6,
  OPT_DILATION_H = 7,
};

typedef struct Conv3dOpData {
  int padding, activation;
  bool transpose;
  bool shape_at_run_time; /* CONV_3D_TRANSPOSE with a computed output_shape */
  int32_t planned_shape[5];
  SpryConv3dParams params;
  SpryConv3dShape shape;
} Conv3dOpData;

static SpryStatus conv3d_init(SpryContext *ctx, const SpryNode *node, void **user_data) {
  Conv3dOpData *d = calloc(1, sizeof *d);
  if (!d) return spry_context_error(ctx, SPRY_ERROR_OUT_OF_MEMORY, "out of memory");
  const SpryOptionsTable *o = node->options;
  d->padding = spry_option_i8(o, OPT_PADDING, SPRY_PADDING_SAME);
  d->activation = spry_option_i8(o, OPT_ACTIVATION, 0);
  d->params.stride[0] = spry_option_i32(o, OPT_STRIDE_D, 0);
  d->params.stride[1] = spry_option_i32(o, OPT_STRIDE_H, 0);
  d->params.stride[2] = spry_option_i32(o, OPT_STRIDE_W, 0);
  d->params.dilation[0] = spry_option_i32(o, OPT_DILATION_D, 1);
  d->params.dilation[1] = spry_option_i32(o, OPT_DILATION_H, 1);
  d->params.dilation[2] = spry_option_i32(o, OPT_DILATION_W, 1);
  d->transpose = node->builtin_code == 141;
  *user_data = d;
  return SPRY_OK;
}

static void conv3d_free(SpryContext *ctx, void *user_data) {
  (void)ctx;
  free(user_data);
}

/* The node's tensors: CONV_3D reads (input, filter, bias), CONV_3D_TRANSPOSE
 * (output_shape, filter, input, bias). */
typedef struct Conv3dTensors {
  const SpryTensor *input, *filter, *bias;
  SpryTensor *output;
} Conv3dTensors;

static Conv3dTensors node_tensors(SpryContext *ctx, const SpryNode *node, bool transpose) {
  const int32_t bias = transpose ? 3 : 2;
  return (Conv3dTensors){
      .input = spry_node_input(ctx, node, transpose ? 2 : 0),
      .filter = spry_node_input(ctx, node, 1),
      .bias = node->num_inputs > bias ? spry_node_input(ctx, node, bias) : NULL,
      .output = spry_node_output(ctx, node, 0),
  };
}

/* Arity, types and ranks shared by both ops; fills the channel counts. */
static SpryStatus check_tensors(SpryContext *ctx, const SpryNode *node, Conv3dOpData *d,
                                const Conv3dTensors *t) {
  const int32_t extra = d->transpose ? 1 : 0;
  SPRY_TRY(spry_op_check_arity(ctx, node, 2 + extra, 3 + extra, 1));
  SPRY_ENSURE_MSG(ctx, t->input && t->filter && t->output, SPRY_ERROR_INVALID_MODEL,
                  "input, filter and output are required");
  SPRY_ENSURE_MSG(ctx,
                  t->input->type == SPRY_TYPE_FLOAT32 && t->filter->type == SPRY_TYPE_FLOAT32 &&
                      t->output->type == SPRY_TYPE_FLOAT32,
                  SPRY_ERROR_UNSUPPORTED,
                  "only float32 is supported (input %s, filter %s, output %s)",
                  spry_type_name(t->input->type), spry_type_name(t->filter->type),
                  spry_type_name(t->output->type));
  SPRY_ENSURE_MSG(ctx, t->input->rank == 5 && t->filter->rank == 5, SPRY_ERROR_INVALID_MODEL,
                  "input and filter must be 5-D (are %d-D and %d-D)", (int)t->input->rank,
                  (int)t->filter->rank);
  /* The filter's last two axes are (in_c, out_c), swapped when transposed. */
  const int32_t in_axis = d->transpose ? 4 : 3, out_axis = d->transpose ? 3 : 4;
  SpryConv3dShape *s = &d->shape;
  s->batches = t->input->dims[0];
  s->in_c = t->input->dims[4];
  s->out_c = t->filter->dims[out_axis];
  for (int a = 0; a < 3; a++) s->filter[a] = t->filter->dims[a];
  SPRY_ENSURE_MSG(ctx, t->filter->dims[in_axis] == s->in_c, SPRY_ERROR_INVALID_MODEL,
                  "filter input channels %d do not match the input's %d",
                  (int)t->filter->dims[in_axis], (int)s->in_c);
  if (t->bias)
    SPRY_ENSURE_MSG(ctx,
                    t->bias->type == SPRY_TYPE_FLOAT32 &&
                        spry_tensor_elements(t->bias) == (size_t)s->out_c,
                    SPRY_ERROR_INVALID_MODEL, "bias must be float32 with %d elements",
                    (int)s->out_c);
  return SPRY_OK;
}

static SpryStatus check_options(SpryContext *ctx, const Conv3dOpData *d) {
  SPRY_ENSURE_MSG(ctx, d->padding == SPRY_PADDING_SAME || d->padding == SPRY_PADDING_VALID,
                  SPRY_ERROR_INVALID_MODEL, "unknown padding %d", d->padding);
  for (int a = 0; a < 3; a++)
    SPRY_ENSURE_MSG(ctx, d->params.stride[a] > 0 && d->params.dilation[a] > 0,
                    SPRY_ERROR_INVALID_MODEL,
                    "strides (%d, %d, %d) and dilations (%d, %d, %d) must be positive",
                    (int)d->params.stride[0], (int)d->params.stride[1], (int)d->params.stride[2],
                    (int)d->params.dilation[0], (int)d->params.dilation[1],
                    (int)d->params.dilation[2]);
  return SPRY_OK;
}

/* Padding of each axis from the larger ("image") and smaller ("windows")
 * sides: CONV_3D slides over its input, CONV_3D_TRANSPOSE over its output.
 * The number of windows must be what TFLite's ComputeOutSize gives. */
static SpryStatus compute_padding(SpryContext *ctx, Conv3dOpData *d, const int32_t image[3],
                                  const int32_t windows[3]) {
  static const char *const kAxis[3] = {"depth", "height", "width"};
  SpryConv3dParams *p = &d->params;
  for (int a = 0; a < 3; a++) {
    const int32_t n = spry_conv_output_size(d->padding, image[a], d->shape.filter[a], p->stride[a],
                                            p->dilation[a]);
    SPRY_ENSURE_MSG(ctx, n > 0 && n == windows[a], SPRY_ERROR_INVALID_MODEL,
                    "%s %s %d with filter %d, stride %d, dilation %d gives %d windows, "
                    "expected %d",
                    d->transpose ? "output" : "input", kAxis[a], (int)image[a],
                    (int)d->shape.filter[a], (int)p->stride[a], (int)p->dilation[a], (int)n,
                    (int)windows[a]);
    int32_t offset = 0;
    p->padding[a] = spry_conv_padding(p->stride[a], p->dilation[a], image[a], d->shape.filter[a],
                                      n, &offset);
  }
  return SPRY_OK;
}

static SpryStatus prepare_conv(SpryContext *ctx, Conv3dOpData *d, const Conv3dTensors *t) {
  SpryConv3dShape *s = &d->shape;
  for (int a = 0; a < 3; a++) {
    s->in[a] = t->input->dims[a + 1];
    s->out[a] = spry_conv_output_size(d->padding, s->in[a], s->filter[a], d->params.stride[a],
                                      d->params.dilation[a]);
  }
  for (int a = 0; a < 3; a++)
    SPRY_ENSURE_MSG(ctx, s->out[a] > 0, SPRY_ERROR_INVALID_MODEL,
                    "the filter window (%d, %d, %d) with dilations (%d, %d, %d) does not fit "
                    "the input (%d, %d, %d)",
                    (int)s->filter[0], (int)s->filter[1], (int)s->filter[2],
                    (int)d->params.dilation[0], (int)d->params.dilation[1],
                    (int)d->params.dilation[2], (int)s->in[0], (int)s->in[1], (int)s->in[2]);
  SPRY_TRY(compute_padding(ctx, d, s->in, s->out));
  const int32_t dims[5] = {s->batches, s->out[0], s->out[1], s->out[2], s->out_c};
  return spry_context_resize_tensor(ctx, t->output, 5, dims);
}

/* CONV_3D_TRANSPOSE's output shape: the constant output_shape, else the
 * declared output shape, which invoke then holds the run-time values to. */
static SpryStatus prepare_transpose(SpryContext *ctx, const SpryNode *node, Conv3dOpData *d,
                                    const Conv3dTensors *t) {
  const SpryTensor *shape = spry_node_input(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, shape && shape->type == SPRY_TYPE_INT32 && shape->rank == 1 &&
                           shape->dims[0] == 5,
                  SPRY_ERROR_INVALID_MODEL, "output_shape must be an int32 vector of 5 elements");
  d->shape_at_run_time = shape->kind != SPRY_TENSOR_CONSTANT;
  const int32_t *v = t->output->dims;
  if (d->shape_at_run_time) {
    SPRY_ENSURE_MSG(ctx, t->output->rank == 5, SPRY_ERROR_UNSUPPORTED,
                    "output_shape is computed at run time and the output has no declared 5-D "
                    "shape (rank %d)",
                    (int)t->output->rank);
  } else {
    SPRY_ENSURE_MSG(ctx, shape->data && shape->bytes >= sizeof d->planned_shape,
                    SPRY_ERROR_INVALID_MODEL, "output_shape has no data");
    v = shape->data;
  }
  memcpy(d->planned_shape, v, sizeof d->planned_shape);
  SpryConv3dShape *s = &d->shape;
  SPRY_ENSURE_MSG(ctx, v[0] == s->batches && v[4] == s->out_c, SPRY_ERROR_INVALID_MODEL,
                  "output_shape [%d, %d, %d, %d, %d] does not match batches %d, channels %d",
                  (int)v[0], (int)v[1], (int)v[2], (int)v[3], (int)v[4], (int)s->batches,
                  (int)s->out_c);
  for (int a = 0; a < 3; a++) {
    s->in[a] = t->input->dims[a + 1];
    s->out[a] = v[a + 1];
  }
  SPRY_TRY(compute_padding(ctx, d, s->out, s->in));
  return spry_context_resize_tensor(ctx, t->output, 5, d->planned_shape);
}

static SpryStatus conv3d_prepare(SpryContext *ctx, SpryNode *node) {
  Conv3dOpData *d = node->user_data;
  const Conv3dTensors t = node_tensors(ctx, node, d->transpose);
  SPRY_TRY(check_tensors(ctx, node, d, &t));
  SPRY_TRY(check_options(ctx, d));
  int32_t q_min = 0, q_max = 0;
  SPRY_TRY(spry_op_activation_range(ctx, d->activation, t.output, &d->params.act_min,
                                    &d->params.act_max, &q_min, &q_max));
  return d->transpose ? prepare_transpose(ctx, node, d, &t) : prepare_conv(ctx, d, &t);
}

static SpryStatus check_run_time_shape(SpryContext *ctx, const SpryNode *node,
                                       const Conv3dOpData *d) {
  const SpryTensor *shape = spry_node_input(ctx, node, 0);
  SPRY_ENSURE_MSG(ctx, shape && shape->data && shape->bytes >= sizeof d->planned_shape,
                  SPRY_ERROR_RUNTIME, "output_shape has no data");
  int32_t v[5];
  memcpy(v, shape->data, sizeof v);
  SPRY_ENSURE_MSG(ctx, memcmp(v, d->planned_shape, sizeof v) == 0, SPRY_ERROR_UNSUPPORTED,
                  "output_shape [%d, %d, %d, %d, %d] differs from the declared output shape "
                  "(dynamic output shapes are not supported)",
                  (int)v[0], (int)v[1], (int)v[2], (int)v[3], (int)v[4]);
  return SPRY_OK;
}

static SpryStatus conv3d_invoke(SpryContext *ctx, SpryNode *node) {
  const Conv3dOpData *d = node->user_data;
  if (d->transpose && d->shape_at_run_time) SPRY_TRY(check_run_time_shape(ctx, node, d));
  const Conv3dTensors t = node_tensors(ctx, node, d->transpose);
  SPRY_ENSURE_MSG(ctx, t.input->data && t.filter->data && t.output->data &&
                           (!t.bias || t.bias->data),
                  SPRY_ERROR_RUNTIME, "tensor without data");
  const float *bias = t.bias ? t.bias->data : NULL;
  if (d->transpose)
    spry_ref_conv3d_transpose_f32(&d->params, &d->shape, t.input->data, t.filter->data, bias,
                                  t.output->data);
  else
    spry_ref_conv3d_f32(&d->params, &d->shape, t.input->data, t.filter->data, bias,
                        t.output->data);
  return SPRY_OK;
}

const SpryOpRegistration spry_op_conv_3d = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 132,
    .min_version = 1,
    .max_version = 1,
    .builtin_options_type = 106, /* Conv3DOptions */
    .init = conv3d_init,
    .free = conv3d_free,
    .prepare = conv3d_prepare,
    .invoke = conv3d_invoke,
};

const SpryOpRegistration spry_op_conv_3d_transpose = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = 141,
    .min_version = 1,
    .max_version = 1,
    .builtin_options_type = 106, /* Conv3DOptions */
    .init = conv3d_init,
    .free = conv3d_free,
    .prepare = conv3d_prepare,
    .invoke = conv3d_invoke,
};
