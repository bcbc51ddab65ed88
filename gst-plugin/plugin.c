/* SPDX-License-Identifier: Apache-2.0 */
/* plugin.c — registers the spry elements and metas with GStreamer. */
#include <gst/gst.h>

#include "gstspryaggregate.h"
#include "gstspryconvert.h"
#include "gstsprydecode.h"
#include "gstspryinfer.h"
#include "gstspryoverlay.h"
#include "gstsprypublish.h"
#include "result_metas.h"
#include "tensor_meta.h"

static gboolean plugin_init(GstPlugin *plugin) {
  /* Register the meta APIs now so that applications find them by name. */
  spry_tensor_meta_get_info();
  spry_classification_meta_api_get_type();
  spry_segmentation_meta_api_get_type();
  spry_keypoints_meta_api_get_type();
  spry_event_meta_api_get_type();
  gboolean ok = GST_ELEMENT_REGISTER(spryinfer, plugin);
  ok &= GST_ELEMENT_REGISTER(sprydecode, plugin);
  ok &= GST_ELEMENT_REGISTER(spryoverlay, plugin);
  ok &= GST_ELEMENT_REGISTER(sprypublish, plugin);
  ok &= GST_ELEMENT_REGISTER(spryconvert, plugin);
  ok &= GST_ELEMENT_REGISTER(spryaggregate, plugin);
  return ok;
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, spry,
                  "TensorFlow Lite inference in media pipelines", plugin_init, VERSION,
                  "Apache 2.0", "Spry", "https://spry.invalid")
