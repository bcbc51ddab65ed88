/* SPDX-License-Identifier: Apache-2.0 */
/* pipeline_spec.c — reads `.pipeline` files with GLib's key-file parser. */
#include "pipeline_spec.h"

#include <string.h>

#define SPEC_SUFFIX ".pipeline"

const gchar *spry_pipeline_dir(void) {
  const gchar *dir = g_getenv("SPRY_PIPELINES_DIR");
  return dir && *dir ? dir : SPRY_INSTALLED_PIPELINES_DIR;
}

static gboolean is_valid_name(const gchar *name) {
  if (!*name) return FALSE;
  for (const gchar *c = name; *c; c++)
    if (!g_ascii_isalnum(*c) && *c != '-' && *c != '_') return FALSE;
  return TRUE;
}

/* Copies every key of `group` (if present) into a new table. */
static GHashTable *read_group(GKeyFile *file, const gchar *group) {
  GHashTable *table = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  gchar **keys = g_key_file_get_keys(file, group, NULL, NULL);
  for (gchar **k = keys; k && *k; k++) {
    gchar *value = g_key_file_get_string(file, group, *k, NULL);
    if (value) g_hash_table_insert(table, g_strdup(*k), g_strstrip(value));
  }
  g_strfreev(keys);
  return table;
}

static gchar *read_required(GKeyFile *file, const gchar *path, const gchar *key, GError **error) {
  gchar *value = g_key_file_get_string(file, "pipeline", key, NULL);
  if (!value || !*g_strstrip(value)) {
    g_free(value);
    g_set_error(error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                "%s: [pipeline] has no '%s'", path, key);
    return NULL;
  }
  return value;
}

SpryPipelineSpec *spry_pipeline_spec_load(const gchar *dir, const gchar *name, GError **error) {
  if (!is_valid_name(name)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                "'%s' is not a pipeline name (letters, digits, '-' and '_')", name);
    return NULL;
  }
  gchar *base = g_strconcat(name, SPEC_SUFFIX, NULL);
  gchar *path = g_build_filename(dir, base, NULL);
  g_free(base);
  GKeyFile *file = g_key_file_new();
  SpryPipelineSpec *spec = NULL;
  GError *local = NULL;
  if (!g_key_file_load_from_file(file, path, G_KEY_FILE_NONE, &local)) {
    if (g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                  "no pipeline named '%s' in %s (`spry-pipeline list` shows them)", name, dir);
    else
      g_set_error(error, local->domain, local->code, "%s: %s", path, local->message);
    g_clear_error(&local);
    goto out;
  }
  spec = g_new0(SpryPipelineSpec, 1);
  spec->name = g_strdup(name);
  spec->summary = g_key_file_get_string(file, "pipeline", "summary", NULL);
  if (!(spec->camera = read_required(file, path, "camera", error)) ||
      !(spec->file = read_required(file, path, "file", error)) ||
      !(spec->process = read_required(file, path, "process", error))) {
    spry_pipeline_spec_free(spec);
    spec = NULL;
    goto out;
  }
  spec->defaults = read_group(file, "defaults");
  spec->keys = read_group(file, "keys");
out:
  g_key_file_free(file);
  g_free(path);
  return spec;
}

void spry_pipeline_spec_free(SpryPipelineSpec *spec) {
  if (!spec) return;
  g_free(spec->name);
  g_free(spec->summary);
  g_free(spec->camera);
  g_free(spec->file);
  g_free(spec->process);
  if (spec->defaults) g_hash_table_unref(spec->defaults);
  if (spec->keys) g_hash_table_unref(spec->keys);
  g_free(spec);
}

static gint compare_names(gconstpointer a, gconstpointer b) {
  return strcmp(*(const gchar *const *)a, *(const gchar *const *)b);
}

GPtrArray *spry_pipeline_spec_names(const gchar *dir, GError **error) {
  GDir *folder = g_dir_open(dir, 0, error);
  if (!folder) return NULL;
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  const gchar *entry;
  while ((entry = g_dir_read_name(folder))) {
    if (!g_str_has_suffix(entry, SPEC_SUFFIX)) continue;
    gchar *name = g_strndup(entry, strlen(entry) - strlen(SPEC_SUFFIX));
    if (is_valid_name(name)) g_ptr_array_add(names, name);
    else g_free(name);
  }
  g_dir_close(folder);
  g_ptr_array_sort(names, compare_names);
  return names;
}
