/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_ops.c — `spry ops`: the operators this build can run, with their version ranges, as text or JSON. */
#include <stdio.h>

#include "cli_common.h"
#include "commands.h"
#include "json_writer.h"

#include <spry/op.h>
#include <spry/spry.h>

enum { OPT_JSON = 1, OPT_HELP };

static const SpryCliOption ops_options[] = {
    {"json", 0, false, OPT_JSON},
    {"help", 'h', false, OPT_HELP},
    {NULL, 0, false, 0},
};

/* Builtin name, custom name, or BUILTIN_<code> for a code this library
 * has no name for. */
static const char *registration_name(const SpryOpRegistration *r, char *buf, size_t size) {
  if (r->builtin_code == SPRY_BUILTIN_CUSTOM && r->custom_name) return r->custom_name;
  const char *name = spry_builtin_op_name(r->builtin_code);
  if (name) return name;
  snprintf(buf, size, "BUILTIN_%d", (int)r->builtin_code);
  return buf;
}

static void print_json(void) {
  SpryJson j;
  spry_json_init(&j, stdout);
  spry_json_begin_object(&j);
  spry_json_key(&j, "ops");
  spry_json_begin_array(&j);
  for (int32_t i = 0; i < spry_resolver_count(NULL); i++) {
    const SpryOpRegistration *r = spry_resolver_registration(NULL, i);
    char buf[32];
    spry_json_begin_object(&j);
    spry_json_key(&j, "op");
    spry_json_string(&j, registration_name(r, buf, sizeof buf));
    spry_json_key(&j, "builtin_code");
    spry_json_int(&j, r->builtin_code);
    spry_json_key(&j, "custom");
    spry_json_bool(&j, r->builtin_code == SPRY_BUILTIN_CUSTOM);
    spry_json_key(&j, "min_version");
    spry_json_int(&j, r->min_version);
    spry_json_key(&j, "max_version");
    spry_json_int(&j, r->max_version);
    spry_json_end_object(&j);
  }
  spry_json_end_array(&j);
  spry_json_end_object(&j);
  fputc('\n', stdout);
}

static void print_text(void) {
  for (int32_t i = 0; i < spry_resolver_count(NULL); i++) {
    const SpryOpRegistration *r = spry_resolver_registration(NULL, i);
    char buf[32];
    printf("%-32s v%d..%d%s\n", registration_name(r, buf, sizeof buf), (int)r->min_version,
           (int)r->max_version, r->builtin_code == SPRY_BUILTIN_CUSTOM ? "  (custom)" : "");
  }
}

int spry_cmd_ops(int argc, char **argv) {
  SpryCliParser p;
  spry_cli_parser_init(&p, "ops", argc, argv);
  bool json = false;
  int id;
  const char *value;
  for (SpryCliNext k; (k = spry_cli_next(&p, ops_options, &id, &value)) != SPRY_CLI_END;) {
    if (k == SPRY_CLI_BAD) return SPRY_EXIT_USAGE;
    if (k == SPRY_CLI_OPERAND)
      return spry_cli_usage_error("ops", "unexpected argument '%s'", value);
    if (id == OPT_HELP) {
      spry_cli_print_usage(stdout, "ops");
      return SPRY_EXIT_OK;
    }
    json = true;
  }
  if (json)
    print_json();
  else
    print_text();
  return SPRY_EXIT_OK;
}
