/* SPDX-License-Identifier: Apache-2.0 */
/* custom_op.c — the custom op of docs/custom-ops.md (Twice), registered and run on a model that uses it. */
/*
 * Usage: custom_op [MODEL]
 *   MODEL defaults to tests/engine/models/twice_chain.tflite: two Twice ops
 *   in a row on a float32 [1, 4] input. The program shows that the model
 *   cannot run without the registration, then runs it with the registration
 *   on 1, 2, 3, 4 and prints the output (4, 8, 12, 16). Exit status 0 when
 *   the output is as expected, 1 otherwise.
 */
#include <stdio.h>
#include <string.h>

#include <spry/op.h>
#include <spry/spry.h>

/* ---- The op ------------------------------------------------------------------ */

static SpryStatus twice_prepare(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  SPRY_ENSURE(ctx, in && out && in->type == SPRY_TYPE_FLOAT32);
  return spry_context_resize_tensor(ctx, out, in->rank, in->dims);
}

static SpryStatus twice_invoke(SpryContext *ctx, SpryNode *node) {
  const SpryTensor *in = spry_node_input(ctx, node, 0);
  SpryTensor *out = spry_node_output(ctx, node, 0);
  const float *x = in->data;
  float *y = out->data;
  for (size_t i = 0; i < in->bytes / sizeof(float); i++) y[i] = 2.0f * x[i];
  return SPRY_OK;
}

static const SpryOpRegistration twice = {
    .abi_version = SPRY_OP_ABI_VERSION,
    .builtin_code = SPRY_BUILTIN_CUSTOM,
    .custom_name = "Twice",
    .min_version = 1,
    .max_version = 1,
    .prepare = twice_prepare,
    .invoke = twice_invoke,
};

/* ---- The application ------------------------------------------------------------ */

/* Without the registration the interpreter must refuse the model, naming the op. */
static int check_unsupported_without_registration(const SpryModel *model) {
  SpryInterpreter *interp = NULL;
  if (spry_interpreter_new(model, NULL, &interp) == SPRY_OK) {
    fprintf(stderr, "custom_op: the model ran without the Twice registration\n");
    spry_interpreter_free(interp);
    return 1;
  }
  printf("without the registration: %s\n", spry_last_error());
  return strcmp(spry_last_error(), "unsupported op Twice (custom)") == 0 ? 0 : 1;
}

/* Every builtin op plus Twice. The resolver is only needed while
 * interpreters are created. */
static SpryInterpreter *new_interpreter(const SpryModel *model) {
  SpryResolver *resolver = NULL;
  SpryInterpreter *interp = NULL;
  SpryOptions options;
  spry_options_init(&options);
  if (spry_resolver_new_builtin(&resolver) == SPRY_OK &&
      spry_resolver_add(resolver, &twice) == SPRY_OK) {
    options.resolver = resolver;
    if (spry_interpreter_new(model, &options, &interp) != SPRY_OK) interp = NULL;
  }
  if (!interp) fprintf(stderr, "custom_op: %s\n", spry_last_error());
  spry_resolver_free(resolver);
  return interp;
}

static int run(SpryInterpreter *interp) {
  static const float input[4] = {1.0f, 2.0f, 3.0f, 4.0f};
  SpryTensor *in = spry_interpreter_input(interp, 0);
  if (!in || spry_tensor_byte_size(in) != sizeof input) {
    fprintf(stderr, "custom_op: expected a float32 [1, 4] input\n");
    return 1;
  }
  memcpy(spry_tensor_data(in), input, sizeof input);
  if (spry_interpreter_invoke(interp) != SPRY_OK) {
    fprintf(stderr, "custom_op: %s\n", spry_last_error());
    return 1;
  }
  const float *y = spry_tensor_data_const(spry_interpreter_output(interp, 0));
  int status = 0;
  printf("output:");
  for (int i = 0; i < 4; i++) {
    printf(" %g", (double)y[i]);
    if (y[i] != 4.0f * input[i]) status = 1; /* two Twice ops: exact in float32 */
  }
  printf("\n");
  return status;
}

int main(int argc, char **argv) {
  const char *path = argc > 1 ? argv[1] : "tests/engine/models/twice_chain.tflite";
  SpryModel *model = NULL;
  if (spry_model_open_file(path, &model) != SPRY_OK) {
    fprintf(stderr, "custom_op: %s\n", spry_last_error());
    return 1;
  }
  int status = check_unsupported_without_registration(model);
  SpryInterpreter *interp = status == 0 ? new_interpreter(model) : NULL;
  status = interp ? run(interp) : 1;
  spry_interpreter_free(interp);
  spry_model_free(model);
  return status;
}
