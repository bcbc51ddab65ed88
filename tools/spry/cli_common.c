/* SPDX-License-Identifier: Apache-2.0 */
/* cli_common.c — option parsing, error reporting, file and label helpers of the spry commands. */
#include "cli_common.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* ---- Messages ----------------------------------------------------------------- */

int spry_cli_fail(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("spry: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  return SPRY_EXIT_FAILURE;
}

void spry_cli_warn(const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("spry: warning: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
}

int spry_cli_usage_error(const char *command, const char *format, ...) {
  va_list args;
  va_start(args, format);
  fputs("spry: ", stderr);
  vfprintf(stderr, format, args);
  fputc('\n', stderr);
  va_end(args);
  spry_cli_print_usage(stderr, command);
  return SPRY_EXIT_USAGE;
}

/* ---- Option parsing --------------------------------------------------------------- */

void spry_cli_parser_init(SpryCliParser *parser, const char *command, int argc, char **argv) {
  parser->argc = argc;
  parser->argv = argv;
  parser->next = 0;
  parser->options_ended = false;
  parser->command = command;
}

static const SpryCliOption *find_long(const SpryCliOption *options, const char *name,
                                      size_t length) {
  for (const SpryCliOption *o = options; o->long_name; o++)
    if (strlen(o->long_name) == length && strncmp(o->long_name, name, length) == 0) return o;
  return NULL;
}

static const SpryCliOption *find_short(const SpryCliOption *options, char c) {
  for (const SpryCliOption *o = options; o->long_name; o++)
    if (o->short_name != 0 && o->short_name == c) return o;
  return NULL;
}

/* Takes the option's value from the rest of the argument or the next one. */
static SpryCliNext take_value(SpryCliParser *p, const SpryCliOption *o, const char *attached,
                              const char *shown, int *id, const char **value) {
  *id = o->id;
  if (!o->takes_value) {
    if (attached)
      return spry_cli_usage_error(p->command, "option %s takes no value", shown), SPRY_CLI_BAD;
    *value = NULL;
    return SPRY_CLI_OPTION;
  }
  if (attached) {
    *value = attached;
    return SPRY_CLI_OPTION;
  }
  if (p->next >= p->argc) {
    spry_cli_usage_error(p->command, "option %s needs a value", shown);
    return SPRY_CLI_BAD;
  }
  *value = p->argv[p->next++];
  return SPRY_CLI_OPTION;
}

SpryCliNext spry_cli_next(SpryCliParser *p, const SpryCliOption *options, int *id,
                          const char **value) {
  if (p->next >= p->argc) return SPRY_CLI_END;
  const char *arg = p->argv[p->next++];
  if (p->options_ended || arg[0] != '-' || arg[1] == '\0') {
    *value = arg;
    return SPRY_CLI_OPERAND;
  }
  if (arg[1] == '-') {
    if (arg[2] == '\0') {
      p->options_ended = true;
      return spry_cli_next(p, options, id, value);
    }
    const char *name = arg + 2;
    const char *eq = strchr(name, '=');
    size_t length = eq ? (size_t)(eq - name) : strlen(name);
    const SpryCliOption *o = find_long(options, name, length);
    if (!o) {
      spry_cli_usage_error(p->command, "unknown option '%.*s'", (int)(length + 2), arg);
      return SPRY_CLI_BAD;
    }
    char shown[64];
    snprintf(shown, sizeof shown, "--%s", o->long_name);
    return take_value(p, o, eq ? eq + 1 : NULL, shown, id, value);
  }
  const SpryCliOption *o = find_short(options, arg[1]);
  if (!o) {
    spry_cli_usage_error(p->command, "unknown option '-%c'", arg[1]);
    return SPRY_CLI_BAD;
  }
  char shown[4] = {'-', arg[1], '\0', '\0'};
  return take_value(p, o, arg[2] ? arg + 2 : NULL, shown, id, value);
}

bool spry_cli_parse_int(const char *text, long min, long max, int32_t *out) {
  if (!text || text[0] < '0' || text[0] > '9') return false;
  errno = 0;
  char *end = NULL;
  long v = strtol(text, &end, 10);
  if (errno != 0 || *end != '\0' || v < min || v > max || v > INT32_MAX) return false;
  *out = (int32_t)v;
  return true;
}

bool spry_cli_option_int(const char *command, const char *name, const char *text, long min,
                         long max, int32_t *out) {
  if (spry_cli_parse_int(text, min, max, out)) return true;
  spry_cli_usage_error(command, "%s needs an integer in [%ld, %ld], got '%s'", name, min, max,
                       text);
  return false;
}

/* ---- Models ---------------------------------------------------------------------------- */

int spry_cli_open_model(const char *path, SpryModel **out_model) {
  *out_model = NULL;
  if (spry_model_open_file(path, out_model) != SPRY_OK) {
    *out_model = NULL;
    return spry_cli_fail("%s: %s", path, spry_last_error());
  }
  return SPRY_EXIT_OK;
}

bool spry_cli_find_delegate(const char *command, const char *name, SpryDelegate **out_delegate) {
  /* No accelerator delegates exist yet; "cpu" names the builtin kernels so
   * that scripts can pass --delegate unconditionally. */
  *out_delegate = NULL;
  if (strcmp(name, "cpu") == 0 || strcmp(name, "none") == 0) return true;
  spry_cli_usage_error(command, "unknown delegate '%s' (available: cpu)", name);
  return false;
}

int spry_cli_new_interpreter(const char *path, const SpryModel *model, const SpryOptions *options,
                             SpryInterpreter **out_interpreter) {
  *out_interpreter = NULL;
  if (spry_interpreter_new(model, options, out_interpreter) != SPRY_OK) {
    *out_interpreter = NULL;
    return spry_cli_fail("%s: %s", path, spry_last_error());
  }
  return SPRY_EXIT_OK;
}

/* The dims joined by `separator`, between `open` and `close` (always terminated). */
static void format_dims(const SpryTensorInfo *info, const char *open, const char *separator,
                        const char *close, char *buf, size_t size) {
  if (size == 0) return;
  int32_t rank = info->rank < 0 ? 0 : info->rank > SPRY_MAX_RANK ? SPRY_MAX_RANK : info->rank;
  size_t used = 0;
  for (int32_t i = 0; i <= rank + 1 && used < size; i++) {
    int n = i == 0      ? snprintf(buf + used, size - used, "%s", open)
            : i <= rank ? snprintf(buf + used, size - used, "%s%d", i > 1 ? separator : "",
                                   (int)info->dims[i - 1])
                        : snprintf(buf + used, size - used, "%s", close);
    if (n < 0) return;
    used += (size_t)n; /* snprintf truncates and terminates; the loop stops */
  }
}

void spry_cli_format_shape(const SpryTensorInfo *info, char *buf, size_t size) {
  format_dims(info, "[", ",", "]", buf, size);
}

void spry_cli_format_shape_x(const SpryTensorInfo *info, char *buf, size_t size) {
  format_dims(info, "", "x", "", buf, size);
}

/* ---- Files ------------------------------------------------------------------------------ */

/* Pipes and devices (`-i /dev/stdin`, `<(...)`) have no size up front: read
 * them in growing chunks, still bounded by max_bytes. */
static int read_stream(const char *what, const char *path, FILE *f, size_t max_bytes,
                       uint8_t **out_data, size_t *out_size) {
  size_t size = 0, capacity = 0;
  uint8_t *data = NULL;
  for (;;) {
    if (size == capacity) {
      if (capacity > max_bytes) break; /* one byte past the limit: too large */
      size_t grown = capacity ? capacity * 2 : 65536;
      if (grown > max_bytes + 1) grown = max_bytes + 1;
      uint8_t *bigger = realloc(data, grown);
      if (!bigger) {
        free(data);
        return spry_cli_fail("cannot read %s %s: out of memory", what, path);
      }
      data = bigger;
      capacity = grown;
    }
    size_t got = fread(data + size, 1, capacity - size, f);
    size += got;
    if (got == 0) break;
  }
  int failed = ferror(f);
  if (failed || size > max_bytes) {
    free(data);
    return failed ? spry_cli_fail("cannot read %s %s: read error", what, path)
                  : spry_cli_fail("cannot read %s %s: larger than %zu bytes", what, path, max_bytes);
  }
  *out_data = data ? data : malloc(1);
  *out_size = size;
  if (!*out_data) return spry_cli_fail("cannot read %s %s: out of memory", what, path);
  return SPRY_EXIT_OK;
}

int spry_cli_read_file(const char *what, const char *path, size_t max_bytes, uint8_t **out_data,
                       size_t *out_size) {
  *out_data = NULL;
  *out_size = 0;
  FILE *f = fopen(path, "rb");
  if (!f) return spry_cli_fail("cannot read %s %s: %s", what, path, strerror(errno));
  struct stat st;
  if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
    fclose(f);
    return spry_cli_fail("cannot read %s %s: not a file", what, path);
  }
  if (!S_ISREG(st.st_mode)) {
    int rc = read_stream(what, path, f, max_bytes, out_data, out_size);
    fclose(f);
    return rc;
  }
  if (st.st_size < 0 || (uintmax_t)st.st_size > max_bytes) {
    fclose(f);
    return spry_cli_fail("cannot read %s %s: larger than %zu bytes", what, path, max_bytes);
  }
  size_t size = (size_t)st.st_size;
  uint8_t *data = malloc(size ? size : 1);
  if (!data) {
    fclose(f);
    return spry_cli_fail("cannot read %s %s: out of memory", what, path);
  }
  size_t got = fread(data, 1, size, f);
  int failed = ferror(f);
  fclose(f);
  if (failed || got != size) {
    free(data);
    return spry_cli_fail("cannot read %s %s: short read", what, path);
  }
  *out_data = data;
  *out_size = size;
  return SPRY_EXIT_OK;
}

int spry_cli_make_dirs(const char *path) {
  size_t length = strlen(path);
  char *copy = malloc(length + 1);
  if (!copy) return spry_cli_fail("out of memory");
  memcpy(copy, path, length + 1);
  /* Create each prefix ending at a '/', then the whole path. */
  for (size_t i = 1; i <= length; i++) {
    if (copy[i] != '/' && copy[i] != '\0') continue;
    char saved = copy[i];
    copy[i] = '\0';
    struct stat st;
    if (stat(copy, &st) != 0) {
      if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
        int e = errno;
        free(copy);
        return spry_cli_fail("cannot create directory %s: %s", path, strerror(e));
      }
    } else if (!S_ISDIR(st.st_mode)) {
      free(copy);
      return spry_cli_fail("cannot create directory %s: a file is in the way", path);
    }
    copy[i] = saved;
  }
  free(copy);
  return SPRY_EXIT_OK;
}

int spry_cli_write_file(const char *path, const void *data, size_t size) {
  FILE *f = fopen(path, "wb");
  if (!f) return spry_cli_fail("cannot write %s: %s", path, strerror(errno));
  size_t put = size ? fwrite(data, 1, size, f) : 0;
  int failed = ferror(f);
  if (fclose(f) != 0 || failed || put != size)
    return spry_cli_fail("cannot write %s: write failed", path);
  return SPRY_EXIT_OK;
}

/* ---- Labels ------------------------------------------------------------------------------ */

int spry_cli_labels_parse(const char *text, size_t size, SpryLabels *labels) {
  labels->text = NULL;
  labels->lines = NULL;
  labels->count = 0;
  char *copy = malloc(size + 1);
  if (!copy) return spry_cli_fail("out of memory");
  if (size) memcpy(copy, text, size);
  copy[size] = '\0';
  size_t lines = 0;
  for (size_t i = 0; i < size; i++) lines += copy[i] == '\n';
  if (size > 0 && copy[size - 1] != '\n') lines++;
  const char **table = malloc((lines ? lines : 1) * sizeof *table);
  if (!table) {
    free(copy);
    return spry_cli_fail("out of memory");
  }
  size_t count = 0;
  char *line = copy;
  while (count < lines) {
    char *nl = strchr(line, '\n');
    if (nl) *nl = '\0';
    size_t n = strlen(line);
    if (n > 0 && line[n - 1] == '\r') line[n - 1] = '\0';
    table[count++] = line;
    if (!nl) break;
    line = nl + 1;
  }
  labels->text = copy;
  labels->lines = table;
  labels->count = count;
  return SPRY_EXIT_OK;
}

int spry_cli_labels_load(const char *path, SpryLabels *labels) {
  uint8_t *data = NULL;
  size_t size = 0;
  labels->text = NULL;
  labels->lines = NULL;
  labels->count = 0;
  int rc = spry_cli_read_file("labels file", path, (size_t)64 << 20, &data, &size);
  if (rc != SPRY_EXIT_OK) return rc;
  rc = spry_cli_labels_parse((const char *)data, size, labels);
  free(data);
  return rc;
}

void spry_cli_labels_free(SpryLabels *labels) {
  if (!labels) return;
  free(labels->lines);
  free(labels->text);
  labels->lines = NULL;
  labels->text = NULL;
  labels->count = 0;
}

double spry_cli_now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}
