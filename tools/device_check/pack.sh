#!/bin/bash
# Packs, here, what tools/device_check/run.sh needs on a lent NVIDIA machine
# (../shared/DEVICE.md) into .carry/vkmoe/, which git ignores; name it in the run's `carry`:
#   - the built vkmoe, vkmoe-bench, vkmoe-synth and the kernel and end-to-end test binaries,
#     xz-compressed (their embedded SPIR-V shrinks well: the 64 MiB carry limit);
#   - the block-format goldens the kernel tests read, and the quantized GGUF goldens of
#     Qwen3-MoE and Mixtral with their references (../shared does not travel);
#   - Debian's libvulkan1 and vulkan-validationlayers, which that machine lacks.
#
#   tools/device_check/pack.sh [BUILD_BIN_DIR]   (default build/bin)
set -euo pipefail

bin=${1:-build/bin}
goldens=${VKMOE_GOLDENS_DIR:-../shared/goldens}
out=.carry/vkmoe
grep -qx '/.carry/' .git/info/exclude 2>/dev/null || echo '/.carry/' >>.git/info/exclude
rm -rf "$out"
mkdir -p "$out/debs" "$out/goldens/gguf"

tar -C "$bin" -cf - vkmoe vkmoe-bench vkmoe-synth vkmoe_test_kernels vkmoe_test_e2e | xz -T0 -6 >"$out/bin.tar.xz"

cp -r "$goldens/quant" "$out/goldens/"
cp "$goldens/gguf/MANIFEST.json" "$out/goldens/gguf/"
for arch in qwen3_moe mixtral; do
  for type in Q4_K_M Q8_0; do
    cp "$goldens/gguf/$arch-$type.gguf" "$goldens/gguf/$arch-$type.expected.safetensors" "$out/goldens/gguf/"
  done
done

apt_opts=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
mkdir -p /tmp/amd64/partial
apt-get "${apt_opts[@]}" update >/dev/null
# apt warns that it downloads as root into a folder its sandbox user cannot write; harmless here.
(cd "$out/debs" && apt-get "${apt_opts[@]}" download libvulkan1 vulkan-validationlayers 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)

du -sh "$out"/* | sed 's/^/device_check pack: /'
total=$(du -sb "$out" | cut -f1)
if [ "$total" -gt $((60 << 20)) ]; then
  echo "device_check pack: $total bytes is too close to the 64 MiB carry limit" >&2
  exit 1
fi
