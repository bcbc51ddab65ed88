#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# dev.sh — the developer and CI entry point: installs what is missing (Debian
# bookworm), builds, runs the demo, and runs every test stage.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: tools/dev.sh COMMAND [ARGS]

Commands:
  demo                 install, build, classify data/grace_hopper.bmp with the
                       bundled MobileNet: the top-5 labels from the CLI, then
                       the main job, `spry-pipeline classify` on the same
                       photo (one JSON line)
  build                install, build into build/
  test [--quick] [STAGE...]
                       install, build, run the test stages (default: all).
                       --quick is the first stage only.
  help                 this text

Test stages (in this order):
  unit    every suite (engine, kernels, goldens, tools, extended, ...) in build/
  release an optimised build (-O3, as packagers build) with -Werror, suites
          goldens and kernels, in build-release/
  size    the stripped library's size: every op ≤ 1,000,000 bytes (build/),
          mobilenet_v2's ops only (-Dops=...) ≤ 200,000 bytes, and that
          selective build classifies the demo photo as build/ does, in
          build-size/
  asan    every suite again under ASan+UBSan, in build-asan/
  tsan    suite 'threads' under ThreadSanitizer, in build-tsan/
  fuzz    bounded libFuzzer run of fuzz/fuzz_model (clang), in build-fuzz/
  cross   aarch64 cross build, suites engine/kernels/goldens under qemu
          (an emulated CPU with the dot product: NEON and neondot kernels),
          in build-aarch64/

Environment:
  SPRY_SHARED_DIR   shared models/media for the extended suite (default ../shared)
  FUZZ_SECONDS      libFuzzer time limit (default 120)
  JOBS              parallel build jobs (default: number of CPUs)
  BUILD_DIR         native build directory (default build); the other stages
                    use BUILD_DIR-release, -size, -asan, -tsan, -fuzz and
                    -aarch64
EOF
}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
FUZZ_SECONDS=${FUZZ_SECONDS:-120}
B=${BUILD_DIR:-build}
DEMO_MODEL=tests/data/models/mobilenet_v1_0.25_128_quant.tflite
DEMO_IMAGE=data/grace_hopper.bmp

BASE_PACKAGES=(build-essential meson ninja-build pkg-config libcmocka-dev
               libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools
               gstreamer1.0-plugins-base gstreamer1.0-plugins-good libcairo2-dev libjson-glib-dev)
TEST_PACKAGES=(clang libclang-rt-14-dev gcc-aarch64-linux-gnu libc6-dev-arm64-cross
               qemu-user libcmocka-dev:arm64)
ALL_STAGES=(unit release size asan tsan fuzz cross)

log() { printf 'dev.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# ---- Packages -------------------------------------------------------------------

# True when the package is installed. A package installed for two architectures
# (libcmocka-dev and libcmocka-dev:arm64) must be named with its architecture.
package_installed() {
  local status
  status=$(dpkg -s "$1" 2>/dev/null || dpkg -s "$1:$(dpkg --print-architecture)" 2>/dev/null) ||
    return 1
  grep -q '^Status: install ok installed' <<<"$status"
}

# Installs the named packages that are missing; apt-get update only if needed.
ensure_packages() {
  if ! command -v dpkg >/dev/null || ! command -v apt-get >/dev/null; then
    log "not a Debian system: make sure these are installed: $*"
    return 0
  fi
  local missing=() p
  for p in "$@"; do package_installed "$p" || missing+=("$p"); done
  if ((${#missing[@]} == 0)); then return 0; fi

  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "missing packages (${missing[*]}) and no sudo: install them as root"
    sudo=(sudo)
  fi
  for p in "${missing[@]}"; do
    if [[ $p == *:arm64 ]] && ! dpkg --print-foreign-architectures | grep -qx arm64; then
      log "enabling the arm64 foreign architecture (multiarch) for ${p}"
      "${sudo[@]}" dpkg --add-architecture arm64
      break
    fi
  done
  log "installing: ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# ---- Meson helpers --------------------------------------------------------------

# meson setup DIR ARGS..., reconfiguring when DIR is already a build directory.
meson_setup() {
  local dir=$1
  shift
  if [ -d "$dir/meson-private" ]; then
    meson setup --reconfigure "$dir" "$@"
  else
    meson setup "$dir" "$@"
  fi
}

# Where the extended suite looks for models: SPRY_SHARED_DIR wins over the
# meson default (../shared); passed on every setup so a reconfigure resets it.
shared_dir_option() {
  printf -- '-Dshared_dir=%s' "${SPRY_SHARED_DIR:-}"
}

shared_dir() {
  if [ -n "${SPRY_SHARED_DIR:-}" ]; then
    printf '%s' "$SPRY_SHARED_DIR"
  else
    printf '%s' "$ROOT/../shared"
  fi
}

# Suites registered in a configured build dir, one per line, without the
# "spry:" project prefix.
list_suites() {
  meson introspect --tests "$1" | python3 -c '
import json, sys
names = {s.split(":", 1)[-1] for t in json.load(sys.stdin) for s in t["suite"]}
print("\n".join(sorted(names)))'
}

# True when build dir $1 registers a test in suite $2. (The list is captured
# first: `grep -q` closing the pipe early would fail the pipeline.)
has_suite() {
  local suites
  suites=$(list_suites "$1")
  grep -qx "$2" <<<"$suites"
}

# Path of the executable target NAME in build dir DIR (wherever meson puts it).
executable_path() {
  meson introspect --targets "$1" | python3 -c '
import json, sys
for t in json.load(sys.stdin):
    if t["name"] == sys.argv[1] and t["type"] == "executable":
        print(t["filename"][0])
        break
else:
    sys.exit("no executable target " + sys.argv[1])' "$2"
}

build_native() {
  meson_setup "$B" -Dtests=true "$(shared_dir_option)"
  ninja -C "$B" -j"$JOBS"
}

# ---- Test counting ----------------------------------------------------------------

TOTAL_PASSED=0
TOTAL_FAILED=0
TOTAL_SKIPPED=0

# `meson test ARGS...`, adding its counts to the totals printed at the end.
meson_test() {
  local log rc=0
  log=$(mktemp "${TMPDIR:-/tmp}/spry-meson-test.XXXXXX")
  meson test "$@" 2>&1 | tee "$log" || rc=$?
  TOTAL_PASSED=$((TOTAL_PASSED + $(count_in_log "$log" 'Ok:')))
  TOTAL_FAILED=$((TOTAL_FAILED + $(count_in_log "$log" 'Fail:') + $(count_in_log "$log" 'Timeout:')))
  TOTAL_SKIPPED=$((TOTAL_SKIPPED + $(count_in_log "$log" 'Skipped:')))
  rm -f "$log"
  return "$rc"
}

# The number after KEY on meson's summary line, 0 when absent.
count_in_log() {
  awk -v key="$2" '$1 == key { n = $2 } END { print n + 0 }' "$1"
}

# ---- Stages ----------------------------------------------------------------------

stage_unit() {
  build_native
  meson_test -C "$B" --print-errorlogs --num-processes "$JOBS"
}

# -O3 inlines and vectorises more, and with that GCC finds warnings (maybe
# uninitialised, format truncation) that -O2 does not, and undefined
# behaviour shows as different results: the goldens catch both.
stage_release() {
  meson_setup "$B-release" -Dtests=true -Dbuildtype=release "$(shared_dir_option)"
  ninja -C "$B-release" -j"$JOBS"
  meson_test -C "$B-release" --suite goldens --suite kernels --print-errorlogs \
    --num-processes "$JOBS"
}

# The size goals (docs/performance.md, "Library size"), in bytes, stripped.
FULL_LIBRARY_LIMIT=1000000
SELECTIVE_LIBRARY_LIMIT=200000
# mobilenet_v2_1.0_224_quant's ops (`spry inspect --ops`); the demo model's
# ops are a subset, so the selective build can still classify the photo.
SELECTIVE_OPS=CONV_2D,DEPTHWISE_CONV_2D,ADD,AVERAGE_POOL_2D,RESHAPE,SOFTMAX

# Strips BUILD's libspry into a scratch file and fails if it exceeds LIMIT.
check_library_size() {
  local build=$1 limit=$2 what=$3 lib stripped size
  lib=$(find "$build" -maxdepth 1 -name 'libspry.so.*.*.*' -type f | head -n 1)
  [ -n "$lib" ] || die "size: no libspry.so in $build"
  stripped=$(mktemp "${TMPDIR:-/tmp}/spry-size.XXXXXX")
  strip -o "$stripped" "$lib"
  size=$(stat -c %s "$stripped")
  rm -f "$stripped"
  log "size: libspry.so with $what: $size bytes stripped (limit $limit)"
  ((size <= limit)) || die "size: libspry.so with $what is $size bytes, over $limit"
}

stage_size() {
  build_native
  meson_setup "$B-size" -Dtests=false -Dgst=disabled "-Dops=$SELECTIVE_OPS"
  ninja -C "$B-size" -j"$JOBS"
  check_library_size "$B" "$FULL_LIBRARY_LIMIT" "every op"
  check_library_size "$B-size" "$SELECTIVE_LIBRARY_LIMIT" "mobilenet_v2's ops"
  local full selective
  full=$("$B/tools/spry" run "$DEMO_MODEL" --image "$DEMO_IMAGE")
  selective=$("$B-size/tools/spry" run "$DEMO_MODEL" --image "$DEMO_IMAGE")
  [ "$full" = "$selective" ] || die "size: the selective build's top-5 differs:
$selective
full build:
$full"
  log "size: the selective build's top-5 matches the full build's"
  # Without DENSIFY the model reader skips sparse tensors' index arrays; a
  # sparse model must still be refused by name, not read as dense.
  local sparse=tests/data/goldens/op_densify_f32_block_1x4/model.tflite message
  if message=$("$B-size/tools/spry" run "$sparse" 2>&1); then
    die "size: the selective build ran a sparse model it has no DENSIFY for"
  fi
  [[ $message == *"unsupported op DENSIFY"* ]] ||
    die "size: unexpected refusal of a sparse model: $message"
  log "size: the selective build refuses a sparse model: $message"
}

stage_asan() {
  meson_setup "$B-asan" -Dtests=true "$(shared_dir_option)" \
    -Db_sanitize=address,undefined -Db_lundef=false
  ninja -C "$B-asan" -j"$JOBS"
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:strict_string_checks=1 \
    meson_test -C "$B-asan" --print-errorlogs --num-processes "$JOBS" \
    --timeout-multiplier 3
}

stage_tsan() {
  meson_setup "$B-tsan" -Dtests=true -Dgst=disabled "$(shared_dir_option)" \
    -Db_sanitize=thread -Db_lundef=false
  if ! has_suite "$B-tsan" threads; then
    log "tsan: no test registered in suite 'threads' yet: nothing to run"
    return 0
  fi
  ninja -C "$B-tsan" -j"$JOBS"
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
    meson_test -C "$B-tsan" --suite threads --print-errorlogs --num-processes "$JOBS" \
    --timeout-multiplier 3
}

stage_fuzz() {
  CC=clang meson_setup "$B-fuzz" -Dtests=false -Dfuzzing=true -Dgst=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link
  ninja -C "$B-fuzz" -j"$JOBS" fuzz/fuzz_model

  # Seeds: the in-repo models and the shared ones, copied so libFuzzer never
  # writes into the source tree. New inputs go to a scratch corpus.
  local work seeds corpus artifacts max_len=0 f size
  work=$(mktemp -d "${TMPDIR:-/tmp}/spry-fuzz.XXXXXX")
  seeds=$work/seeds
  corpus=$work/corpus
  artifacts=$ROOT/$B-fuzz/artifacts
  rm -rf "$artifacts" # reproducers of an earlier run would read as this run's
  mkdir -p "$seeds" "$corpus" "$artifacts"
  for f in tests/data/models/*.tflite "$(shared_dir)"/models/*.tflite; do
    [ -f "$f" ] || continue
    cp "$f" "$seeds/"
    size=$(stat -c %s "$f")
    if ((size > max_len)); then max_len=$size; fi
  done
  ((max_len > 0)) || die "fuzz: no seed models found"
  local count
  count=$(find "$seeds" -type f | wc -l)
  log "fuzz: $count seeds, max_len $max_len, ${FUZZ_SECONDS} s"

  local rc=0
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=1 \
    "$B-fuzz/fuzz/fuzz_model" "$corpus" "$seeds" \
    -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -max_len="$max_len" \
    -artifact_prefix="$artifacts/" -print_final_stats=1 2>"$work/fuzz.log" || rc=$?
  grep -E '^(#[0-9]+[[:space:]]+(INITED|DONE)|Done [0-9]+ runs)' \
    "$work/fuzz.log" >&2 || true
  if ((rc != 0)); then
    tail -n 60 "$work/fuzz.log" >&2
    log "fuzz: libFuzzer failed (exit $rc); reproducer(s) in $artifacts:"
    ls -l "$artifacts" >&2
    log "reproduce with: $B-fuzz/fuzz/fuzz_model $artifacts/<file> (see docs/fuzzing.md)"
    rm -rf "$work"
    return 1
  fi
  rm -rf "$work"
}

stage_cross() {
  if [ "$(uname -m)" = aarch64 ]; then
    log "cross: this machine is aarch64 already; the unit stage covered it"
    return 0
  fi
  meson_setup "$B-aarch64" --cross-file cross/aarch64-linux-gnu.ini -Dtests=true -Dgst=disabled \
    "$(shared_dir_option)"
  ninja -C "$B-aarch64" -j"$JOBS"
  # Not 'tools': its script runs the aarch64 `spry` directly, which needs a
  # binfmt_misc registration of qemu that containers usually lack.
  local suites=() s
  for s in engine kernels goldens; do
    if has_suite "$B-aarch64" "$s"; then suites+=(--suite "$s"); fi
  done
  if ((${#suites[@]} == 0)); then
    log "cross: no tests registered in suites engine/kernels/goldens yet"
    return 0
  fi
  # The emulated CPU has the dot product (the cross file's -cpu max): the
  # kernel tests fail if the neondot variant did not run.
  SPRY_TEST_REQUIRE_ISA=neondot \
    meson_test -C "$B-aarch64" "${suites[@]}" --print-errorlogs --num-processes "$JOBS" \
    --timeout-multiplier 5
}

# ---- Stage runner ------------------------------------------------------------------

SUMMARY=()
CURRENT_STAGE=""
CURRENT_START=0

# Runs stage_$1 with a banner and its elapsed time. Not called from a
# condition, so `set -e` stays in force inside the stage.
run_stage() {
  CURRENT_STAGE=$1
  CURRENT_START=$SECONDS
  printf '\n==== dev.sh: stage %s ====\n' "$1" >&2
  "stage_$1"
  local took=$((SECONDS - CURRENT_START))
  printf '==== dev.sh: stage %s passed (%d s) ====\n' "$1" "$took" >&2
  SUMMARY+=("$1 ok ${took}s")
  CURRENT_STAGE=""
}

on_exit() {
  local rc=$?
  if [ -n "$CURRENT_STAGE" ]; then
    SUMMARY+=("$CURRENT_STAGE FAILED $((SECONDS - CURRENT_START))s")
  fi
  if ((TOTAL_PASSED + TOTAL_FAILED + TOTAL_SKIPPED > 0)); then
    # The closing count, alone on its line, on stdout.
    printf 'dev.sh: %d passed, %d failed, %d skipped\n' \
      "$TOTAL_PASSED" "$TOTAL_FAILED" "$TOTAL_SKIPPED"
  fi
  if ((${#SUMMARY[@]} > 0)); then
    local IFS=','
    if ((rc == 0)); then
      printf '\ndev.sh: all stages passed in %d s: %s\n' "$SECONDS" "${SUMMARY[*]}" >&2
    else
      printf '\ndev.sh: FAILED (exit %d) after %d s: %s\n' "$rc" "$SECONDS" "${SUMMARY[*]}" >&2
    fi
  fi
}

cmd_test() {
  local stages=() arg s
  for arg in "$@"; do
    case $arg in
      --quick) stages+=(unit) ;;
      -h|--help) usage; return 0 ;;
      unit|release|size|asan|tsan|fuzz|cross) stages+=("$arg") ;;
      *) log "unknown test stage '$arg'"; usage >&2; exit 2 ;;
    esac
  done
  ((${#stages[@]} > 0)) || stages=("${ALL_STAGES[@]}")

  local packages=("${BASE_PACKAGES[@]}")
  for s in "${stages[@]}"; do
    [ "$s" = unit ] || { packages+=("${TEST_PACKAGES[@]}"); break; }
  done
  ensure_packages "${packages[@]}"
  trap on_exit EXIT
  # Stages run in the canonical order whatever order they were named in.
  for s in "${ALL_STAGES[@]}"; do
    if [[ " ${stages[*]} " == *" $s "* ]]; then run_stage "$s"; fi
  done
}

# The same photo through the GStreamer elements: one JSON line on stdout.
demo_pipeline() {
  local launcher="$ROOT/$B/pipelines/spry-pipeline"
  if [ ! -x "$launcher" ]; then
    log "the GStreamer plugin was not built: skipping the pipeline demo"
    return 0
  fi
  printf '\n$ spry-pipeline classify file=%s\n' "$DEMO_IMAGE" >&2
  # From the build tree: the plugin, the pipelines and the bundled model.
  GST_PLUGIN_PATH="$ROOT/$B/gst-plugin" SPRY_PIPELINES_DIR="$ROOT/pipelines" \
    SPRY_MODEL_PATH="$ROOT/tests/data/models" "$launcher" classify file="$DEMO_IMAGE"
}

main() {
  local command=${1:-help}
  if (($# > 0)); then shift; fi
  case $command in
    demo)
      ensure_packages "${BASE_PACKAGES[@]}"
      build_native
      local spry
      spry=$(executable_path "$B" spry)
      printf '\n$ %s run %s --image %s\n' "${spry#"$ROOT"/}" "$DEMO_MODEL" "$DEMO_IMAGE" >&2
      "$spry" run "$DEMO_MODEL" --image "$DEMO_IMAGE"
      demo_pipeline
      ;;
    build)
      ensure_packages "${BASE_PACKAGES[@]}"
      build_native
      ;;
    test) cmd_test "$@" ;;
    help|-h|--help) usage ;;
    *) log "unknown command '$command'"; usage >&2; exit 2 ;;
  esac
}

main "$@"
