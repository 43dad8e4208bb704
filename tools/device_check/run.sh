#!/bin/bash
# One short run on a lent NVIDIA machine (../shared/DEVICE.md), from what
# tools/device_check/pack.sh put in .carry/vkmoe/:
#   1. what vkmoe sees of the device (`vkmoe devices`: the cooperative-matrix shape);
#   2. every kernel test against its CPU reference under the validation layer, the
#      tensor-core GEMM's cases included (skipped, and listed, on devices without one);
#   3. the quantized Qwen3-MoE and Mixtral goldens end to end (prompts take the GEMM);
#   4. the matmuls alone: the decode GEMV and the prompt GEMM with and without cooperative
#      matrices;
#   5. decode of a one-layer Qwen3-30B-A3B written there (random weights, 151,936 logits),
#      greedy and sampled: sampled steps read back their candidates, not the logits row.
# Ends with one line per step. A step's failure does not stop the others.
#
#   bash tools/device_check/run.sh      (carry .carry/vkmoe; about three minutes on an H100)
set -uo pipefail

pack=.carry/vkmoe
for f in "$pack"/debs/*.deb; do dpkg -x "$f" /; done
ldconfig
bin=$(mktemp -d)
tar -C "$bin" -xJf "$pack/bin.tar.xz"
export VKMOE_DEVICE=${VKMOE_DEVICE:-NVIDIA} VKMOE_GOLDENS_DIR=$PWD/$pack/goldens
results=()

# Runs a step, printing its output, and notes its exit status and last line for the summary.
step() {
  local name=$1 log
  shift
  log=$(mktemp)
  echo
  echo "## $name"
  echo "\$ $*"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  # A test binary's counts, else the last line.
  local said
  said=$(grep -E '^\[ *(PASSED|FAILED|SKIPPED) *\] [0-9]+ tests?' "$log" | tr '\n' ' ')
  [ -n "$said" ] || said=$(grep -v '^$' "$log" | tail -n 1)
  results+=("$name: exit $status, $said")
}

step "device" "$bin/vkmoe" devices
step "kernel tests" "$bin/vkmoe_test_kernels" --gtest_brief=1
step "quantized goldens" "$bin/vkmoe_test_e2e" --gtest_brief=1 \
  --gtest_filter='Goldens/GoldenQuantTest.*qwen3_moe_Q4_K_M:Goldens/GoldenQuantTest.*qwen3_moe_Q8_0:Goldens/GoldenQuantTest.*mixtral_Q4_K_M:Goldens/GoldenQuantTest.*mixtral_Q8_0'
# Mixtral-8x7B's down projection, and a Qwen3-30B-A3B expert layer's gate/up and down (K 768:
# rows of few units, which share a subgroup).
shapes=4096x14336,128e8:768x2048,128e8:2048x768
step "matmuls, cooperative-matrix GEMM" "$bin/vkmoe-bench" --matmul Q4_K,Q6_K,Q8_0,F16 --matmul-shapes "$shapes" \
  --matmul-tokens 1,512 -r 5
step "prompt matmuls, scalar GEMM" env VKMOE_COOPMAT=0 "$bin/vkmoe-bench" --matmul Q4_K,Q6_K,Q8_0,F16 \
  --matmul-shapes "$shapes" --matmul-tokens 512 -r 5

synth_dir=$(mktemp -d)
step "one-layer Qwen3-30B-A3B" "$bin/vkmoe-synth" --shape qwen3-30b-a3b --layers 1 --type Q4_K_M \
  --out "$synth_dir/qwen3-1l.gguf"
# The tg row's test and t/s columns.
decode() {
  "$bin/vkmoe-bench" -m "$synth_dir/qwen3-1l.gguf" -p 0 -n 64 -r 3 "$@" 2>/dev/null | grep '^| .* tg' | cut -d'|' -f9,10
}
step "decode, greedy" decode
step "decode, top-k 40" decode --temp 0.8 --top-k 40
step "decode, top-p 0.9" decode --temp 0.8 --top-p 0.9
rm -rf "$synth_dir"

echo
echo "## Summary"
printf '%s\n' "${results[@]}"
