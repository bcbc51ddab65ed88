/* SPDX-License-Identifier: Apache-2.0 */
/* commands.h — entry points of the spry subcommands (argv holds the arguments after the command name). */
#ifndef SPRY_TOOLS_COMMANDS_H
#define SPRY_TOOLS_COMMANDS_H

int spry_cmd_inspect(int argc, char **argv);
int spry_cmd_run(int argc, char **argv);
int spry_cmd_bench(int argc, char **argv);
int spry_cmd_ops(int argc, char **argv);

#endif /* SPRY_TOOLS_COMMANDS_H */
