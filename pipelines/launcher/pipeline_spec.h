/* SPDX-License-Identifier: Apache-2.0 */
/* pipeline_spec.h — named pipeline descriptions (`pipelines/NAME.pipeline`) and how they are found. */
#ifndef SPRY_PIPELINE_SPEC_H
#define SPRY_PIPELINE_SPEC_H

#include <glib.h>

/* One `.pipeline` file (a GKeyFile):
 *
 *   [pipeline]
 *   summary=one line for `spry-pipeline list`
 *   camera=live source, used unless file= or source= is given
 *   file=source that reads the file named by the file= key
 *   process=everything after the source (ends with the results sink)
 *   [defaults]
 *   key=value used when the command line does not give the key
 *   [keys]
 *   key=element.property  (extra keys; see launch_config.h for the common ones)
 */
typedef struct SpryPipelineSpec {
  gchar *name;       /* file name without ".pipeline" */
  gchar *summary;
  gchar *camera;
  gchar *file;
  gchar *process;
  GHashTable *defaults; /* key -> value */
  GHashTable *keys;     /* key -> "element.property" */
} SpryPipelineSpec;

/* The folder holding the .pipeline files: $SPRY_PIPELINES_DIR, else the
 * installed one. */
const gchar *spry_pipeline_dir(void);

/* Loads `dir`/`name`.pipeline; NULL with `error` set when it is missing or
 * lacks a required field. */
SpryPipelineSpec *spry_pipeline_spec_load(const gchar *dir, const gchar *name, GError **error);
void spry_pipeline_spec_free(SpryPipelineSpec *spec);

/* The names of every .pipeline file in `dir`, sorted (NULL with `error` when
 * the folder cannot be read). */
GPtrArray *spry_pipeline_spec_names(const gchar *dir, GError **error);

#endif /* SPRY_PIPELINE_SPEC_H */
