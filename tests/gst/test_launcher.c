/* SPDX-License-Identifier: Apache-2.0 */
/* test_launcher.c — `spry-pipeline`: listing, every pipeline on files, live sources, restarts and errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "pipeline_util.h"

/* What one launcher run left behind. */
typedef struct Launch {
  gint status; /* exit status, or -1 when it did not exit normally */
  gchar *out;
  gchar *err;
} Launch;

static const gchar *launcher_path(void) {
  const gchar *path = g_getenv("SPRY_PIPELINE_BIN");
  assert_non_null(path);
  return path;
}

static void launch_clear(Launch *launch) {
  g_free(launch->out);
  g_free(launch->err);
}

static GSubprocess *spawn(const gchar *const *args) {
  GPtrArray *argv = g_ptr_array_new();
  g_ptr_array_add(argv, (gpointer)launcher_path());
  for (const gchar *const *a = args; *a; a++) g_ptr_array_add(argv, (gpointer)*a);
  g_ptr_array_add(argv, NULL);
  GError *error = NULL;
  GSubprocess *process = g_subprocess_newv((const gchar *const *)argv->pdata,
      G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error);
  g_ptr_array_free(argv, TRUE);
  if (!process) fail_msg("spawn: %s", error->message);
  return process;
}

static void finish(GSubprocess *process, Launch *launch) {
  GError *error = NULL;
  memset(launch, 0, sizeof(*launch));
  if (!g_subprocess_communicate_utf8(process, NULL, NULL, &launch->out, &launch->err, &error))
    fail_msg("communicate: %s", error->message);
  launch->status = g_subprocess_get_if_exited(process) ? g_subprocess_get_exit_status(process) : -1;
  g_object_unref(process);
  if (launch->status != 0) g_printerr("launcher stderr:\n%s", launch->err);
}

/* Runs the launcher with a NULL-terminated argument list. */
static void launch_args(Launch *launch, const gchar *const *args) {
  finish(spawn(args), launch);
}

#define LAUNCH(launch, ...) launch_args((launch), (const gchar *const[]){__VA_ARGS__, NULL})

static gchar *data_file(const gchar *relative) {
  return g_build_filename(test_data_dir(), "..", "..", relative, NULL);
}

static guint count_occurrences(const gchar *text, const gchar *needle) {
  guint n = 0;
  for (const gchar *p = strstr(text, needle); p; p = strstr(p + 1, needle)) n++;
  return n;
}

static JsonObject *first_classification(JsonNode *line) {
  JsonArray *classes = json_object_get_array_member(json_node_get_object(line), "classifications");
  assert_true(json_array_get_length(classes) > 0);
  return json_array_get_object_element(classes, 0);
}

static void test_list(void **state) {
  (void)state;
  Launch l;
  LAUNCH(&l, "list");
  assert_int_equal(l.status, 0);
  assert_non_null(strstr(l.out, "classify "));
  assert_non_null(strstr(l.out, "detect "));
  assert_non_null(strstr(l.out, "segment "));
  assert_non_null(strstr(l.out, "person-presence "));
  assert_non_null(strstr(l.out, "keyword "));
  launch_clear(&l);
}

/* The bundled MobileNet v1 0.25 on the bundled photo, results on stdout. */
static void test_classify_image_stdout(void **state) {
  (void)state;
  gchar *image = data_file("data/grace_hopper.bmp");
  gchar *arg = g_strconcat("file=", image, NULL);
  Launch l;
  LAUNCH(&l, "classify", arg, "top-k=3");
  assert_int_equal(l.status, 0);
  GPtrArray *lines = parse_json_lines(l.out);
  assert_non_null(lines);
  assert_int_equal(lines->len, 1);
  JsonNode *line = g_ptr_array_index(lines, 0);
  JsonArray *classes = json_object_get_array_member(json_node_get_object(line), "classifications");
  assert_int_equal(json_array_get_length(classes), 3);
  /* The engine is bit-exact and the input is the 512x600 photo resized to
   * 128x128 bilinearly at half-pixel centres (no antialiasing), so the
   * quantized score is exact: 53/256. A plain numpy resize by that definition
   * fed to `spry run` gives the same scores (401: 53, 835: 32, 458: 21 /256);
   * GStreamer's wider resampling filter used to give 98/256. */
  JsonObject *top = first_classification(line);
  assert_int_equal(json_object_get_int_member(top, "index"), 401);
  assert_string_equal(json_object_get_string_member(top, "label"),
                      "academic gown, academic robe, judge's robe");
  assert_true(json_object_get_double_member(top, "score") == 53.0 / 256.0);
  assert_non_null(strstr(l.err, "done: 1 frame in "));
  assert_non_null(strstr(l.err, "1 inference ("));
  g_ptr_array_unref(lines);
  launch_clear(&l);
  g_free(arg);
  g_free(image);
}

/* A video file: one JSON line per frame, in order, to output=PATH. */
static void test_classify_video_file(void **state) {
  (void)state;
  gchar *video = temp_path(".avi");
  gchar *make = g_strdup_printf("videotestsrc num-buffers=8 pattern=ball ! "
                                "video/x-raw,width=160,height=120,framerate=10/1 ! jpegenc ! "
                                "avimux ! filesink location=%s", video);
  gchar *error = NULL;
  assert_true(run_pipeline(make, 60, &error));
  gchar *out = temp_path(".jsonl");
  gchar *file_arg = g_strconcat("file=", video, NULL);
  gchar *out_arg = g_strconcat("output=", out, NULL);
  Launch l;
  LAUNCH(&l, "classify", file_arg, out_arg, "decode.top-k=1");
  assert_int_equal(l.status, 0);
  assert_string_equal(l.out, "");
  GPtrArray *lines = read_json_lines(out);
  assert_non_null(lines);
  assert_int_equal(lines->len, 8);
  for (guint i = 0; i < lines->len; i++) {
    JsonObject *o = json_node_get_object(g_ptr_array_index(lines, i));
    assert_int_equal(json_object_get_int_member(o, "frame"), i);
    assert_int_equal(json_object_get_int_member(o, "pts"), (gint64)i * 100000000);
    assert_int_equal(json_object_get_int_member(o, "width"), 160);
    assert_int_equal(json_array_get_length(json_object_get_array_member(o, "classifications")), 1);
  }
  g_ptr_array_unref(lines);
  launch_clear(&l);
  remove(out);
  remove(video);
  g_free(out_arg);
  g_free(file_arg);
  g_free(out);
  g_free(make);
  g_free(video);
}

/* person-presence on a video of an empty scene (1 s), a person (2 s) and the
 * empty scene again (2 s) at 10 fps: one event each way, 3 inferences after
 * each change (the hold). */
static void test_person_presence(void **state) {
  (void)state;
  gchar *empty = test_shared_path_or_skip("media/no_person.bmp");
  gchar *person = test_shared_path_or_skip("media/person.bmp");
  gchar *video = temp_path(".avi");
  gchar *make = g_strdup_printf(
      "concat name=c ! videoconvert ! jpegenc ! avimux ! filesink location=%s "
      "filesrc location=%s ! decodebin ! videoconvert ! imagefreeze num-buffers=10 ! "
      "video/x-raw,framerate=10/1 ! c. "
      "filesrc location=%s ! decodebin ! videoconvert ! imagefreeze num-buffers=20 ! "
      "video/x-raw,framerate=10/1 ! c. "
      "filesrc location=%s ! decodebin ! videoconvert ! imagefreeze num-buffers=20 ! "
      "video/x-raw,framerate=10/1 ! c.",
      video, empty, person, empty);
  gchar *error = NULL;
  if (!run_pipeline(make, 60, &error)) fail_msg("making the video: %s", error);
  gchar *file_arg = g_strconcat("file=", video, NULL);
  Launch l;
  LAUNCH(&l, "person-presence", file_arg);
  assert_int_equal(l.status, 0);
  GPtrArray *lines = parse_json_lines(l.out);
  assert_non_null(lines);
  assert_int_equal(lines->len, 2);
  static const gchar *const events[] = {"appeared", "left"};
  static const gint64 times[] = {1200000000, 3200000000};
  for (guint i = 0; i < 2; i++) {
    JsonObject *o = json_node_get_object(g_ptr_array_index(lines, i));
    assert_string_equal(json_object_get_string_member(o, "event"), events[i]);
    assert_string_equal(json_object_get_string_member(o, "label"), "person");
    assert_int_equal(json_object_get_int_member(o, "pts"), times[i]);
  }
  g_ptr_array_unref(lines);
  launch_clear(&l);
  /* A property typed as element.property beats the pipeline's default for
   * the same property given through its short key (threshold=0.55). */
  LAUNCH(&l, "person-presence", file_arg, "decode.threshold=0.99");
  assert_int_equal(l.status, 0);
  assert_string_equal(l.out, "");
  launch_clear(&l);
  remove(video);
  g_free(file_arg);
  g_free(make);
  g_free(video);
  g_free(person);
  g_free(empty);
}

/* A live source: every frame comes out, and stderr reports fps and latency. */
static void test_live_source(void **state) {
  (void)state;
  gchar *out = temp_path(".jsonl");
  gchar *out_arg = g_strconcat("output=", out, NULL);
  Launch l;
  LAUNCH(&l, "classify",
         "source=videotestsrc is-live=true num-buffers=45 ! video/x-raw,width=320,height=240,"
         "framerate=30/1",
         out_arg, "stats-interval=0.5");
  assert_int_equal(l.status, 0);
  GPtrArray *lines = read_json_lines(out);
  assert_non_null(lines);
  assert_int_equal(lines->len, 45);
  assert_non_null(strstr(l.err, "done: 45 frames"));
  assert_non_null(strstr(l.err, " fps)"));
  assert_non_null(strstr(l.err, "latency"));
  g_ptr_array_unref(lines);
  launch_clear(&l);
  remove(out);
  g_free(out_arg);
  g_free(out);
}

/* Ctrl-C on an endless live source ends the stream cleanly: exit 0, every
 * line written is whole. */
static void test_interrupt(void **state) {
  (void)state;
  gchar *out = temp_path(".jsonl");
  gchar *out_arg = g_strconcat("output=", out, NULL);
  GSubprocess *process = spawn((const gchar *const[]){
      "classify", "source=videotestsrc is-live=true ! video/x-raw,width=64,height=48,framerate=30/1",
      out_arg, NULL});
  GPtrArray *lines = NULL;
  for (int i = 0; i < 200 && (!lines || lines->len < 5); i++) { /* up to 20 s */
    g_usleep(100000);
    if (lines) g_ptr_array_unref(lines);
    lines = read_json_lines(out);
  }
  assert_non_null(lines);
  assert_true(lines->len >= 5);
  g_ptr_array_unref(lines);
  g_subprocess_send_signal(process, SIGINT);
  Launch l;
  finish(process, &l);
  assert_int_equal(l.status, 0);
  assert_non_null(strstr(l.err, "interrupted"));
  lines = read_json_lines(out);
  assert_non_null(lines);
  g_ptr_array_unref(lines);
  launch_clear(&l);
  remove(out);
  g_free(out_arg);
  g_free(out);
}

/* A live source that fails is restarted, up to max-restarts. */
static void test_restarts_live_source(void **state) {
  (void)state;
  Launch l;
  LAUNCH(&l, "classify", "device=/dev/spry-no-such-camera", "max-restarts=2", "restart-delay=0");
  assert_int_equal(l.status, 1);
  assert_int_equal(count_occurrences(l.err, "restarting in"), 2);
  assert_non_null(strstr(l.err, "(restart 2 of 2)"));
  assert_non_null(strstr(l.err, "spry-pipeline: src: "));
  launch_clear(&l);
}

typedef struct BadCase {
  const gchar *args[4];
  const gchar *message; /* expected in stderr, after "spry-pipeline: " */
} BadCase;

/* Mistakes a user makes: each one exit status 1 and a message that says what to fix. */
static void test_errors(void **state) {
  (void)state;
  gchar *image = data_file("data/grace_hopper.bmp");
  gchar *file_arg = g_strconcat("file=", image, NULL);
  gchar *not_model = g_strconcat("model=", image, NULL);
  const BadCase cases[] = {
      {{"no-such-pipeline"}, "no pipeline named 'no-such-pipeline'"},
      {{"../classify"}, "'../classify' is not a pipeline name"},
      {{"classify", "colour=red"}, "unknown key 'colour' for pipeline 'classify'"},
      {{"classify", "file"}, "'file': arguments are key=value"},
      {{"classify", "file=/no/such/photo.bmp"}, "file=/no/such/photo.bmp: no such file"},
      {{"classify", file_arg, "model=absent.tflite"}, "model=absent.tflite: not found"},
      {{"classify", file_arg, "threads=many"}, "threads=many: not a valid value"},
      {{"classify", file_arg, "top-k=0"}, "top-k=0: not a valid value"},
      {{"classify", file_arg, "device=/dev/video0"}, "device=/dev/video0 does not apply here"},
      {{"classify", file_arg, "nothing.model=x"}, "nothing.model=x does not apply here: no element of that name"},
      {{"classify", file_arg, "source=videotestsrc"}, "give either file= or source=, not both"},
      {{"classify", file_arg, "max-restarts=-1"}, "max-restarts=-1: expected a number"},
      {{"classify", file_arg, not_model}, "infer: "},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    Launch l;
    launch_args(&l, cases[i].args);
    gchar *expected = g_strconcat("spry-pipeline: ", cases[i].message, NULL);
    if (l.status != 1 || !strstr(l.err, expected))
      fail_msg("case %zu (%s): status %d, stderr: %s", i, cases[i].args[0], l.status, l.err);
    g_free(expected);
    launch_clear(&l);
  }
  g_free(not_model);
  g_free(file_arg);
  g_free(image);
}

static void test_usage(void **state) {
  (void)state;
  Launch l;
  launch_args(&l, (const gchar *const[]){NULL});
  assert_int_equal(l.status, 1);
  assert_non_null(strstr(l.err, "Usage: spry-pipeline list"));
  launch_clear(&l);
}

/* The shared models: each pipeline on the shared media, as the README runs them. */
static void run_shared(const gchar *pipeline, const gchar *media, const gchar *model_arg,
                       JsonObject **result, GPtrArray **keep) {
  gchar *path = test_shared_path_or_skip(media);
  gchar *file_arg = g_strconcat("file=", path, NULL);
  Launch l;
  if (model_arg) LAUNCH(&l, pipeline, file_arg, model_arg);
  else LAUNCH(&l, pipeline, file_arg);
  assert_int_equal(l.status, 0);
  *keep = parse_json_lines(l.out);
  assert_non_null(*keep);
  assert_int_equal((*keep)->len, 1);
  *result = json_node_get_object(g_ptr_array_index(*keep, 0));
  launch_clear(&l);
  g_free(file_arg);
  g_free(path);
}

static void test_shared_classify(void **state) {
  (void)state;
  JsonObject *o;
  GPtrArray *keep;
  run_shared("classify", "media/grace_hopper.bmp", "model=mobilenet_v2_1.0_224_quant.tflite", &o,
             &keep);
  JsonObject *top = json_array_get_object_element(json_object_get_array_member(o, "classifications"), 0);
  assert_string_equal(json_object_get_string_member(top, "label"), "military uniform");
  g_ptr_array_unref(keep);
}

static void test_shared_detect(void **state) {
  (void)state;
  JsonObject *o;
  GPtrArray *keep;
  run_shared("detect", "media/grace_hopper.bmp", NULL, &o, &keep);
  JsonObject *best = json_array_get_object_element(json_object_get_array_member(o, "detections"), 0);
  assert_string_equal(json_object_get_string_member(best, "label"), "person");
  assert_true(json_object_get_double_member(best, "score") > 0.5);
  g_ptr_array_unref(keep);
}

static void test_shared_segment(void **state) {
  (void)state;
  JsonObject *o;
  GPtrArray *keep;
  run_shared("segment", "media/dog_segmentation_256.bmp", NULL, &o, &keep);
  JsonArray *classes = json_object_get_array_member(
      json_object_get_object_member(o, "segmentation"), "classes");
  gdouble dog = 0;
  for (guint i = 0; i < json_array_get_length(classes); i++) {
    JsonObject *c = json_array_get_object_element(classes, i);
    if (!strcmp(json_object_get_string_member(c, "label"), "dog"))
      dog = json_object_get_double_member(c, "fraction");
  }
  assert_true(dog > 0.5 && dog < 0.6); /* the dog fills 55% of the picture */
  g_ptr_array_unref(keep);
}

/* The keywords of one shared clip (NULL: none may be found). */
static void check_keyword_clip(const gchar *clip, const gchar *expected) {
  gchar *relative = g_strdup_printf("media/%s_1000ms.wav", clip);
  gchar *path = test_shared_path_or_skip(relative);
  gchar *file_arg = g_strconcat("file=", path, NULL);
  Launch l;
  LAUNCH(&l, "keyword", file_arg);
  assert_int_equal(l.status, 0);
  GPtrArray *lines = parse_json_lines(l.out);
  assert_non_null(lines);
  if (expected) {
    assert_int_equal(lines->len, 1);
    JsonObject *o = json_node_get_object(g_ptr_array_index(lines, 0));
    assert_string_equal(json_object_get_string_member(o, "keyword"), expected);
  } else {
    assert_int_equal(lines->len, 0);
  }
  g_ptr_array_unref(lines);
  launch_clear(&l);
  g_free(file_arg);
  g_free(path);
  g_free(relative);
}

static void test_keyword_clips(void **state) {
  (void)state;
  check_keyword_clip("yes", "yes");
  check_keyword_clip("no", "no");
  check_keyword_clip("silence", NULL);
  check_keyword_clip("noise", NULL);
}

/* Eleven one-second clips in a row: each word is found once, inside its own
 * clip (within 200 ms of its edges), and nothing else is. */
static void test_keyword_long_stream(void **state) {
  (void)state;
  static const gchar *const clips[] = {"silence", "yes", "silence", "silence", "no", "silence",
                                       "noise", "yes", "silence", "no", "silence"};
  GString *make = g_string_new(NULL);
  gchar *wav = temp_path(".wav");
  g_string_append_printf(make, "concat name=c ! audioconvert ! "
                         "audio/x-raw,format=S16LE,rate=16000,channels=1 ! wavenc ! "
                         "filesink location=%s", wav);
  for (gsize i = 0; i < G_N_ELEMENTS(clips); i++) {
    gchar *relative = g_strdup_printf("media/%s_1000ms.wav", clips[i]);
    gchar *path = test_shared_path_or_skip(relative);
    g_string_append_printf(make, " filesrc location=%s ! wavparse ! audioconvert ! c.", path);
    g_free(path);
    g_free(relative);
  }
  gchar *error = NULL;
  if (!run_pipeline(make->str, 60, &error)) fail_msg("making the stream: %s", error);
  gchar *file_arg = g_strconcat("file=", wav, NULL);
  Launch l;
  LAUNCH(&l, "keyword", file_arg);
  assert_int_equal(l.status, 0);
  GPtrArray *lines = parse_json_lines(l.out);
  assert_non_null(lines);
  guint found = 0;
  for (gsize i = 0; i < G_N_ELEMENTS(clips); i++) {
    if (strcmp(clips[i], "yes") && strcmp(clips[i], "no")) continue;
    assert_true(found < lines->len);
    JsonObject *o = json_node_get_object(g_ptr_array_index(lines, found++));
    gint64 pts = json_object_get_int_member(o, "pts");
    assert_string_equal(json_object_get_string_member(o, "keyword"), clips[i]);
    if (pts < (gint64)i * 1000000000 - 200000000 || pts > (gint64)(i + 1) * 1000000000 + 200000000)
      fail_msg("\"%s\" of clip %zu reported at %" G_GINT64_FORMAT " ns", clips[i], i, pts);
  }
  assert_int_equal(lines->len, found);
  g_ptr_array_unref(lines);
  launch_clear(&l);
  remove(wav);
  g_free(file_arg);
  g_free(error);
  g_free(wav);
  g_string_free(make, TRUE);
}

int main(int argc, char **argv) {
  gst_init(&argc, &argv);
  const struct CMUnitTest quick[] = {
      cmocka_unit_test(test_list),
      cmocka_unit_test(test_usage),
      cmocka_unit_test(test_classify_image_stdout),
      cmocka_unit_test(test_classify_video_file),
      cmocka_unit_test(test_live_source),
      cmocka_unit_test(test_interrupt),
      cmocka_unit_test(test_restarts_live_source),
      cmocka_unit_test(test_errors),
  };
  const struct CMUnitTest shared[] = {
      cmocka_unit_test(test_shared_classify),
      cmocka_unit_test(test_shared_detect),
      cmocka_unit_test(test_shared_segment),
      cmocka_unit_test(test_person_presence),
      cmocka_unit_test(test_keyword_clips),
      cmocka_unit_test(test_keyword_long_stream),
  };
  if (argc > 1 && !strcmp(argv[1], "shared")) return cmocka_run_group_tests(shared, NULL, NULL);
  return cmocka_run_group_tests(quick, NULL, NULL);
}
