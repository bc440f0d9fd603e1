#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# The GPU check in one command, for a machine with a CUDA device: builds with
# the CUDA backend (release, no window), lists the devices, runs the CUDA
# tests (every kernel against the CPU, the oracle cases on the device) and
# the engine tests, makes the base-size checkpoints, then times beam-5 and
# greedy captions, VQA and the embedding pass on the CPU backend and on CUDA
# in both precisions, beside PyTorch on the same GPU when its torch has CUDA,
# and prints the table (tools/bench/gpu-summary.py). About 3-5 minutes on a
# 16-core machine with an H200; every step has its own time limit.
#
# Usage: tests/bench/gpu-check.sh [BUILD_DIR] [N_EMBED]
#   BUILD_DIR defaults to ./build-gpu; N_EMBED (images of the CUDA embedding
#   pass) to 5000. The CPU column times one run after a warm-up and 3 images.
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-gpu}
n_embed=${2:-5000}
shared=${OV_SHARED_DIR:-$src/../shared}
py=${PYTHON:-/usr/bin/python3}
start=$(date +%s)
step () { echo; echo "== $* ($(($(date +%s) - start)) s)"; }

# exact mode must not be turned into TF32 behind our back
unset NVIDIA_TF32_OVERRIDE || true

step "build ($build)"
if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$src" -Dcuda=enabled -Dgui=disabled --buildtype=release >/dev/null
fi
timeout 300 ninja -C "$build" app/oscarviz tests/test-cuda tests/test-engine tests/bench-gpu \
  | tail -1

step "devices"
"$build/app/oscarviz" devices

step "CUDA and engine tests"
status=0
timeout 240 meson test -C "$build" --no-rebuild --print-errorlogs test-cuda test-engine \
  || status=$?
grep -E "^(ok|not ok)" "$build/meson-logs/testlog.txt" | sed 's/^/  /' || true

scratch=$build/bench-gpu
mkdir -p "$scratch"
if [ ! -f "$scratch/caption_base/pytorch_model.bin" ] \
   || [ ! -f "$scratch/vqa_base/pytorch_model.bin" ] || [ ! -f "$scratch/regions.f32" ]; then
  step "base-size checkpoints in $scratch"
  timeout 300 "$py" "$src/tools/bench/make-base-checkpoint.py" "$scratch" \
    "$shared/oracle/checkpoints/caption_tiny"
fi

out=$scratch/run-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
bench () {
  timeout 200 "$build/tests/bench-gpu" "$scratch/caption_base" "$scratch/vqa_base" \
    "$scratch/regions.f32" "$@" "$out" >> "$out/engine.jsonl" \
    || { rc=$?; echo "bench-gpu $1 $2 failed (exit $rc; 124 = out of time)" >&2; status=1; }
}
step "benchmark: CPU backend (fewer runs)"
bench cpu exact 1 3
step "benchmark: CUDA exact"
bench cuda exact 20 "$n_embed"
step "benchmark: CUDA fast"
bench cuda fast 20 "$n_embed"

torch_files=""
for prec in exact fast; do
  step "PyTorch on CUDA ($prec)"
  for mode in caption vqa; do
    f="$out/torch-$prec-$mode.json"
    if [ "$mode" = caption ]; then runs=10; else runs=50; fi
    timeout 180 "$py" "$src/tools/bench/torch-reference-gpu.py" "$mode" \
      "$scratch/${mode}_base" "$scratch/regions.f32" "$runs" "$prec" > "$f" \
      || echo '{"skipped": "the reference failed or ran out of time"}' > "$f"
    torch_files="$torch_files $f"
  done
done

step "summary (raw results in $out)"
# shellcheck disable=SC2086
"$py" "$src/tools/bench/gpu-summary.py" "$out/engine.jsonl" $torch_files
echo
echo "total $(($(date +%s) - start)) s; tests $( [ $status -eq 0 ] && echo passed || echo FAILED)"
exit $status
