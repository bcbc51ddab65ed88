/* SPDX-License-Identifier: Apache-2.0 */
/* main.c — the `spry` command line: dispatches to inspect, run, bench and ops and prints usage. */
#include <stdio.h>
#include <string.h>

#include "cli_common.h"
#include "commands.h"

typedef struct SpryCommand {
  const char *name;
  int (*main)(int argc, char **argv);
  const char *usage;
} SpryCommand;

static const SpryCommand commands[] = {
    {"inspect", spry_cmd_inspect,
     "usage: spry inspect MODEL [--json] [--ops]\n"
     "  Describe a model: inputs, outputs, operators and the planned arena.\n"
     "  --json   one JSON object: inputs, outputs, ops, subgraphs, arena_bytes\n"
     "  --ops    the model's builtin ops as a meson array, for -Dops=...\n"},
    {"run", spry_cmd_run,
     "usage: spry run MODEL [-i INPUT.bin]... [-o OUTDIR] [--threads N] [--delegate NAME]\n"
     "                [--image FILE] [--labels FILE] [--top-k N]\n"
     "  Run the model once. The i-th -i file holds the raw little-endian bytes of\n"
     "  input i (its size must match exactly); inputs without a file are zero.\n"
     "  Outputs are written to OUTDIR/output_<i>.bin.\n"
     "  -i, --input FILE    raw bytes of the next input\n"
     "  -o, --output DIR    where to write the outputs (created if missing); without\n"
     "                      -o: the current directory, unless top-k was printed\n"
     "  --threads N         worker threads (default 1)\n"
     "  --delegate NAME     run on a delegate (available: cpu)\n"
     "  --image FILE        fill input 0 of an image model from a BMP file, resized\n"
     "                      bilinearly; uint8 inputs get pixel values, int8 inputs\n"
     "                      pixel - 128, float32 inputs (pixel - 127.5) / 127.5\n"
     "  --labels FILE       class names, one per line (default: the model's own)\n"
     "  --top-k N           print the N best classes (default 5 when labels exist)\n"},
    {"bench", spry_cmd_bench,
     "usage: spry bench MODEL [--threads N] [--runs N] [--warmup N] [--profile [--top N]]\n"
     "                  [--json]\n"
     "  Time repeated invokes on zero inputs.\n"
     "  --threads N   worker threads (default 1)\n"
     "  --runs N      timed invokes (default 50)\n"
     "  --warmup N    untimed invokes first (default 1)\n"
     "  --profile     also time every operator: ms per run of each op type\n"
     "  --top N       with --profile: the N slowest nodes (index, op, output\n"
     "                shape, ms per run), slowest first\n"
     "  --json        one JSON object on stdout\n"},
    {"ops", spry_cmd_ops,
     "usage: spry ops [--json]\n"
     "  List the operators this build can run (builtin and custom names) with the\n"
     "  model operator versions each accepts.\n"
     "  --json   one JSON object: ops [{op, builtin_code, custom, min_version,\n"
     "           max_version}]\n"},
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static const SpryCommand *find_command(const char *name) {
  for (size_t i = 0; i < COMMAND_COUNT; i++)
    if (strcmp(commands[i].name, name) == 0) return &commands[i];
  return NULL;
}

bool spry_cli_print_usage(FILE *out, const char *command) {
  if (command) {
    const SpryCommand *c = find_command(command);
    if (!c) return false;
    fputs(c->usage, out);
    return true;
  }
  fputs("usage: spry COMMAND [ARGS]\n"
        "  spry inspect MODEL [--json] [--ops]\n"
        "  spry run MODEL [-i INPUT.bin]... [-o OUTDIR] [--threads N] [--delegate NAME]\n"
        "                 [--image FILE] [--labels FILE] [--top-k N]\n"
        "  spry bench MODEL [--threads N] [--runs N] [--warmup N] [--profile [--top N]]\n"
        "                   [--json]\n"
        "  spry ops [--json]\n"
        "  spry help COMMAND | spry --help | spry --version\n"
        "Exit status: 0 success, 1 a model or input to fix, 2 a usage error.\n",
        out);
  return true;
}

static int help(int argc, char **argv) {
  if (argc > 3) return spry_cli_usage_error(NULL, "help takes one command name");
  if (argc < 3) {
    spry_cli_print_usage(stdout, NULL);
    return SPRY_EXIT_OK;
  }
  if (!spry_cli_print_usage(stdout, argv[2]))
    return spry_cli_usage_error(NULL, "unknown command '%s'", argv[2]);
  return SPRY_EXIT_OK;
}

int main(int argc, char **argv) {
  if (argc < 2) return spry_cli_usage_error(NULL, "missing command");
  const char *name = argv[1];
  if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0) {
    spry_cli_print_usage(stdout, NULL);
    return SPRY_EXIT_OK;
  }
  if (strcmp(name, "--version") == 0) {
    printf("spry %s\n", SPRY_VERSION_STRING);
    return SPRY_EXIT_OK;
  }
  if (strcmp(name, "help") == 0) return help(argc, argv);
  const SpryCommand *c = find_command(name);
  if (!c) return spry_cli_usage_error(NULL, "unknown command '%s'", name);
  /* Commands see their own arguments only. */
  int status = c->main(argc - 2, argv + 2);
  if (fflush(stdout) != 0 && status == SPRY_EXIT_OK)
    status = spry_cli_fail("cannot write to standard output");
  return status;
}
