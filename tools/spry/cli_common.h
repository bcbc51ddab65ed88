/* SPDX-License-Identifier: Apache-2.0 */
/* cli_common.h — option parsing, error reporting and model loading shared by the spry commands. */
#ifndef SPRY_TOOLS_CLI_COMMON_H
#define SPRY_TOOLS_CLI_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <spry/spry.h>

/* Exit statuses of the command line (design brief §4). */
enum {
  SPRY_EXIT_OK = 0,
  SPRY_EXIT_FAILURE = 1, /* a model or input the user must fix */
  SPRY_EXIT_USAGE = 2,   /* the command line itself is wrong */
};

#if defined(__GNUC__)
#define SPRY_CLI_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SPRY_CLI_PRINTF(a, b)
#endif

/* Prints "spry: <message>" on stderr and returns SPRY_EXIT_FAILURE. */
int spry_cli_fail(const char *format, ...) SPRY_CLI_PRINTF(1, 2);
/* Prints "spry: warning: <message>" on stderr. */
void spry_cli_warn(const char *format, ...) SPRY_CLI_PRINTF(1, 2);
/* Prints "spry: <message>", then the command's usage, on stderr; returns
 * SPRY_EXIT_USAGE. `command` may be NULL for the top-level usage. */
int spry_cli_usage_error(const char *command, const char *format, ...) SPRY_CLI_PRINTF(2, 3);
/* Prints the usage of `command` (NULL: all commands); false if unknown. */
bool spry_cli_print_usage(FILE *out, const char *command);

/* ---- Option parsing ---------------------------------------------------------
 * A small hand parser, so that options and operands may be mixed in any order
 * (`spry run -i a.bin MODEL -o out`) without getopt's global state. Accepted
 * forms: `-x VALUE`, `-xVALUE`, `--name VALUE`, `--name=VALUE`, `--flag`, and
 * `--` to end options. */

typedef struct SpryCliOption {
  const char *long_name; /* without the leading "--" */
  char short_name;       /* 0 when the option has no short form */
  bool takes_value;
  int id;
} SpryCliOption;

typedef struct SpryCliParser {
  int argc;
  char **argv;
  int next;            /* index of the next argument to look at */
  bool options_ended;  /* a "--" was seen */
  const char *command; /* for error messages */
} SpryCliParser;

typedef enum SpryCliNext {
  SPRY_CLI_END = 0,
  SPRY_CLI_OPTION = 1,
  SPRY_CLI_OPERAND = 2,
  SPRY_CLI_BAD = 3, /* the message has been printed; exit with SPRY_EXIT_USAGE */
} SpryCliNext;

void spry_cli_parser_init(SpryCliParser *parser, const char *command, int argc, char **argv);
/* Reads the next argument: an option (its id in *id, its value in *value) or
 * an operand (in *value). Options `-h`/`--help` are recognised by the caller
 * through its own table. */
SpryCliNext spry_cli_next(SpryCliParser *parser, const SpryCliOption *options, int *id,
                          const char **value);

/* Strict decimal integer in [min, max]: no sign games, no trailing text. */
bool spry_cli_parse_int(const char *text, long min, long max, int32_t *out);
/* Same, printing a usage error for option `name` on failure. */
bool spry_cli_option_int(const char *command, const char *name, const char *text, long min,
                         long max, int32_t *out);

/* ---- Models ------------------------------------------------------------------ */

/* Opens and verifies the model; on failure prints the reason. */
int spry_cli_open_model(const char *path, SpryModel **out_model);
/* Looks up a delegate by name; "cpu" (builtin kernels, no delegate) is the
 * only one today. Returns false (after a usage error) for unknown names. */
bool spry_cli_find_delegate(const char *command, const char *name, SpryDelegate **out_delegate);
/* Creates the interpreter; on failure prints the reason. */
int spry_cli_new_interpreter(const char *path, const SpryModel *model, const SpryOptions *options,
                             SpryInterpreter **out_interpreter);

/* "[1,128,128,3]" into buf (always terminated). */
void spry_cli_format_shape(const SpryTensorInfo *info, char *buf, size_t size);
/* "1x128x128x3" into buf, as in tables (always terminated; "" for a scalar). */
void spry_cli_format_shape_x(const SpryTensorInfo *info, char *buf, size_t size);

/* ---- Files -------------------------------------------------------------------- */

/* Reads a whole regular file of at most max_bytes. On failure prints
 * "spry: cannot read <what> <path>: <reason>" and returns SPRY_EXIT_FAILURE. */
int spry_cli_read_file(const char *what, const char *path, size_t max_bytes, uint8_t **out_data,
                       size_t *out_size);
/* Creates a directory and its parents (like mkdir -p). */
int spry_cli_make_dirs(const char *path);
int spry_cli_write_file(const char *path, const void *data, size_t size);

/* ---- Labels -------------------------------------------------------------------- */

typedef struct SpryLabels {
  char *text;          /* owned copy, lines NUL-terminated in place */
  const char **lines;
  size_t count;
} SpryLabels;

/* Splits text into lines (LF or CRLF; a final empty line is dropped). */
int spry_cli_labels_parse(const char *text, size_t size, SpryLabels *labels);
int spry_cli_labels_load(const char *path, SpryLabels *labels);
void spry_cli_labels_free(SpryLabels *labels);

/* Milliseconds on CLOCK_MONOTONIC. */
double spry_cli_now_ms(void);

#endif /* SPRY_TOOLS_CLI_COMMON_H */
