#!/bin/bash
# The benchmark report of README's Benchmarks section, on whatever device vkmoe picks
# (VKMOE_DEVICE chooses): decode GEMVs against the copy bandwidth, then prompt and decode
# speed on synthetic Q4_K_M files of Qwen3-30B-A3B and Mixtral-8x7B, then Mixtral with half
# and a quarter of its experts streaming, and, given llama.cpp through ../shared/peer, the same
# files there. On a device with cooperative matrices each prompt also runs on the scalar GEMM
# (VKMOE_COOPMAT=0). Every command is printed before its output; a summary of the t/s rows comes
# last.
#
#   tools/bench_report/run.sh [--bin DIR] [--models DIR] [--layers N] [-p P] [-n N] [-r R]
#                             [--peer DIR --nlc DIR [--peer-args "..."]]
#
#   --bin DIR      vkmoe, vkmoe-bench and vkmoe-synth (default: build/bin)
#   --models DIR   where the synthetic files go (default: /tmp/vkmoe-report); they are reused
#                  when present (17 GB and 26 GB at full size)
#   --layers N     only the first N layers of each model (default: all); a quick run on a CPU
#                  driver takes --layers 1 -p 16 -n 8 -r 1
#   -p, -n, -r     prompt tokens, generated tokens, repetitions (default 512, 128, 3)
#   --peer DIR     ../shared/peer (bench.mjs); with --nlc, node-llama-cpp's node_modules
#   --peer-args    extra bench.mjs flags (on lavapipe: "--vk-devices 0 -fa off")
set -euo pipefail

bin=build/bin models=/tmp/vkmoe-report layers="" p=512 n=128 r=3 peer="" nlc="" peer_args=""
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --models) models=$2; shift 2 ;;
    --layers) layers=$2; shift 2 ;;
    -p) p=$2; shift 2 ;;
    -n) n=$2; shift 2 ;;
    -r) r=$2; shift 2 ;;
    --peer) peer=$2; shift 2 ;;
    --nlc) nlc=$2; shift 2 ;;
    --peer-args) peer_args=$2; shift 2 ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench_report: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for tool in vkmoe vkmoe-bench vkmoe-synth; do
  [ -x "$bin/$tool" ] || { echo "bench_report: no $bin/$tool (build first, or give --bin)" >&2; exit 2; }
done
if [ -n "$peer" ] && { [ ! -f "$peer/bench.mjs" ] || [ -z "$nlc" ]; }; then
  echo "bench_report: --peer needs a folder with bench.mjs and --nlc node-llama-cpp's node_modules" >&2
  exit 2
fi
mkdir -p "$models"
summary=$(mktemp) output=$(mktemp)
trap 'rm -f "$summary" "$output"' EXIT

# Prints a command, runs it, and keeps its t/s rows for the summary under `label`.
run() {
  local label=$1
  shift
  echo
  echo "\$ $*"
  "$@" | tee "$output"
  grep -E '^\| .*(pp|tg)[0-9]+ ' "$output" | sed "s|^|$label |" >>"$summary" || true
}

echo "## Decode GEMV against the copy bandwidth"
run matmul "$bin/vkmoe-bench" --matmul Q4_K,Q6_K,Q8_0,F16 --matmul-shapes 4096x14336,128e8:768x2048,128e8:2048x768 -r 5

# Where the device has cooperative matrices, each prompt also runs on the scalar GEMM.
coopmat=""
if "$bin/vkmoe" devices 2>/dev/null | grep -q "prefill GEMM on"; then coopmat=1; fi

if [ -n "$coopmat" ]; then
  echo
  echo "## Prompt GEMM: cooperative matrices, then scalar"
  run gemm "$bin/vkmoe-bench" --matmul Q4_K,Q6_K,Q8_0,F16 --matmul-shapes 4096x14336,128e8:768x2048 --matmul-tokens "$p" -r 5
  run gemm env VKMOE_COOPMAT=0 "$bin/vkmoe-bench" --matmul Q4_K,Q6_K,Q8_0,F16 --matmul-shapes 4096x14336,128e8:768x2048 \
    --matmul-tokens "$p" -r 5
fi

layer_args=() suffix=""
if [ -n "$layers" ]; then layer_args=(--layers "$layers"); suffix="-${layers}l"; fi
declare -A experts=([qwen3-30b-a3b]=128 [mixtral-8x7b]=8)
declare -A n_layers=([qwen3-30b-a3b]=48 [mixtral-8x7b]=32)
for shape in qwen3-30b-a3b mixtral-8x7b; do
  file="$models/$shape-Q4_K_M$suffix.gguf"
  if [ ! -f "$file" ]; then
    echo
    echo "\$ $bin/vkmoe-synth --shape $shape --type Q4_K_M ${layer_args[*]} --out $file"
    "$bin/vkmoe-synth" --shape "$shape" --type Q4_K_M "${layer_args[@]}" --out "$file"
  fi
  echo
  echo "## $shape Q4_K_M, all experts resident"
  run "$shape vkmoe" "$bin/vkmoe-bench" -m "$file" -p "$p" -n "$n" -r "$r"
  if [ -n "$coopmat" ]; then
    run "$shape vkmoe scalar GEMM" env VKMOE_COOPMAT=0 "$bin/vkmoe-bench" -m "$file" -p "$p" -n 0 -r "$r"
  fi
  if [ -n "$peer" ]; then
    # shellcheck disable=SC2086  # peer_args holds several flags
    run "$shape llama.cpp" env XDG_RUNTIME_DIR=/tmp node "$peer/bench.mjs" -m "$file" -b vulkan -p "$p" -n "$n" -r "$r" \
      --nlc "$nlc" $peer_args
  fi
done

# Mixtral's experts streaming: half and a quarter of them in VRAM slots, each against all resident.
file="$models/mixtral-8x7b-Q4_K_M$suffix.gguf"
all=$(( ${experts[mixtral-8x7b]} * ${layers:-${n_layers[mixtral-8x7b]}} ))
for fraction in 2 4; do
  echo
  echo "## mixtral-8x7b, 1/$fraction of its $all experts in VRAM"
  run "mixtral-8x7b 1/$fraction" "$bin/vkmoe-bench" -m "$file" -p "$p" -n "$n" -r "$r" --expert-slots $(( all / fraction )) \
    --compare-resident
done

echo
echo "## Summary: the t/s rows above"
cat "$summary"
