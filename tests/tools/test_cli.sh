#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# test_cli.sh — checks the `spry` command line contract (design brief §4): exit statuses, messages, outputs.
#
# Usage: test_cli.sh SPRY_EXE SOURCE_ROOT
# Needs only POSIX sh and utilities (cmp, grep, sed, awk, sort, tr, head, wc); no Python.
set -u

SPRY=$1
ROOT=$2
case $SPRY in /*) ;; *) SPRY=$PWD/$SPRY ;; esac
case $ROOT in /*) ;; *) ROOT=$PWD/$ROOT ;; esac
DATA=$ROOT/tests/data
MODELS=$DATA/models
GOLDENS=$DATA/goldens
EXPECTED=$ROOT/tests/tools/expected
IMAGE=$ROOT/data/grace_hopper.bmp
HW=$MODELS/hello_world_int8.tflite
MNV1=$MODELS/mobilenet_v1_0.25_128_quant.tflite

TMP=$(mktemp -d "${TMPDIR:-/tmp}/spry-cli.XXXXXX") || exit 1
trap 'rm -rf "$TMP"' EXIT INT TERM
failures=0
checks=0

fail() {
  echo "FAIL: $*"
  echo "  stdout: $(head -c 600 "$TMP/out")"
  echo "  stderr: $(head -c 600 "$TMP/err")"
  failures=$((failures + 1))
}

# expect STATUS ARGS...: runs spry, captures stdout/stderr, checks the exit
# status, that nothing crashed, and that error messages start with "spry: ".
expect() {
  want=$1
  shift
  checks=$((checks + 1))
  "$SPRY" "$@" >"$TMP/out" 2>"$TMP/err"
  got=$?
  if [ "$got" -ne "$want" ]; then
    fail "spry $*: exit $got, expected $want"
    return 1
  fi
  if [ "$want" -ne 0 ]; then
    if ! head -n 1 "$TMP/err" | grep -q '^spry: '; then
      fail "spry $*: stderr does not start with 'spry: '"
      return 1
    fi
    if [ -s "$TMP/out" ]; then
      fail "spry $*: stdout is not empty on failure"
      return 1
    fi
  fi
  return 0
}

# check DESCRIPTION COMMAND...: a shell condition on the last outputs.
check() {
  what=$1
  shift
  checks=$((checks + 1))
  if ! "$@"; then fail "$what"; fi
}

# ---- Usage errors: exit 2 ----------------------------------------------------
expect 2
expect 2 frobnicate
expect 2 run
expect 2 inspect
expect 2 bench
expect 2 run "$HW" --threads abc
expect 2 run "$HW" --threads 0
expect 2 run "$HW" --threads 4x
expect 2 bench "$HW" --runs -3
expect 2 bench "$HW" --warmup
expect 2 run "$HW" --bogus
expect 2 run "$HW" "$HW"
expect 2 run "$HW" --delegate warp-drive
expect 2 run "$MNV1" --image "$IMAGE" -i "$TMP/x.bin"
expect 2 inspect "$HW" --json --ops
expect 2 inspect "$HW" --json=yes
expect 2 bench "$HW" --top 3
check "--top without --profile is named" grep -q '^spry: --top needs --profile$' "$TMP/err"
expect 2 bench "$HW" --profile --top 0
check "--top 0 is refused" grep -q "^spry: --top needs an integer in \[1, .*got '0'$" "$TMP/err"
expect 2 bench "$HW" --profile --top abc
check "--top abc is refused" grep -q "^spry: --top needs an integer .*got 'abc'$" "$TMP/err"
expect 2 help frobnicate
check "usage on stderr for a usage error" grep -q 'usage: spry' "$TMP/err"

# ---- Help and version: exit 0 ------------------------------------------------
expect 0 --help && check "--help prints usage" grep -q '^usage: spry' "$TMP/out"
expect 0 --version && check "--version" grep -q '^spry [0-9][0-9.]*$' "$TMP/out"
expect 0 help run && check "help run" grep -q '^usage: spry run MODEL' "$TMP/out"
expect 0 bench --help && check "bench --help" grep -q '^usage: spry bench MODEL' "$TMP/out"

# ---- Models and inputs the user must fix: exit 1 -------------------------------
expect 1 inspect "$TMP/no-such-model.tflite"
expect 1 run "$TMP/no-such-model.tflite"
head -c 1000 "$HW" >"$TMP/truncated.tflite"
expect 1 inspect "$TMP/truncated.tflite"
expect 1 run "$TMP/truncated.tflite"
expect 1 bench "$TMP/truncated.tflite" --runs 1
printf 'not a flatbuffer at all' >"$TMP/garbage.tflite"
expect 1 inspect "$TMP/garbage.tflite" --json

printf 'ab' >"$TMP/two.bin"
expect 1 run "$HW" -i "$TMP/two.bin" -o "$TMP/o"
check "input size message" grep -q \
  '^spry: input 0 (serving_default_dense_input:0): file has 2 bytes, tensor int8 \[1,1\] needs 1$' \
  "$TMP/err"
expect 1 run "$HW" -i "$GOLDENS/hello_world_int8/input_0.bin" \
  -i "$GOLDENS/hello_world_int8/input_0.bin" -o "$TMP/o"
check "too many inputs message" grep -q 'input files given' "$TMP/err"
expect 1 run "$HW" -i "$TMP/missing.bin" -o "$TMP/o"
expect 1 run "$HW" --image "$IMAGE" -o "$TMP/o"
head -c 2000 "$IMAGE" >"$TMP/truncated.bmp"
expect 1 run "$MNV1" --image "$TMP/truncated.bmp" -o "$TMP/o"
expect 1 run "$MNV1" --image "$HW" -o "$TMP/o"
expect 1 run "$MNV1" --image "$IMAGE" --labels "$TMP/missing.txt" -o "$TMP/o"

# ---- inspect -------------------------------------------------------------------
# The arena size belongs to the planner, not to this contract: it is checked
# to be positive and then masked.
if expect 0 inspect "$HW" --json; then
  check "inspect --json arena_bytes > 0" grep -q '"arena_bytes":[1-9][0-9]*}$' "$TMP/out"
  sed 's/"arena_bytes":[0-9]*/"arena_bytes":N/' "$TMP/out" >"$TMP/inspect.json"
  check "inspect --json matches expected/hello_world_int8.inspect.json" \
    cmp -s "$TMP/inspect.json" "$EXPECTED/hello_world_int8.inspect.json"
fi
expect 0 inspect "$HW" --ops && check "inspect --ops (hello_world_int8)" \
  test "$(cat "$TMP/out")" = "['FULLY_CONNECTED']"
expect 0 inspect "$MNV1" --ops && check "inspect --ops (mobilenet_v1)" \
  test "$(cat "$TMP/out")" = "['AVERAGE_POOL_2D', 'CONV_2D', 'DEPTHWISE_CONV_2D', 'RESHAPE', 'SOFTMAX']"
expect 0 inspect "$MNV1" && check "inspect text lists CONV_2D" grep -q '^  CONV_2D ' "$TMP/out"

# Every op this build cannot run is marked, not only the first one: ADD is
# supported, the custom NoSuchOp and TANH version 99 are not.
MIX=$ROOT/tests/tools/models/unsupported_mix.tflite
expect 0 inspect "$MIX" --ops && check "inspect --ops marks every unsupported op" \
  test "$(cat "$TMP/out")" = "['ADD', 'TANH']
# custom or unknown ops (not selectable with -Dops): NoSuchOp
# unsupported by this build: NoSuchOp v1 (custom), TANH v99"
checks=$((checks + 1))
"$SPRY" inspect "$MIX" >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] || fail "inspect of a model with unsupported ops: exit status is not 1"
check "inspect text marks every unsupported op" \
  test "$(sed -n '/^ops (/,/^unsupported:/p' "$TMP/out")" = "ops (4 nodes):
  ADD                          v1   x2
  NoSuchOp                     v1   x1  (custom)  (unsupported)
  TANH                         v99  x1  (unsupported)
unsupported: 2 of 3 ops (NoSuchOp v1 (custom), TANH v99)"
check "inspect names the first failure on stderr" \
  test "$(cat "$TMP/err")" = "spry: $MIX: unsupported op NoSuchOp (custom)"
checks=$((checks + 1))
"$SPRY" inspect "$MIX" --json >"$TMP/out" 2>"$TMP/err"
[ $? -eq 1 ] || fail "inspect --json of a model with unsupported ops: exit status is not 1"
check "inspect --json has a supported field per op" grep -qF \
  '"ops":[{"op":"ADD","version":1,"count":2,"supported":true},{"op":"NoSuchOp","version":1,"count":1,"supported":false},{"op":"TANH","version":99,"count":1,"supported":false}],' \
  "$TMP/out"

# ---- ops -----------------------------------------------------------------------
expect 2 ops extra
if expect 0 ops --json; then
  check "ops --json is one line" test "$(wc -l <"$TMP/out")" -eq 1
  check "ops --json lists FULLY_CONNECTED with its version range" grep -q \
    '{"op":"FULLY_CONNECTED","builtin_code":9,"custom":false,"min_version":1,"max_version":[0-9]*}' \
    "$TMP/out"
  check "ops --json lists custom ops" grep -q \
    '{"op":"Convolution2DTransposeBias","builtin_code":32,"custom":true,"min_version":1,"max_version":1}' \
    "$TMP/out"
fi
expect 0 ops && check "ops text lists CONV_2D" grep -q '^CONV_2D  *v1\.\.[0-9]*$' "$TMP/out"

# ---- run -----------------------------------------------------------------------
for case in hello_world_int8 mobilenet_v1_0.25_128_quant; do
  model=$MODELS/$case.tflite
  rm -rf "$TMP/run"
  if expect 0 run "$model" -i "$GOLDENS/$case/input_0.bin" -o "$TMP/run/nested"; then
    check "run -i -o reproduces the $case golden" \
      cmp -s "$TMP/run/nested/output_0.bin" "$GOLDENS/$case/output_0.bin"
  fi
done

# Without -i the inputs are zero; without -o the outputs land in the cwd.
mkdir -p "$TMP/cwd"
checks=$((checks + 1))
(cd "$TMP/cwd" && "$SPRY" run "$HW" >"$TMP/out" 2>"$TMP/err") || fail "run without -i/-o"
check "run without -o writes ./output_0.bin" test -s "$TMP/cwd/output_0.bin"
# ... except when top-k classes were printed.
mkdir -p "$TMP/cwd2"
checks=$((checks + 1))
(cd "$TMP/cwd2" && "$SPRY" run "$MNV1" --image "$IMAGE" >"$TMP/out" 2>"$TMP/err") ||
  fail "run --image without -o"
check "run --image without -o prints 5 lines" test "$(wc -l <"$TMP/out")" -eq 5
check "run --image without -o writes no files" test -z "$(ls -A "$TMP/cwd2")"

topk_line='^[0-9][0-9]*\.[0-9][0-9][0-9][0-9]  [0-9][0-9]*  ..*$'
if expect 0 run "$MNV1" --image "$IMAGE" -o "$TMP/img"; then
  check "run --image prints 5 lines" test "$(wc -l <"$TMP/out")" -eq 5
  check "run --image lines are 'score  index  label'" \
    test "$(grep -c "$topk_line" "$TMP/out")" -eq 5
  # The reference runtime ranks the same class first on a PIL-resized copy.
  check "run --image top-1 is 401 with its label from the model metadata" \
    grep -q '^[0-9.]*  401  academic gown, academic robe, judge.s robe$' "$TMP/out"
  check "run --image top-1 printed first" \
    test "$(head -n 1 "$TMP/out" | cut -d' ' -f3)" = 401
fi
# An 8-bit palettized 96x96 BMP into an int8 [1,96,96,1] input (pixel - 128,
# no resize) reproduces the person_detect golden made from the same file.
SHARED_MEDIA=${SPRY_SHARED_DIR:-}/media
if [ -n "${SPRY_SHARED_DIR:-}" ] && [ -f "$SHARED_MEDIA/person.bmp" ]; then
  if expect 0 run "$MODELS/person_detect_int8.tflite" --image "$SHARED_MEDIA/person.bmp" -o "$TMP/person"; then
    check "run --image person.bmp reproduces the person_detect golden" \
      cmp -s "$TMP/person/output_0.bin" "$GOLDENS/person_detect_int8/output_0.bin"
  fi
fi
if expect 0 run "$MNV1" --image "$IMAGE" --top-k 3 --labels "$MODELS/imagenet_labels.txt" -o "$TMP/img"; then
  check "--top-k 3 prints 3 lines" test "$(wc -l <"$TMP/out")" -eq 3
fi
head -n 10 "$MODELS/imagenet_labels.txt" >"$TMP/short_labels.txt"
if expect 0 run "$MNV1" --image "$IMAGE" --labels "$TMP/short_labels.txt" -o "$TMP/img"; then
  check "short labels file warns" grep -q '^spry: warning: ' "$TMP/err"
  check "short labels file still prints 5 lines" test "$(wc -l <"$TMP/out")" -eq 5
fi

# WHERE's output shape depends on the data: run prints the shape of this run,
# writes that many bytes, and inspect marks the output dynamic.
WHERE=$GOLDENS/op_where_bool_rank2
if expect 0 run "$WHERE/model.tflite" -i "$WHERE/input_0.bin" -o "$TMP/where"; then
  check "run prints the run-time shape of a dynamic output" \
    grep -q "^output 0: int64 \[5,2\], 80 bytes -> $TMP/where/output_0.bin\$" "$TMP/out"
  check "run writes the WHERE golden" cmp -s "$TMP/where/output_0.bin" "$WHERE/output_0.bin"
fi
expect 0 inspect "$WHERE/model.tflite" &&
  check "inspect marks a dynamic output" grep -q '^  0: Identity  int64 .*(dynamic' "$TMP/out"
expect 0 inspect --json "$WHERE/model.tflite" &&
  check "inspect --json marks a dynamic output" grep -q '"dynamic":true' "$TMP/out"

# A TRANSPOSE_CONV output_shape fed at run time must match the declared shape
# the plan was made for (dynamic output shapes are not supported).
TCONV=$GOLDENS/op_transpose_conv_s16_shape_input
printf '\001\000\000\000\004\000\000\000\011\000\000\000\003\000\000\000' >"$TMP/shape.bin"
expect 1 run "$TCONV/model.tflite" -i "$TMP/shape.bin" -i "$TCONV/input_1.bin" -o "$TMP/o" &&
  check "run-time output_shape mismatch message" grep -q \
    'output_shape \[1, 4, 9, 3\] differs from the declared output shape \[1, 4, 10, 3\]' "$TMP/err"

# ---- bench ---------------------------------------------------------------------
if expect 0 bench "$HW" --json --runs 3 --warmup 1; then
  check "bench --json is one line" test "$(wc -l <"$TMP/out")" -eq 1
  for key in model threads runs init_ms first_ms mean_ms median_ms min_ms max_ms arena_bytes \
             peak_rss_kb; do
    check "bench --json has \"$key\"" grep -q "\"$key\":" "$TMP/out"
  done
  check "bench --json runs is 3" grep -q '"runs":3,' "$TMP/out"
  check "bench --json is an object" grep -q '^{.*}$' "$TMP/out"
  check "bench --json without --profile has no ops" sh -c "! grep -q '\"ops\"' '$TMP/out'"
fi
if expect 0 bench "$HW" --json --runs 2 --profile; then
  check "bench --profile lists ops" grep -q '"ops":\[{"op":"FULLY_CONNECTED","count":3,"total_ms":' "$TMP/out"
  check "bench --json without --top has no nodes" sh -c "! grep -q '\"nodes\"' '$TMP/out'"
fi
expect 0 bench "$HW" --runs 2 && check "bench table" grep -q '^median ' "$TMP/out"

# --top N: the N slowest nodes. Timings vary from run to run, so the rows are
# checked for being real nodes of the model (index, op and output shape, as
# listed in expected/) in descending ms, not for their values.
MNV1_NODES=$EXPECTED/mobilenet_v1_0.25_128_quant.nodes.txt
# The rows of the slowest-nodes table (the last one): "node op output ms/run %".
node_rows() { sed -n '/^  node  op /,$p' "$TMP/out" | sed 1d; }
# The JSON "nodes" entries as the same columns: "node op output ms".
json_node='"node":\([0-9]*\),"op":"\([^"]*\)","output_shape":\[\([0-9,]*\)\],"ms":\([0-9.]*\)}'
json_nodes() {
  sed -n 's/.*"nodes":\[\(.*\)\]}$/\1/p' "$TMP/out" | tr '{' '\n' |
    sed -n "s/^$json_node,*\$/\\1 \\2 \\3 \\4/p" | sed 's/,/x/g'
}
# known_nodes ROWS LIST: every row's "node op output" is a line of LIST.
known_nodes() { ! awk '{print $1, $2, $3}' "$1" | grep -vxF -f "$2" >/dev/null; }
# slowest_first ROWS: the ms column (4th) never increases.
slowest_first() { awk '{print $4}' "$1" | sort -c -n -r 2>/dev/null; }
# same_nodes ROWS LIST: the rows are exactly the nodes of LIST.
same_nodes() { awk '{print $1, $2, $3}' "$1" | sort -n | cmp -s - "$2"; }

if expect 0 bench "$MNV1" --runs 2 --warmup 0 --profile --top 3; then
  node_rows >"$TMP/rows"
  check "bench --top 3 prints 3 node rows" test "$(wc -l <"$TMP/rows")" -eq 3
  check "bench --top 3 rows are nodes of the model" known_nodes "$TMP/rows" "$MNV1_NODES"
  check "bench --top 3 rows are slowest first" slowest_first "$TMP/rows"
  check "bench --top keeps the op table" grep -q '^CONV_2D  *15 ' "$TMP/out"
fi
if expect 0 bench "$MNV1" --runs 1 --warmup 0 --profile --top 1000; then
  node_rows >"$TMP/rows"
  check "bench --top above the node count lists every node once" \
    same_nodes "$TMP/rows" "$MNV1_NODES"
  check "bench --top 1000 rows are slowest first" slowest_first "$TMP/rows"
fi
# Folded nodes (the DEQUANTIZEs of constant weights) take exactly 0 ms: equal
# times are listed in node order.
FOLDED=$GOLDENS/op_fp16_weights_conv/model.tflite
if expect 0 bench "$FOLDED" --runs 1 --profile --top 8; then
  check "bench --top lists equal times in node order" \
    test "$(node_rows | awk '$2 == "DEQUANTIZE" {printf "%s %s;", $1, $3}')" = \
    "0 5x1x1x17;1 1x3x3x17;2 5;3 17;4 17x3x3x3;"
fi
if expect 0 bench "$MNV1" --runs 2 --warmup 0 --profile --top 3 --json; then
  json_nodes >"$TMP/rows"
  check "bench --json --top 3 has 3 well-formed nodes" test "$(wc -l <"$TMP/rows")" -eq 3
  check "bench --json --top 3 has no other node entry" \
    test "$(tr '{' '\n' <"$TMP/out" | grep -c '^"node":')" -eq 3
  check "bench --json --top 3 nodes are nodes of the model" known_nodes "$TMP/rows" "$MNV1_NODES"
  check "bench --json --top 3 nodes are slowest first" slowest_first "$TMP/rows"
fi
if expect 0 bench "$HW" --runs 2 --profile --top 10 --json; then
  json_nodes >"$TMP/rows"
  printf '0 FULLY_CONNECTED 1x16\n1 FULLY_CONNECTED 1x16\n2 FULLY_CONNECTED 1x1\n' >"$TMP/hw_nodes"
  check "bench --json --top above the node count lists every node" \
    same_nodes "$TMP/rows" "$TMP/hw_nodes"
fi
expect 0 bench "$HW" --runs 2 --profile &&
  check "bench --profile without --top has no node table" test -z "$(node_rows)"

echo "$checks checks, $failures failures"
[ "$failures" -eq 0 ]
