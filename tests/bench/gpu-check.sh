#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# The GPU check in one command, for a machine with a CUDA device: lists the
# devices, runs the CUDA tests (every kernel against the CPU, the oracle
# cases on the device) and the engine tests, makes the base-size
# checkpoints, then times beam-5 and greedy captions, VQA and the embedding
# pass on the CPU backend and on CUDA in both precisions, beside PyTorch on
# the same GPU when its torch has CUDA, and prints the table
# (tools/bench/gpu-summary.py). About 3-5 minutes on a 16-core machine with
# an H200. Every step has its own time limit, and all of them together stay
# inside --budget, so the table is printed even when a step hangs.
#
# Usage: tests/bench/gpu-check.sh [--kit KIT.tar.xz] [--build DIR] [--out DIR]
#                                 [--embed N] [--budget SECONDS]
#   --kit     run the programs of a kit made by tools/bench/make-gpu-kit.sh
#             (built elsewhere, with the libraries they need and the shared
#             test data), for a machine that cannot build oscarviz; without
#             it the script builds in --build (default ./build-gpu: release,
#             CUDA on, no window)
#   --out     where the few result files go: the log, the table, the raw
#             JSON lines and the test logs (default: a run-<time> folder in
#             the scratch folder); on a machine lent for a few minutes, the
#             folder that is copied back
#   --embed   images of the CUDA embedding pass (default 5000)
#   --budget  seconds for the whole check (default 540)
# PYTHON names the Python with torch (default: the first of python3 and
# /usr/bin/python3 that imports torch); OV_SHARED_DIR the shared test data
# (default: the kit's, else ./shared, else ../shared).
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
kit="" build="$src/build-gpu" out="" n_embed=5000 budget=540
while [ $# -gt 0 ]; do
  case $1 in
    --kit) kit=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --embed) n_embed=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    *) echo "gpu-check.sh: unknown argument $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
done
start=$(date +%s)
status=0
step () { echo; echo "== $* ($(($(date +%s) - start)) s)"; }
# min (limit, what the budget has left less 20 s for the table); 0 = skip
limit () {
  left=$((budget - ($(date +%s) - start) - 20))
  if [ "$left" -lt 10 ]; then echo 0; elif [ "$1" -lt "$left" ]; then echo "$1"; \
  else echo "$left"; fi
}
# exact mode must not be turned into TF32 behind our back
unset NVIDIA_TF32_OVERRIDE || true

# ---- the programs: from the kit, or built here ----
if [ -n "$kit" ]; then
  work=${TMPDIR:-/tmp}/oscarviz-gpu-kit
  rm -rf "$work"
  mkdir -p "$work"
  step "kit $kit -> $work"
  tar -C "$work" -xJf "$kit"
  bin=$work/kit
  shared=${OV_SHARED_DIR:-$bin/shared}
  libs=$bin/lib
  scratch=$work
else
  step "build ($build)"
  bin=$build
  libs=""
  scratch=$build/bench-gpu
  if [ ! -f "$build/build.ninja" ]; then
    meson setup "$build" "$src" -Dcuda=enabled -Dgui=disabled --buildtype=release \
      > "$src/meson-setup-gpu.log" 2>&1 \
      || { tail -30 "$src/meson-setup-gpu.log"; echo "meson setup failed" >&2; exit 1; }
  fi
  if ! timeout "$(limit 300)" ninja -C "$build" app/oscarviz tests/test-cuda tests/test-engine \
         tests/bench-gpu > "$build/gpu-check-build.log" 2>&1; then
    tail -30 "$build/gpu-check-build.log"
    echo "the build failed or ran out of time" >&2
    exit 1
  fi
  if [ -n "${OV_SHARED_DIR:-}" ]; then shared=$OV_SHARED_DIR
  elif [ -d "$src/shared/oracle" ]; then shared=$src/shared
  else shared=$src/../shared; fi
fi
mkdir -p "$scratch"
[ -n "$out" ] || out=$scratch/run-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
echo "results in $out"
# our programs find the kit's libraries; python and torch keep their own
run () {
  if [ -n "$libs" ]; then
    LD_LIBRARY_PATH=$libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} "$@"
  else
    "$@"
  fi
}

# cuBLAS is opened at run time: where the toolkit's loader cannot see it,
# look in the usual places (the toolkit, pip's nvidia packages)
if ! ldconfig -p 2>/dev/null | grep -q 'libcublas\.so\.' \
   && [ ! -e /usr/local/cuda/lib64/libcublas.so.13 ]; then
  found=$(find /usr/local /opt /usr/lib -name 'libcublas.so.1[0-9]*' 2>/dev/null | head -1)
  if [ -n "$found" ]; then
    echo "cuBLAS: $found"
    LD_LIBRARY_PATH=$(dirname "$found")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
    export LD_LIBRARY_PATH
  fi
fi

py=""
for p in ${PYTHON:-} python3 /usr/bin/python3; do
  if "$p" -c 'import torch' 2>/dev/null; then py=$p; break; fi
done

step "devices"
run "$bin/app/oscarviz" devices || status=1
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
fi

step "CUDA and engine tests (logs in $out)"
export OV_TEST_SHARED_DIR="$shared" OV_TEST_SOURCE_DIR="$src" OV_TEST_BUILD_DIR="$bin"
for t in test-cuda test-engine; do
  t_limit=$(limit 180)
  if [ "$t_limit" -eq 0 ]; then echo "  $t: no time left"; status=1; continue; fi
  if OMP_NUM_THREADS=8 OPENBLAS_NUM_THREADS=1 G_DEBUG=gc-friendly \
       run timeout "$t_limit" "$bin/tests/$t" --tap > "$out/$t.log" 2>&1; then
    rc=0
  else
    rc=$?
    status=1
  fi
  grep -E "^(ok|not ok)" "$out/$t.log" | sed 's/^/  /' || true
  echo "  $t: exit $rc$( [ "$rc" -eq 124 ] && echo ' (out of time)')"
done

if [ -z "$py" ]; then
  echo "no Python with torch: the base-size checkpoints cannot be made; no timings" >&2
  exit 1
fi
if [ ! -f "$scratch/caption_base/pytorch_model.bin" ] \
   || [ ! -f "$scratch/vqa_base/pytorch_model.bin" ] || [ ! -f "$scratch/regions.f32" ]; then
  step "base-size checkpoints in $scratch"
  timeout "$(limit 240)" "$py" "$src/tools/bench/make-base-checkpoint.py" "$scratch" \
    "$shared/oracle/checkpoints/caption_tiny" \
    || { echo "the checkpoints could not be made" >&2; exit 1; }
fi

raw=$scratch/raw
mkdir -p "$raw"
: > "$out/engine.jsonl"
bench () {
  b_limit=$(limit "$1")
  shift
  if [ "$b_limit" -eq 0 ]; then echo "bench-gpu $1 $2: no time left" >&2; status=1; return; fi
  run timeout "$b_limit" "$bin/tests/bench-gpu" "$scratch/caption_base" "$scratch/vqa_base" \
    "$scratch/regions.f32" "$@" "$raw" >> "$out/engine.jsonl" \
    || { rc=$?; echo "bench-gpu $1 $2 failed (exit $rc; 124 = out of time)" >&2; status=1; }
}
step "benchmark: CUDA exact"
bench 120 cuda exact 20 "$n_embed"
step "benchmark: CUDA fast"
bench 120 cuda fast 20 "$n_embed"
step "benchmark: CPU backend (fewer runs)"
bench 120 cpu exact 1 3

torch_files=""
for prec in exact fast; do
  step "PyTorch on CUDA ($prec)"
  for mode in caption vqa; do
    f="$raw/torch-$prec-$mode.json"
    if [ "$mode" = caption ]; then runs=10; else runs=50; fi
    p_limit=$(limit 120)
    if [ "$p_limit" -eq 0 ] \
       || ! timeout "$p_limit" "$py" "$src/tools/bench/torch-reference-gpu.py" "$mode" \
              "$scratch/${mode}_base" "$scratch/regions.f32" "$runs" "$prec" > "$f"; then
      echo '{"skipped": "the reference failed or ran out of time"}' > "$f"
    fi
    torch_files="$torch_files $f"
  done
done
# one file for what comes back from a device machine
for f in $torch_files; do
  printf '{"%s": %s}\n' "$(basename "$f" .json)" "$(tr -d '\n' < "$f")"
done > "$out/torch.jsonl"

step "summary (raw results in $raw)"
# shellcheck disable=SC2086
"$py" "$src/tools/bench/gpu-summary.py" "$out/engine.jsonl" $torch_files | tee "$out/summary.md"
echo
echo "total $(($(date +%s) - start)) s; tests $( [ $status -eq 0 ] && echo passed || echo FAILED)"
exit $status
