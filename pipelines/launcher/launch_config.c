/* SPDX-License-Identifier: Apache-2.0 */
/* launch_config.c — key=value arguments, their defaults, file look-up and element properties. */
#include "launch_config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_ERROR g_quark_from_static_string("spry-launch-config")

typedef struct KeyTarget {
  const gchar *key;
  const gchar *target; /* element.property */
} KeyTarget;

static const KeyTarget common_keys[] = {
    {"model", "infer.model"},     {"labels", "decode.labels"}, {"threads", "infer.threads"},
    {"output", "publish.location"}, {"file", "src.location"},  {"device", "src.device"},
};

static const gchar *const launcher_keys[] = {"source", "max-restarts", "restart-delay",
                                             "stats-interval"};

static gboolean is_launcher_key(const gchar *key) {
  for (gsize i = 0; i < G_N_ELEMENTS(launcher_keys); i++)
    if (!strcmp(key, launcher_keys[i])) return TRUE;
  return FALSE;
}

/* The element.property a key sets, or NULL for launcher keys / unknown keys. */
static const gchar *key_target(const SpryPipelineSpec *spec, const gchar *key) {
  const gchar *target = g_hash_table_lookup(spec->keys, key);
  if (target) return target;
  for (gsize i = 0; i < G_N_ELEMENTS(common_keys); i++)
    if (!strcmp(key, common_keys[i].key)) return common_keys[i].target;
  if (strchr(key, '.')) return key;
  return NULL;
}

static gchar *known_keys_text(const SpryPipelineSpec *spec) {
  GString *text = g_string_new(NULL);
  for (gsize i = 0; i < G_N_ELEMENTS(common_keys); i++)
    g_string_append_printf(text, "%s%s", text->len ? ", " : "", common_keys[i].key);
  GList *extra = g_list_sort(g_hash_table_get_keys(spec->keys), (GCompareFunc)strcmp);
  for (GList *l = extra; l; l = l->next) g_string_append_printf(text, ", %s", (gchar *)l->data);
  g_list_free(extra);
  for (gsize i = 0; i < G_N_ELEMENTS(launcher_keys); i++)
    g_string_append_printf(text, ", %s", launcher_keys[i]);
  g_string_append(text, ", element.property");
  return g_string_free(text, FALSE);
}

static gboolean parse_number(const gchar *key, const gchar *text, gdouble max, gdouble *out,
                             GError **error) {
  gchar *end = NULL;
  errno = 0;
  gdouble value = g_ascii_strtod(text, &end);
  if (errno || end == text || *end || !isfinite(value) || value < 0 || value > max) {
    g_set_error(error, CONFIG_ERROR, 0, "%s=%s: expected a number from 0 to %g", key, text, max);
    return FALSE;
  }
  *out = value;
  return TRUE;
}

static gboolean read_launcher_keys(SpryLaunchConfig *config, GError **error) {
  const gchar *text;
  gdouble value;
  config->max_restarts = G_MAXUINT;
  config->restart_delay_s = 2.0;
  config->stats_interval_s = 5.0;
  if ((text = g_hash_table_lookup(config->values, "max-restarts"))) {
    if (!parse_number("max-restarts", text, 1e6, &value, error)) return FALSE;
    config->max_restarts = (guint)value;
  }
  if ((text = g_hash_table_lookup(config->values, "restart-delay"))) {
    if (!parse_number("restart-delay", text, 3600, &value, error)) return FALSE;
    config->restart_delay_s = value;
  }
  if ((text = g_hash_table_lookup(config->values, "stats-interval"))) {
    if (!parse_number("stats-interval", text, 86400, &value, error)) return FALSE;
    config->stats_interval_s = value;
  }
  return TRUE;
}

/* Reads the command line into config->values over the spec's defaults. */
static gboolean read_arguments(SpryLaunchConfig *config, gint argc, gchar **args, GError **error) {
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init(&iter, config->spec->defaults);
  while (g_hash_table_iter_next(&iter, &key, &value))
    g_hash_table_insert(config->values, g_strdup(key), g_strdup(value));
  for (gint i = 0; i < argc; i++) {
    const gchar *eq = strchr(args[i], '=');
    if (!eq || eq == args[i]) {
      g_set_error(error, CONFIG_ERROR, 0, "'%s': arguments are key=value", args[i]);
      return FALSE;
    }
    gchar *name = g_strndup(args[i], (gsize)(eq - args[i]));
    if (!is_launcher_key(name) && !key_target(config->spec, name)) {
      gchar *known = known_keys_text(config->spec);
      g_set_error(error, CONFIG_ERROR, 0, "unknown key '%s' for pipeline '%s' (keys: %s)", name,
                  config->spec->name, known);
      g_free(known);
      g_free(name);
      return FALSE;
    }
    g_hash_table_add(config->from_user, g_strdup(name));
    g_hash_table_insert(config->values, name, g_strdup(eq + 1));
  }
  return TRUE;
}

static gchar *build_description(SpryLaunchConfig *config, GError **error) {
  const gchar *source = g_hash_table_lookup(config->values, "source");
  const gchar *file = g_hash_table_lookup(config->values, "file");
  if (source && file) {
    g_set_error(error, CONFIG_ERROR, 0, "give either file= or source=, not both");
    return NULL;
  }
  if (file && !g_file_test(file, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, CONFIG_ERROR, 0, "file=%s: no such file", file);
    return NULL;
  }
  config->live = file == NULL;
  const gchar *head = source ? source : file ? config->spec->file : config->spec->camera;
  return g_strconcat(head, " ! ", config->spec->process, NULL);
}

gboolean spry_launch_config_init(SpryLaunchConfig *config, const SpryPipelineSpec *spec,
                                 gint argc, gchar **args, GError **error) {
  memset(config, 0, sizeof(*config));
  config->spec = spec;
  config->values = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  config->from_user = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  if (!read_arguments(config, argc, args, error) || !read_launcher_keys(config, error)) return FALSE;
  config->description = build_description(config, error);
  return config->description != NULL;
}

void spry_launch_config_clear(SpryLaunchConfig *config) {
  if (config->values) g_hash_table_unref(config->values);
  if (config->from_user) g_hash_table_unref(config->from_user);
  g_free(config->description);
  memset(config, 0, sizeof(*config));
}

/* A model or labels file: as given when it exists, else from the search path. */
static gchar *find_data_file(const gchar *key, const gchar *name, GError **error) {
  if (g_file_test(name, G_FILE_TEST_IS_REGULAR) || strchr(name, '/')) {
    if (g_file_test(name, G_FILE_TEST_IS_REGULAR)) return g_strdup(name);
    g_set_error(error, CONFIG_ERROR, 0, "%s=%s: no such file", key, name);
    return NULL;
  }
  const gchar *env = g_getenv("SPRY_MODEL_PATH");
  gchar *search = g_strjoin(":", env && *env ? env : "", SPRY_INSTALLED_MODELS_DIR, NULL);
  gchar **dirs = g_strsplit(search, ":", -1);
  gchar *found = NULL;
  for (gchar **d = dirs; *d && !found; d++) {
    if (!**d) continue;
    gchar *path = g_build_filename(*d, name, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR)) found = path;
    else g_free(path);
  }
  if (!found)
    g_set_error(error, CONFIG_ERROR, 0,
                "%s=%s: not found here, in $SPRY_MODEL_PATH or in %s; give a path", key, name,
                SPRY_INSTALLED_MODELS_DIR);
  g_strfreev(dirs);
  g_free(search);
  return found;
}

/* Converts `text` to the property's type and checks its range. */
static gboolean set_property_from_text(GObject *object, GParamSpec *pspec, const gchar *key,
                                       const gchar *text, GError **error) {
  GValue value = G_VALUE_INIT;
  g_value_init(&value, pspec->value_type);
  gboolean ok = pspec->value_type == G_TYPE_STRING
                    ? (g_value_set_string(&value, text), TRUE)
                    : gst_value_deserialize(&value, text);
  if (ok && g_param_value_validate(pspec, &value)) ok = FALSE; /* it had to be clamped */
  if (ok) g_object_set_property(object, pspec->name, &value);
  else
    g_set_error(error, CONFIG_ERROR, 0, "%s=%s: not a valid value for %s (%s)", key, text,
                pspec->name, g_param_spec_get_blurb(pspec));
  g_value_unset(&value);
  return ok;
}

static gboolean apply_key(const SpryLaunchConfig *config, GstBin *pipeline, const gchar *key,
                          const gchar *value, GError **error) {
  const gchar *target = key_target(config->spec, key);
  const gchar *dot = strrchr(target, '.');
  if (!dot || dot == target || !dot[1]) {
    g_set_error(error, CONFIG_ERROR, 0, "%s: expected element.property", target);
    return FALSE;
  }
  gchar *element_name = g_strndup(target, (gsize)(dot - target));
  const gchar *property = dot + 1;
  GstElement *element = gst_bin_get_by_name(pipeline, element_name);
  GParamSpec *pspec = element ? g_object_class_find_property(G_OBJECT_GET_CLASS(element), property)
                              : NULL;
  gboolean user_given = g_hash_table_contains(config->from_user, key);
  gboolean ok = TRUE;
  if (!pspec) {
    /* A default that does not fit this source (device= with a file) is
     * skipped; a key the user typed must take effect. */
    if (user_given)
      g_set_error(error, CONFIG_ERROR, 0, "%s=%s does not apply here: %s", key, value,
                  element ? "the element has no such property" : "no element of that name");
    ok = !user_given;
  } else if (!strcmp(property, "model") || !strcmp(property, "labels")) {
    gchar *path = find_data_file(key, value, error);
    ok = path && set_property_from_text(G_OBJECT(element), pspec, key, path, error);
    g_free(path);
  } else {
    ok = set_property_from_text(G_OBJECT(element), pspec, key, value, error);
  }
  if (element) gst_object_unref(element);
  g_free(element_name);
  return ok;
}

/* Whether a key the user typed sets the same property as `key` (a default):
 * then the default must not be applied after it. */
static gboolean overridden_by_user(const SpryLaunchConfig *config, const gchar *key) {
  if (g_hash_table_contains(config->from_user, key)) return FALSE;
  const gchar *target = key_target(config->spec, key);
  GHashTableIter iter;
  gpointer user_key;
  g_hash_table_iter_init(&iter, config->from_user);
  while (g_hash_table_iter_next(&iter, &user_key, NULL)) {
    const gchar *user_target = key_target(config->spec, user_key);
    if (target && user_target && !strcmp(target, user_target)) return TRUE;
  }
  return FALSE;
}

gboolean spry_launch_config_apply(const SpryLaunchConfig *config, GstBin *pipeline, GError **error) {
  GHashTableIter iter;
  gpointer key, value;
  g_hash_table_iter_init(&iter, config->values);
  while (g_hash_table_iter_next(&iter, &key, &value)) {
    if (is_launcher_key(key) || overridden_by_user(config, key)) continue;
    if (!strcmp(key, "output") && !strcmp(value, "-")) continue; /* stdout: the default */
    if (!apply_key(config, pipeline, key, value, error)) return FALSE;
  }
  return TRUE;
}
