/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_run.c — `spry run`: one inference from raw input files or a BMP image, outputs to files, optional top-k. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "image_bmp.h"

#include <spry/delegate.h>
#include <spry/spry.h>

enum { OPT_INPUT = 1, OPT_OUTPUT, OPT_THREADS, OPT_DELEGATE, OPT_IMAGE, OPT_LABELS, OPT_TOP_K, OPT_HELP };

static const SpryCliOption run_options[] = {
    {"input", 'i', true, OPT_INPUT},
    {"output", 'o', true, OPT_OUTPUT},
    {"threads", 0, true, OPT_THREADS},
    {"delegate", 0, true, OPT_DELEGATE},
    {"image", 0, true, OPT_IMAGE},
    {"labels", 0, true, OPT_LABELS},
    {"top-k", 0, true, OPT_TOP_K},
    {"help", 'h', false, OPT_HELP},
    {NULL, 0, false, 0},
};

#define MAX_INPUT_FILE_BYTES ((size_t)1 << 31)
#define MAX_IMAGE_FILE_BYTES ((size_t)256 << 20)
#define DEFAULT_TOP_K 5

typedef struct RunArgs {
  const char *path;
  const char **inputs; /* argc entries at most */
  int32_t num_inputs;
  const char *outdir; /* NULL: no -o given */
  int32_t threads;
  SpryDelegate *delegate;
  const char *image;
  const char *labels;
  int32_t top_k;
  bool top_k_given;
} RunArgs;

/* Returns SPRY_EXIT_OK, or the exit status to stop with (help: -1 → 0). */
static int parse_args(int argc, char **argv, RunArgs *a) {
  SpryCliParser p;
  spry_cli_parser_init(&p, "run", argc, argv);
  int id;
  const char *v;
  for (SpryCliNext k; (k = spry_cli_next(&p, run_options, &id, &v)) != SPRY_CLI_END;) {
    if (k == SPRY_CLI_BAD) return SPRY_EXIT_USAGE;
    if (k == SPRY_CLI_OPERAND) {
      if (a->path) return spry_cli_usage_error("run", "more than one MODEL given");
      a->path = v;
      continue;
    }
    switch (id) {
      case OPT_HELP: spry_cli_print_usage(stdout, "run"); return -1;
      case OPT_INPUT: a->inputs[a->num_inputs++] = v; break;
      case OPT_OUTPUT:
        if (v[0] == '\0') return spry_cli_usage_error("run", "-o needs a directory name");
        a->outdir = v;
        break;
      case OPT_THREADS:
        if (!spry_cli_option_int("run", "--threads", v, 1, 1024, &a->threads)) return SPRY_EXIT_USAGE;
        break;
      case OPT_DELEGATE:
        if (!spry_cli_find_delegate("run", v, &a->delegate)) return SPRY_EXIT_USAGE;
        break;
      case OPT_IMAGE: a->image = v; break;
      case OPT_LABELS: a->labels = v; break;
      case OPT_TOP_K:
        if (!spry_cli_option_int("run", "--top-k", v, 1, 1000000, &a->top_k)) return SPRY_EXIT_USAGE;
        a->top_k_given = true;
        break;
      default: break;
    }
  }
  if (!a->path) return spry_cli_usage_error("run", "missing MODEL");
  if (a->image && a->num_inputs > 0)
    return spry_cli_usage_error("run", "--image and -i exclude each other");
  return SPRY_EXIT_OK;
}

static void describe(const SpryTensor *t, char *buf, size_t size) {
  SpryTensorInfo info;
  char shape[128] = "?";
  if (spry_tensor_info(t, &info) == SPRY_OK) spry_cli_format_shape(&info, shape, sizeof shape);
  snprintf(buf, size, "%s %s", spry_type_name(spry_tensor_type(t)), shape);
}

static int load_input_file(SpryInterpreter *interp, int32_t i, const char *file) {
  SpryTensor *t = spry_interpreter_input(interp, i);
  uint8_t *data = NULL;
  size_t size = 0;
  char what[64];
  snprintf(what, sizeof what, "input %d file", (int)i);
  int rc = spry_cli_read_file(what, file, MAX_INPUT_FILE_BYTES, &data, &size);
  if (rc != SPRY_EXIT_OK) return rc;
  size_t need = spry_tensor_byte_size(t);
  if (size != need) {
    char d[160];
    describe(t, d, sizeof d);
    free(data);
    return spry_cli_fail("input %d (%s): file has %zu bytes, tensor %s needs %zu", (int)i,
                         spry_tensor_name(t) ? spry_tensor_name(t) : "", size, d, need);
  }
  void *dst = spry_tensor_data(t);
  if (need > 0 && dst) memcpy(dst, data, need);
  free(data);
  return SPRY_EXIT_OK;
}

/* Accepts [1,H,W,C] or [H,W,C] with C of 1 or 3. */
static bool image_geometry(const SpryTensor *t, int32_t *h, int32_t *w, int32_t *c) {
  int32_t rank = spry_tensor_rank(t);
  if (rank != 3 && !(rank == 4 && spry_tensor_dim(t, 0) == 1)) return false;
  int32_t first = rank - 3;
  *h = spry_tensor_dim(t, first);
  *w = spry_tensor_dim(t, first + 1);
  *c = spry_tensor_dim(t, first + 2);
  return *h > 0 && *w > 0 && *h <= SPRY_IMAGE_MAX_SIDE && *w <= SPRY_IMAGE_MAX_SIDE &&
         (*c == 1 || *c == 3);
}

/* The documented rule: uint8 → pixel, int8 → pixel - 128, float32 →
 * (pixel - 127.5) / 127.5. It matches the usual quantizations of image
 * models ([0,1] or [-1,1] ranges) without reading their parameters. */
static void store_pixels(const uint8_t *px, size_t n, SpryType type, void *dst) {
  for (size_t i = 0; i < n; i++) {
    if (type == SPRY_TYPE_UINT8) ((uint8_t *)dst)[i] = px[i];
    else if (type == SPRY_TYPE_INT8) ((int8_t *)dst)[i] = (int8_t)((int)px[i] - 128);
    else ((float *)dst)[i] = ((float)px[i] - 127.5f) / 127.5f;
  }
}

static int load_image(SpryInterpreter *interp, const char *file) {
  SpryTensor *t = spry_interpreter_input(interp, 0);
  int32_t h, w, c;
  SpryType type = t ? spry_tensor_type(t) : SPRY_TYPE_STRING;
  bool typed = type == SPRY_TYPE_UINT8 || type == SPRY_TYPE_INT8 || type == SPRY_TYPE_FLOAT32;
  if (!t || !typed || !image_geometry(t, &h, &w, &c)) {
    char d[160] = "none";
    if (t) describe(t, d, sizeof d);
    return spry_cli_fail("--image: input 0 is not an image tensor "
                         "(uint8, int8 or float32 [1,H,W,1|3]): it is %s", d);
  }
  size_t n = (size_t)h * (size_t)w * (size_t)c;
  if (n * spry_type_size(type) != spry_tensor_byte_size(t) || !spry_tensor_data(t))
    return spry_cli_fail("--image: input 0 has an unexpected byte size");
  uint8_t *data = NULL;
  size_t size = 0;
  int rc = spry_cli_read_file("image", file, MAX_IMAGE_FILE_BYTES, &data, &size);
  if (rc != SPRY_EXIT_OK) return rc;
  SpryImage image;
  char error[160];
  bool ok = spry_bmp_decode(data, size, &image, error, sizeof error);
  free(data);
  if (!ok) return spry_cli_fail("%s: %s", file, error);
  uint8_t *pixels = malloc(n);
  if (!pixels) {
    spry_image_free(&image);
    return spry_cli_fail("out of memory");
  }
  spry_image_resize(&image, w, h, c, pixels);
  store_pixels(pixels, n, type, spry_tensor_data(t));
  free(pixels);
  spry_image_free(&image);
  return SPRY_EXIT_OK;
}

static int fill_inputs(SpryInterpreter *interp, const RunArgs *a) {
  int32_t count = spry_interpreter_input_count(interp);
  if (a->num_inputs > count)
    return spry_cli_fail("%d input files given, but %s has %d input%s", (int)a->num_inputs,
                         a->path, (int)count, count == 1 ? "" : "s");
  for (int32_t i = 0; i < count; i++) {
    SpryTensor *t = spry_interpreter_input(interp, i);
    if (!t) return spry_cli_fail("input %d: %s", (int)i, spry_last_error());
    void *dst = spry_tensor_data(t);
    if (dst && spry_tensor_byte_size(t) > 0) memset(dst, 0, spry_tensor_byte_size(t));
    if (i < a->num_inputs) {
      int rc = load_input_file(interp, i, a->inputs[i]);
      if (rc != SPRY_EXIT_OK) return rc;
    }
  }
  return a->image ? load_image(interp, a->image) : SPRY_EXIT_OK;
}

static int write_outputs(const SpryInterpreter *interp, const char *outdir) {
  int rc = spry_cli_make_dirs(outdir);
  if (rc != SPRY_EXIT_OK) return rc;
  int32_t count = spry_interpreter_output_count(interp);
  for (int32_t i = 0; i < count; i++) {
    const SpryTensor *t = spry_interpreter_output(interp, i);
    if (!t) return spry_cli_fail("output %d: %s", (int)i, spry_last_error());
    size_t length = strlen(outdir) + 32;
    char *file = malloc(length);
    if (!file) return spry_cli_fail("out of memory");
    snprintf(file, length, "%s/output_%d.bin", outdir, (int)i);
    rc = spry_cli_write_file(file, spry_tensor_data_const(t), spry_tensor_byte_size(t));
    free(file);
    if (rc != SPRY_EXIT_OK) return rc;
  }
  return SPRY_EXIT_OK;
}

/* One line per output file: the shape of this run, which for a dynamic
 * output (WHERE's, say) is known only now. */
static void print_outputs(const SpryInterpreter *interp, const char *outdir) {
  int32_t count = spry_interpreter_output_count(interp);
  for (int32_t i = 0; i < count; i++) {
    const SpryTensor *t = spry_interpreter_output(interp, i);
    char d[160];
    describe(t, d, sizeof d);
    printf("output %d: %s, %zu bytes -> %s/output_%d.bin\n", (int)i, d, spry_tensor_byte_size(t),
           outdir, (int)i);
  }
}

/* ---- Top-k ----------------------------------------------------------------- */

/* Dequantized scores of a [1,N] or [N] output; NULL (and *n = 0) otherwise. */
static float *output_scores(const SpryTensor *t, size_t *n) {
  *n = 0;
  int32_t rank = spry_tensor_rank(t);
  if (!(rank == 1 || (rank == 2 && spry_tensor_dim(t, 0) == 1))) return NULL;
  size_t count = spry_tensor_element_count(t);
  SpryType type = spry_tensor_type(t);
  if (count == 0 || count * spry_type_size(type) != spry_tensor_byte_size(t)) return NULL;
  SpryTensorInfo info;
  if (spry_tensor_info(t, &info) != SPRY_OK) return NULL;
  const void *data = spry_tensor_data_const(t);
  float *scores = malloc(count * sizeof *scores);
  if (!scores || !data) {
    free(scores);
    return NULL;
  }
  float scale = info.scale > 0.0f ? info.scale : 1.0f;
  float zp = info.scale > 0.0f ? (float)info.zero_point : 0.0f;
  for (size_t i = 0; i < count; i++) {
    float q;
    switch (type) {
      case SPRY_TYPE_FLOAT32: scores[i] = ((const float *)data)[i]; continue;
      case SPRY_TYPE_UINT8: q = ((const uint8_t *)data)[i]; break;
      case SPRY_TYPE_INT8: q = ((const int8_t *)data)[i]; break;
      case SPRY_TYPE_INT16: q = ((const int16_t *)data)[i]; break;
      case SPRY_TYPE_INT32: q = (float)((const int32_t *)data)[i]; break;
      default: free(scores); return NULL;
    }
    scores[i] = (q - zp) * scale;
  }
  *n = count;
  return scores;
}

/* Index of the best score not yet taken (ties: lowest index; NaN last). */
static size_t best_remaining(const float *scores, const bool *taken, size_t n) {
  size_t best = n;
  for (size_t i = 0; i < n; i++) {
    if (taken[i]) continue;
    if (best == n || (!isnan(scores[i]) && (isnan(scores[best]) || scores[i] > scores[best])))
      best = i;
  }
  return best;
}

static int print_top_k(const float *scores, size_t n, const SpryLabels *labels, int32_t k) {
  bool *taken = calloc(n, sizeof *taken);
  if (!taken) return spry_cli_fail("out of memory");
  size_t limit = (size_t)k < n ? (size_t)k : n;
  for (size_t r = 0; r < limit; r++) {
    size_t i = best_remaining(scores, taken, n);
    taken[i] = true;
    if (labels && i < labels->count)
      printf("%.4f  %zu  %s\n", (double)scores[i], i, labels->lines[i]);
    else
      printf("%.4f  %zu\n", (double)scores[i], i);
  }
  free(taken);
  return SPRY_EXIT_OK;
}

/* Labels from --labels, else from the model's metadata; *found false if none. */
static int load_labels(const SpryModel *model, const char *file, SpryLabels *labels, bool *found) {
  *found = false;
  if (file) {
    int rc = spry_cli_labels_load(file, labels);
    *found = rc == SPRY_EXIT_OK;
    return rc;
  }
  const char *text = NULL;
  size_t size = 0;
  if (spry_model_output_labels(model, 0, &text, &size) != SPRY_OK) return SPRY_EXIT_OK;
  int rc = spry_cli_labels_parse(text, size, labels);
  *found = rc == SPRY_EXIT_OK;
  return rc;
}

/* Prints the top-k classes when labels exist or --top-k was given; *printed
 * tells whether anything was printed. */
static int report_top_k(const SpryModel *model, const SpryInterpreter *interp, const RunArgs *a,
                        bool *printed) {
  SpryLabels labels = {NULL, NULL, 0};
  bool have_labels = false;
  *printed = false;
  int rc = load_labels(model, a->labels, &labels, &have_labels);
  if (rc != SPRY_EXIT_OK || (!have_labels && !a->top_k_given)) return rc;
  const SpryTensor *out = spry_interpreter_output(interp, 0);
  size_t n = 0;
  float *scores = out ? output_scores(out, &n) : NULL;
  if (!scores) {
    spry_cli_warn("output 0 is not a [1,N] score vector of a numeric type; no top-k printed");
  } else {
    if (have_labels && labels.count != n)
      spry_cli_warn("%zu labels for %zu classes of output 0; classes without a label are "
                    "printed by index", labels.count, n);
    rc = print_top_k(scores, n, have_labels ? &labels : NULL, a->top_k);
    *printed = rc == SPRY_EXIT_OK;
  }
  free(scores);
  spry_cli_labels_free(&labels);
  return rc;
}

int spry_cmd_run(int argc, char **argv) {
  RunArgs a = {0};
  a.inputs = calloc((size_t)(argc > 0 ? argc : 1), sizeof *a.inputs);
  if (!a.inputs) return spry_cli_fail("out of memory");
  a.threads = 1;
  a.top_k = DEFAULT_TOP_K;
  int rc = parse_args(argc, argv, &a);
  if (rc != SPRY_EXIT_OK) {
    free(a.inputs);
    return rc < 0 ? SPRY_EXIT_OK : rc;
  }
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  rc = spry_cli_open_model(a.path, &model);
  if (rc == SPRY_EXIT_OK) {
    SpryOptions options;
    spry_options_init(&options);
    options.num_threads = a.threads;
    if (a.delegate) {
      options.delegates = &a.delegate;
      options.num_delegates = 1;
    }
    rc = spry_cli_new_interpreter(a.path, model, &options, &interp);
  }
  if (rc == SPRY_EXIT_OK) rc = fill_inputs(interp, &a);
  if (rc == SPRY_EXIT_OK && spry_interpreter_invoke(interp) != SPRY_OK)
    rc = spry_cli_fail("%s: %s", a.path, spry_last_error());
  /* Without -o the outputs go to the current directory, unless top-k classes
   * were printed: classifying an image should not leave files behind. */
  bool printed = false;
  if (rc == SPRY_EXIT_OK && a.outdir) rc = write_outputs(interp, a.outdir);
  if (rc == SPRY_EXIT_OK) rc = report_top_k(model, interp, &a, &printed);
  if (rc == SPRY_EXIT_OK && !a.outdir && !printed) rc = write_outputs(interp, ".");
  if (rc == SPRY_EXIT_OK && !printed) print_outputs(interp, a.outdir ? a.outdir : ".");
  spry_interpreter_free(interp);
  spry_model_free(model);
  free(a.inputs);
  return rc;
}
