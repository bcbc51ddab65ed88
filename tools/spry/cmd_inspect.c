/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_inspect.c — `spry inspect`: a model's inputs, outputs, operators and arena, as text, JSON or a meson ops list. */
#include <stdlib.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"
#include "json_writer.h"

#include <spry/op.h>
#include <spry/spry.h>

enum { OPT_JSON = 1, OPT_OPS, OPT_HELP };

static const SpryCliOption inspect_options[] = {
    {"json", 0, false, OPT_JSON},
    {"ops", 0, false, OPT_OPS},
    {"help", 'h', false, OPT_HELP},
    {NULL, 0, false, 0},
};

/* One (operator, version) pair of the model with its number of nodes. */
typedef struct OpEntry {
  const char *name; /* points into the model; NULL for unknown builtin codes */
  int32_t builtin_code;
  int32_t version;
  int32_t count;
  bool custom;
  bool unsupported;
} OpEntry;

typedef struct OpTable {
  OpEntry *entries;
  size_t count;
} OpTable;

static const char *op_display_name(const OpEntry *e, char *buf, size_t size) {
  if (e->name) return e->name;
  snprintf(buf, size, "BUILTIN_%d", (int)e->builtin_code);
  return buf;
}

static bool same_op(const OpEntry *e, const SpryOpInfo *info) {
  if (e->builtin_code != info->builtin_code || e->version != info->version) return false;
  if (!e->name || !info->name) return e->name == info->name;
  return strcmp(e->name, info->name) == 0;
}

/* Counts the operators of every subgraph, in order of first appearance. */
static int collect_ops(const char *path, const SpryModel *model, OpTable *table) {
  table->entries = NULL;
  table->count = 0;
  size_t capacity = 0;
  int32_t subgraphs = spry_model_subgraph_count(model);
  for (int32_t s = 0; s < subgraphs; s++) {
    int32_t n = spry_model_operator_count(model, s);
    for (int32_t i = 0; i < n; i++) {
      SpryOpInfo info;
      if (spry_model_operator(model, s, i, &info) != SPRY_OK)
        return spry_cli_fail("%s: operator %d of subgraph %d: %s", path, (int)i, (int)s,
                             spry_last_error());
      size_t k = 0;
      while (k < table->count && !same_op(&table->entries[k], &info)) k++;
      if (k < table->count) {
        table->entries[k].count++;
        continue;
      }
      if (table->count == capacity) {
        size_t grown = capacity ? capacity * 2 : 16;
        OpEntry *e = realloc(table->entries, grown * sizeof *e);
        if (!e) return spry_cli_fail("out of memory");
        table->entries = e;
        capacity = grown;
      }
      table->entries[table->count++] = (OpEntry){info.name, info.builtin_code, info.version, 1,
                                                 info.custom != 0, false};
    }
  }
  return SPRY_EXIT_OK;
}

/* Marks every (op, version) the builtin resolver has no registration for,
 * so that a report names all of them, not only the first one an interpreter
 * stops at. Returns how many entries are marked. */
static size_t mark_unsupported(OpTable *table) {
  size_t marked = 0;
  for (size_t i = 0; i < table->count; i++) {
    OpEntry *e = &table->entries[i];
    const SpryOpRegistration *r;
    e->unsupported = spry_resolver_lookup(NULL, e->builtin_code, e->custom ? e->name : NULL,
                                          e->version, &r) != SPRY_OK;
    marked += e->unsupported;
  }
  return marked;
}

/* "NAME vN, NAME vN (custom)" of the unsupported entries. */
static void print_unsupported_list(const OpTable *table) {
  const char *separator = "";
  for (size_t i = 0; i < table->count; i++) {
    const OpEntry *e = &table->entries[i];
    if (!e->unsupported) continue;
    char buf[32];
    printf("%s%s v%d%s", separator, op_display_name(e, buf, sizeof buf), (int)e->version,
           e->custom ? " (custom)" : "");
    separator = ", ";
  }
}

static int compare_names(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* `--ops`: sorted unique builtin names as a meson array literal, then
 * comment lines naming custom ops and ops this build cannot run. */
static int print_ops_option(OpTable *table) {
  const char **names = malloc((table->count ? table->count : 1) * sizeof *names);
  if (!names) return spry_cli_fail("out of memory");
  size_t n = 0;
  for (size_t i = 0; i < table->count; i++)
    if (!table->entries[i].custom && table->entries[i].name) names[n++] = table->entries[i].name;
  qsort(names, n, sizeof *names, compare_names);
  fputc('[', stdout);
  size_t printed = 0;
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && strcmp(names[i], names[i - 1]) == 0) continue;
    printf("%s'%s'", printed++ ? ", " : "", names[i]);
  }
  fputs("]\n", stdout);
  free(names);
  bool any_custom = false;
  for (size_t i = 0; i < table->count; i++) {
    const OpEntry *e = &table->entries[i];
    if (!e->custom && e->name) continue;
    char buf[32];
    printf("%s%s", any_custom ? ", " : "# custom or unknown ops (not selectable with -Dops): ",
           op_display_name(e, buf, sizeof buf));
    any_custom = true;
  }
  if (any_custom) fputc('\n', stdout);
  if (mark_unsupported(table) > 0) {
    fputs("# unsupported by this build: ", stdout);
    print_unsupported_list(table);
    fputc('\n', stdout);
  }
  return SPRY_EXIT_OK;
}

/* Whether output `i` of a prepared interpreter has a run-time shape. */
static bool dynamic_output(const SpryInterpreter *interpreter, int32_t i) {
  return interpreter && spry_tensor_is_dynamic(spry_interpreter_output(interpreter, i));
}

static void json_tensor(SpryJson *j, const SpryTensorInfo *t, bool dynamic) {
  spry_json_begin_object(j);
  spry_json_key(j, "name");
  spry_json_string(j, t->name ? t->name : "");
  spry_json_key(j, "type");
  spry_json_string(j, spry_type_name(t->type));
  spry_json_key(j, "shape");
  spry_json_begin_array(j);
  for (int32_t d = 0; d < t->rank && d < SPRY_MAX_RANK; d++) spry_json_int(j, t->dims[d]);
  spry_json_end_array(j);
  spry_json_key(j, "scale");
  spry_json_double(j, t->scale, 9);
  spry_json_key(j, "zero_point");
  spry_json_int(j, t->zero_point);
  if (dynamic) {
    spry_json_key(j, "dynamic");
    spry_json_bool(j, true);
  }
  spry_json_end_object(j);
}

typedef struct InspectResult {
  const char *path;
  const SpryModel *model;
  const OpTable *ops;
  const SpryInterpreter *interpreter; /* NULL when it could not be prepared */
  const char *error;                  /* the reason, or NULL */
} InspectResult;

static int tensor_info(const InspectResult *r, bool input, int32_t i, SpryTensorInfo *t) {
  SpryStatus s = input ? spry_model_input_info(r->model, i, t) : spry_model_output_info(r->model, i, t);
  if (s != SPRY_OK)
    return spry_cli_fail("%s: %s %d: %s", r->path, input ? "input" : "output", (int)i,
                         spry_last_error());
  return SPRY_EXIT_OK;
}

static int print_json(const InspectResult *r) {
  SpryJson j;
  spry_json_init(&j, stdout);
  spry_json_begin_object(&j);
  for (int io = 0; io < 2; io++) {
    bool input = io == 0;
    spry_json_key(&j, input ? "inputs" : "outputs");
    spry_json_begin_array(&j);
    int32_t n = input ? spry_model_input_count(r->model) : spry_model_output_count(r->model);
    for (int32_t i = 0; i < n; i++) {
      SpryTensorInfo t;
      if (tensor_info(r, input, i, &t) != SPRY_EXIT_OK) return SPRY_EXIT_FAILURE;
      json_tensor(&j, &t, !input && dynamic_output(r->interpreter, i));
    }
    spry_json_end_array(&j);
  }
  spry_json_key(&j, "ops");
  spry_json_begin_array(&j);
  for (size_t i = 0; i < r->ops->count; i++) {
    const OpEntry *e = &r->ops->entries[i];
    char buf[32];
    spry_json_begin_object(&j);
    spry_json_key(&j, "op");
    spry_json_string(&j, op_display_name(e, buf, sizeof buf));
    spry_json_key(&j, "version");
    spry_json_int(&j, e->version);
    spry_json_key(&j, "count");
    spry_json_int(&j, e->count);
    spry_json_key(&j, "supported");
    spry_json_bool(&j, !e->unsupported);
    spry_json_end_object(&j);
  }
  spry_json_end_array(&j);
  spry_json_key(&j, "subgraphs");
  spry_json_int(&j, spry_model_subgraph_count(r->model));
  spry_json_key(&j, "arena_bytes");
  spry_json_uint(&j, r->interpreter ? spry_interpreter_arena_bytes(r->interpreter) : 0);
  if (r->error) {
    spry_json_key(&j, "supported");
    spry_json_bool(&j, false);
    spry_json_key(&j, "error");
    spry_json_string(&j, r->error);
  }
  spry_json_end_object(&j);
  fputc('\n', stdout);
  return SPRY_EXIT_OK;
}

static void print_text_tensor(int32_t i, const SpryTensorInfo *t, bool dynamic) {
  char shape[128];
  spry_cli_format_shape(t, shape, sizeof shape);
  printf("  %d: %s  %s %s", (int)i, t->name ? t->name : "", spry_type_name(t->type), shape);
  if (t->num_channels == 1)
    printf("  scale %.9g zero_point %d", (double)t->scale, (int)t->zero_point);
  else if (t->num_channels > 1)
    printf("  per-channel (%d scales)", (int)t->num_channels);
  if (dynamic) printf("  (dynamic: its shape is known after each invoke)");
  fputc('\n', stdout);
}

static int print_text(const InspectResult *r) {
  printf("model: %s\n", r->path);
  printf("subgraphs: %d\n", (int)spry_model_subgraph_count(r->model));
  for (int io = 0; io < 2; io++) {
    bool input = io == 0;
    int32_t n = input ? spry_model_input_count(r->model) : spry_model_output_count(r->model);
    printf("%s (%d):\n", input ? "inputs" : "outputs", (int)n);
    for (int32_t i = 0; i < n; i++) {
      SpryTensorInfo t;
      if (tensor_info(r, input, i, &t) != SPRY_EXIT_OK) return SPRY_EXIT_FAILURE;
      print_text_tensor(i, &t, !input && dynamic_output(r->interpreter, i));
    }
  }
  int32_t nodes = 0;
  for (size_t i = 0; i < r->ops->count; i++) nodes += r->ops->entries[i].count;
  printf("ops (%d node%s):\n", (int)nodes, nodes == 1 ? "" : "s");
  size_t unsupported = 0;
  for (size_t i = 0; i < r->ops->count; i++) {
    const OpEntry *e = &r->ops->entries[i];
    char buf[32];
    printf("  %-28s v%-3d x%d%s%s\n", op_display_name(e, buf, sizeof buf), (int)e->version,
           (int)e->count, e->custom ? "  (custom)" : "", e->unsupported ? "  (unsupported)" : "");
    unsupported += e->unsupported;
  }
  if (unsupported > 0) {
    printf("unsupported: %zu of %zu ops (", unsupported, r->ops->count);
    print_unsupported_list(r->ops);
    fputs(")\n", stdout);
  }
  if (r->interpreter)
    printf("arena: %zu bytes (lower bound %zu), persistent: %zu bytes\n",
           spry_interpreter_arena_bytes(r->interpreter),
           spry_interpreter_arena_lower_bound(r->interpreter),
           spry_interpreter_persistent_bytes(r->interpreter));
  else
    printf("arena: not planned (the model cannot be prepared)\n");
  return SPRY_EXIT_OK;
}

/* Prepares an interpreter to learn the arena size; the failure message is
 * kept for the report. */
static SpryInterpreter *try_prepare(const SpryModel *model, char *error, size_t error_size) {
  SpryInterpreter *interpreter = NULL;
  if (spry_interpreter_new(model, NULL, &interpreter) == SPRY_OK) return interpreter;
  snprintf(error, error_size, "%s", spry_last_error());
  return NULL;
}

int spry_cmd_inspect(int argc, char **argv) {
  SpryCliParser p;
  spry_cli_parser_init(&p, "inspect", argc, argv);
  bool json = false, ops_only = false;
  const char *path = NULL;
  int id;
  const char *value;
  for (SpryCliNext k; (k = spry_cli_next(&p, inspect_options, &id, &value)) != SPRY_CLI_END;) {
    if (k == SPRY_CLI_BAD) return SPRY_EXIT_USAGE;
    if (k == SPRY_CLI_OPERAND) {
      if (path) return spry_cli_usage_error("inspect", "more than one MODEL given");
      path = value;
    } else if (id == OPT_HELP) {
      spry_cli_print_usage(stdout, "inspect");
      return SPRY_EXIT_OK;
    } else if (id == OPT_JSON) {
      json = true;
    } else if (id == OPT_OPS) {
      ops_only = true;
    }
  }
  if (!path) return spry_cli_usage_error("inspect", "missing MODEL");
  if (json && ops_only) return spry_cli_usage_error("inspect", "--json and --ops exclude each other");

  SpryModel *model = NULL;
  int rc = spry_cli_open_model(path, &model);
  if (rc != SPRY_EXIT_OK) return rc;
  OpTable ops;
  rc = collect_ops(path, model, &ops);
  if (rc == SPRY_EXIT_OK && ops_only) rc = print_ops_option(&ops);
  if (rc == SPRY_EXIT_OK && !ops_only) {
    char error[512] = "";
    mark_unsupported(&ops);
    SpryInterpreter *interpreter = try_prepare(model, error, sizeof error);
    InspectResult r = {path, model, &ops, interpreter, interpreter ? NULL : error};
    rc = json ? print_json(&r) : print_text(&r);
    if (rc == SPRY_EXIT_OK && !interpreter) rc = spry_cli_fail("%s: %s", path, error);
    spry_interpreter_free(interpreter);
  }
  free(ops.entries);
  spry_model_free(model);
  return rc;
}
