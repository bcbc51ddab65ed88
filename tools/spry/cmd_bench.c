/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_bench.c — `spry bench`: times repeated invokes (and optionally every operator) on zero inputs. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cli_common.h"
#include "commands.h"
#include "json_writer.h"

#include <spry/spry.h>

enum { OPT_THREADS = 1, OPT_RUNS, OPT_WARMUP, OPT_PROFILE, OPT_TOP, OPT_JSON, OPT_HELP };

static const SpryCliOption bench_options[] = {
    {"threads", 0, true, OPT_THREADS},
    {"runs", 0, true, OPT_RUNS},
    {"warmup", 0, true, OPT_WARMUP},
    {"profile", 0, false, OPT_PROFILE},
    {"top", 0, true, OPT_TOP},
    {"json", 0, false, OPT_JSON},
    {"help", 'h', false, OPT_HELP},
    {NULL, 0, false, 0},
};

#define PROGRESS_INTERVAL_MS 500.0
#define PROGRESS_AFTER_MS 1000.0

typedef struct BenchArgs {
  const char *path;
  int32_t threads, runs, warmup;
  int32_t top; /* slowest nodes to list (needs --profile); 0: none */
  bool profile, json;
} BenchArgs;

/* One node's time: summed over the timed runs, then the mean per run. */
typedef struct NodeTime {
  int32_t node; /* index in execution order */
  const char *op;
  double ms;
  bool has_output;
  SpryTensorInfo output; /* the first output, which tells the layer apart */
} NodeTime;

/* Per-op totals of the nodes' mean times. */
typedef struct OpTime {
  const char *name;
  int32_t count; /* nodes per run */
  double total_ms;
} OpTime;

typedef struct BenchResult {
  double init_ms, first_ms, mean_ms, median_ms, min_ms, max_ms;
  size_t arena_bytes;
  size_t persistent_bytes; /* packed weights and op data */
  const char *kernels;     /* the kernel variant the interpreter runs */
  long peak_rss_kb;
  NodeTime *nodes; /* node order while timing; slowest first once summarised */
  size_t num_nodes;
  OpTime *ops;
  size_t num_ops;
} BenchResult;

static int parse_args(int argc, char **argv, BenchArgs *a) {
  SpryCliParser p;
  spry_cli_parser_init(&p, "bench", argc, argv);
  int id;
  const char *v;
  for (SpryCliNext k; (k = spry_cli_next(&p, bench_options, &id, &v)) != SPRY_CLI_END;) {
    if (k == SPRY_CLI_BAD) return SPRY_EXIT_USAGE;
    if (k == SPRY_CLI_OPERAND) {
      if (a->path) return spry_cli_usage_error("bench", "more than one MODEL given");
      a->path = v;
      continue;
    }
    bool ok = true;
    switch (id) {
      case OPT_HELP: spry_cli_print_usage(stdout, "bench"); return -1;
      case OPT_THREADS: ok = spry_cli_option_int("bench", "--threads", v, 1, 1024, &a->threads); break;
      case OPT_RUNS: ok = spry_cli_option_int("bench", "--runs", v, 1, 10000000, &a->runs); break;
      case OPT_WARMUP: ok = spry_cli_option_int("bench", "--warmup", v, 0, 10000000, &a->warmup); break;
      case OPT_PROFILE: a->profile = true; break;
      case OPT_TOP: ok = spry_cli_option_int("bench", "--top", v, 1, 10000000, &a->top); break;
      case OPT_JSON: a->json = true; break;
      default: break;
    }
    if (!ok) return SPRY_EXIT_USAGE;
  }
  if (!a->path) return spry_cli_usage_error("bench", "missing MODEL");
  if (a->top > 0 && !a->profile) return spry_cli_usage_error("bench", "--top needs --profile");
  return SPRY_EXIT_OK;
}

static int compare_doubles(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Adds the last invoke's per-node timings into the node table. The node list
 * is the same at every invoke, so the first run sizes the table. */
static int accumulate_profile(const SpryInterpreter *interp, BenchResult *r) {
  const SpryProfileEntry *entries = NULL;
  int32_t count = 0;
  if (spry_interpreter_profile(interp, &entries, &count) != SPRY_OK)
    return spry_cli_fail("profile: %s", spry_last_error());
  if (!r->nodes) {
    r->nodes = calloc((size_t)count + 1, sizeof *r->nodes);
    if (!r->nodes) return spry_cli_fail("out of memory");
    r->num_nodes = (size_t)count;
  }
  if ((size_t)count != r->num_nodes) return spry_cli_fail("profile: the node count changed");
  for (int32_t e = 0; e < count; e++) {
    r->nodes[e].node = entries[e].node;
    r->nodes[e].op = entries[e].op.name ? entries[e].op.name : "UNKNOWN";
    r->nodes[e].ms += entries[e].ms;
  }
  return SPRY_EXIT_OK;
}

/* Groups the nodes by op type, in the order each type first runs. */
static int tally_ops(BenchResult *r) {
  r->ops = calloc(r->num_nodes + 1, sizeof *r->ops); /* at most one type per node */
  if (!r->ops) return spry_cli_fail("out of memory");
  for (size_t n = 0; n < r->num_nodes; n++) {
    const NodeTime *node = &r->nodes[n];
    size_t k = 0;
    while (k < r->num_ops && strcmp(r->ops[k].name, node->op) != 0) k++;
    if (k == r->num_ops) r->ops[r->num_ops++] = (OpTime){node->op, 0, 0.0};
    r->ops[k].count++;
    r->ops[k].total_ms += node->ms;
  }
  return SPRY_EXIT_OK;
}

/* Read after the runs: a dynamic output has the shape of the last one. */
static void describe_outputs(const SpryInterpreter *interp, BenchResult *r) {
  for (size_t n = 0; n < r->num_nodes; n++) {
    NodeTime *node = &r->nodes[n];
    const SpryTensor *output = NULL;
    node->has_output = spry_interpreter_node_output(interp, node->node, 0, &output) == SPRY_OK &&
                       spry_tensor_info(output, &node->output) == SPRY_OK;
  }
}

/* Slowest first; equal times in node order, so that the listing is stable. */
static int slower_first(const void *a, const void *b) {
  const NodeTime *x = a, *y = b;
  int by_time = (x->ms < y->ms) - (x->ms > y->ms);
  return by_time ? by_time : (x->node > y->node) - (x->node < y->node);
}

/* The op table (in node order), then the nodes ranked slowest first. */
static int summarise_profile(const SpryInterpreter *interp, BenchResult *r) {
  int rc = tally_ops(r);
  if (rc != SPRY_EXIT_OK) return rc;
  describe_outputs(interp, r);
  if (r->num_nodes > 0) qsort(r->nodes, r->num_nodes, sizeof *r->nodes, slower_first);
  return SPRY_EXIT_OK;
}

/* Progress on stderr: always on a terminal, otherwise once the run is long. */
static void progress(const BenchArgs *a, int32_t done, const double *times, double start_ms,
                     double *last_ms, bool tty) {
  double now = spry_cli_now_ms();
  if (now - *last_ms < PROGRESS_INTERVAL_MS || done >= a->runs) return;
  if (!tty && now - start_ms < PROGRESS_AFTER_MS) return;
  *last_ms = now;
  double *sorted = malloc((size_t)done * sizeof *sorted);
  if (!sorted) return;
  memcpy(sorted, times, (size_t)done * sizeof *sorted);
  qsort(sorted, (size_t)done, sizeof *sorted, compare_doubles);
  fprintf(stderr, "bench: %d/%d runs (%.1f ms median so far)\n", (int)done, (int)a->runs,
          sorted[done / 2]);
  free(sorted);
}

static int invoke(SpryInterpreter *interp, const char *path) {
  if (spry_interpreter_invoke(interp) == SPRY_OK) return SPRY_EXIT_OK;
  return spry_cli_fail("%s: %s", path, spry_last_error());
}

static int timed_runs(SpryInterpreter *interp, const BenchArgs *a, BenchResult *r) {
  double *times = malloc((size_t)a->runs * sizeof *times);
  if (!times) return spry_cli_fail("out of memory");
  int rc = SPRY_EXIT_OK;
  for (int32_t i = 0; i < a->warmup && rc == SPRY_EXIT_OK; i++) {
    double t0 = spry_cli_now_ms();
    rc = invoke(interp, a->path);
    if (i == 0) r->first_ms = spry_cli_now_ms() - t0;
  }
  bool tty = isatty(STDERR_FILENO) != 0;
  double start = spry_cli_now_ms(), last = start;
  for (int32_t i = 0; i < a->runs && rc == SPRY_EXIT_OK; i++) {
    double t0 = spry_cli_now_ms();
    rc = invoke(interp, a->path);
    times[i] = spry_cli_now_ms() - t0;
    if (i == 0 && a->warmup == 0) r->first_ms = times[i];
    if (rc == SPRY_EXIT_OK && a->profile) rc = accumulate_profile(interp, r);
    progress(a, i + 1, times, start, &last, tty);
  }
  if (rc == SPRY_EXIT_OK) {
    double sum = 0.0;
    for (int32_t i = 0; i < a->runs; i++) sum += times[i];
    qsort(times, (size_t)a->runs, sizeof *times, compare_doubles);
    r->mean_ms = sum / a->runs;
    r->min_ms = times[0];
    r->max_ms = times[a->runs - 1];
    int32_t mid = a->runs / 2;
    r->median_ms = a->runs % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2.0;
    for (size_t n = 0; n < r->num_nodes; n++) r->nodes[n].ms /= a->runs;
  }
  free(times);
  return rc;
}

static void zero_inputs(SpryInterpreter *interp) {
  for (int32_t i = 0; i < spry_interpreter_input_count(interp); i++) {
    SpryTensor *t = spry_interpreter_input(interp, i);
    void *data = t ? spry_tensor_data(t) : NULL;
    if (data && spry_tensor_byte_size(t) > 0) memset(data, 0, spry_tensor_byte_size(t));
  }
}

/* Nodes --top lists: the slowest, or all of them when the model has fewer. */
static size_t listed_nodes(const BenchArgs *a, const BenchResult *r) {
  return (size_t)a->top < r->num_nodes ? (size_t)a->top : r->num_nodes;
}

static void print_json_ops(SpryJson *j, const BenchResult *r) {
  spry_json_key(j, "ops");
  spry_json_begin_array(j);
  for (size_t k = 0; k < r->num_ops; k++) {
    spry_json_begin_object(j);
    spry_json_key(j, "op");
    spry_json_string(j, r->ops[k].name);
    spry_json_key(j, "count");
    spry_json_int(j, r->ops[k].count);
    spry_json_key(j, "total_ms");
    spry_json_fixed(j, r->ops[k].total_ms, 4);
    spry_json_end_object(j);
  }
  spry_json_end_array(j);
}

static void print_json_nodes(SpryJson *j, const BenchResult *r, size_t count) {
  spry_json_key(j, "nodes");
  spry_json_begin_array(j);
  for (size_t n = 0; n < count; n++) {
    const NodeTime *node = &r->nodes[n];
    spry_json_begin_object(j);
    spry_json_key(j, "node");
    spry_json_int(j, node->node);
    spry_json_key(j, "op");
    spry_json_string(j, node->op);
    spry_json_key(j, "output_shape"); /* [] for a scalar or a node without outputs */
    spry_json_begin_array(j);
    for (int32_t d = 0; node->has_output && d < node->output.rank; d++)
      spry_json_int(j, node->output.dims[d]);
    spry_json_end_array(j);
    spry_json_key(j, "ms");
    spry_json_fixed(j, node->ms, 4);
    spry_json_end_object(j);
  }
  spry_json_end_array(j);
}

static void print_json(const BenchArgs *a, const BenchResult *r) {
  SpryJson j;
  spry_json_init(&j, stdout);
  spry_json_begin_object(&j);
  spry_json_key(&j, "model");
  spry_json_string(&j, a->path);
  spry_json_key(&j, "threads");
  spry_json_int(&j, a->threads);
  spry_json_key(&j, "runs");
  spry_json_int(&j, a->runs);
  spry_json_key(&j, "kernels");
  spry_json_string(&j, r->kernels);
  const char *keys[] = {"init_ms", "first_ms", "mean_ms", "median_ms", "min_ms", "max_ms"};
  const double values[] = {r->init_ms, r->first_ms, r->mean_ms, r->median_ms, r->min_ms, r->max_ms};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    spry_json_key(&j, keys[i]);
    spry_json_fixed(&j, values[i], 4);
  }
  spry_json_key(&j, "arena_bytes");
  spry_json_uint(&j, r->arena_bytes);
  spry_json_key(&j, "persistent_bytes");
  spry_json_uint(&j, r->persistent_bytes);
  spry_json_key(&j, "peak_rss_kb");
  spry_json_int(&j, r->peak_rss_kb);
  if (a->profile) print_json_ops(&j, r);
  if (a->top > 0) print_json_nodes(&j, r, listed_nodes(a, r));
  spry_json_end_object(&j);
  fputc('\n', stdout);
}

/* The mean time of one run spent in the profiled nodes, that percentages are of. */
static double profiled_ms(const BenchResult *r) {
  double total = 0.0;
  for (size_t n = 0; n < r->num_nodes; n++) total += r->nodes[n].ms;
  return total;
}

static double percent(double ms, double total) { return total > 0.0 ? 100.0 * ms / total : 0.0; }

static void print_op_table(const BenchResult *r, double total) {
  printf("\n%-28s %6s %10s %6s\n", "op", "count", "ms/run", "%");
  for (size_t k = 0; k < r->num_ops; k++)
    printf("%-28s %6d %10.3f %6.1f\n", r->ops[k].name, (int)r->ops[k].count, r->ops[k].total_ms,
           percent(r->ops[k].total_ms, total));
}

static void print_node_table(const BenchResult *r, size_t count, double total) {
  printf("\n%6s  %-28s %-20s %10s %6s\n", "node", "op", "output", "ms/run", "%");
  for (size_t n = 0; n < count; n++) {
    const NodeTime *node = &r->nodes[n];
    char shape[128] = "-";
    if (node->has_output && node->output.rank == 0) snprintf(shape, sizeof shape, "scalar");
    else if (node->has_output) spry_cli_format_shape_x(&node->output, shape, sizeof shape);
    printf("%6d  %-28s %-20s %10.3f %6.1f\n", (int)node->node, node->op, shape, node->ms,
           percent(node->ms, total));
  }
}

static void print_text(const BenchArgs *a, const BenchResult *r) {
  printf("model      %s\n", a->path);
  printf("threads    %d\n", (int)a->threads);
  printf("kernels    %s\n", r->kernels);
  printf("runs       %d (after %d warm-up)\n", (int)a->runs, (int)a->warmup);
  printf("init       %10.3f ms\n", r->init_ms);
  printf("first      %10.3f ms\n", r->first_ms);
  printf("mean       %10.3f ms\n", r->mean_ms);
  printf("median     %10.3f ms\n", r->median_ms);
  printf("min        %10.3f ms\n", r->min_ms);
  printf("max        %10.3f ms\n", r->max_ms);
  printf("arena      %10zu bytes\n", r->arena_bytes);
  printf("persistent %10zu bytes\n", r->persistent_bytes);
  printf("peak RSS   %10ld kB\n", r->peak_rss_kb);
  if (!a->profile) return;
  const double total = profiled_ms(r);
  print_op_table(r, total);
  if (a->top > 0) print_node_table(r, listed_nodes(a, r), total);
}

int spry_cmd_bench(int argc, char **argv) {
  BenchArgs a = {.threads = 1, .runs = 50, .warmup = 1};
  int rc = parse_args(argc, argv, &a);
  if (rc != SPRY_EXIT_OK) return rc < 0 ? SPRY_EXIT_OK : rc;
  BenchResult r;
  memset(&r, 0, sizeof r);
  SpryModel *model = NULL;
  SpryInterpreter *interp = NULL;
  double t0 = spry_cli_now_ms();
  rc = spry_cli_open_model(a.path, &model);
  if (rc == SPRY_EXIT_OK) {
    SpryOptions options;
    spry_options_init(&options);
    options.num_threads = a.threads;
    options.profile = a.profile;
    rc = spry_cli_new_interpreter(a.path, model, &options, &interp);
  }
  r.init_ms = spry_cli_now_ms() - t0;
  if (rc == SPRY_EXIT_OK) {
    zero_inputs(interp);
    rc = timed_runs(interp, &a, &r);
  }
  if (rc == SPRY_EXIT_OK && a.profile) rc = summarise_profile(interp, &r);
  if (rc == SPRY_EXIT_OK) {
    struct rusage usage;
    r.arena_bytes = spry_interpreter_arena_bytes(interp);
    r.persistent_bytes = spry_interpreter_persistent_bytes(interp);
    r.kernels = spry_interpreter_kernel_isa(interp);
    r.peak_rss_kb = getrusage(RUSAGE_SELF, &usage) == 0 ? usage.ru_maxrss : 0;
    if (a.json) print_json(&a, &r);
    else print_text(&a, &r);
  }
  free(r.ops);
  free(r.nodes);
  spry_interpreter_free(interp);
  spry_model_free(model);
  return rc;
}
