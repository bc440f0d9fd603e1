#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# The engine benchmark in one command: makes the base-size checkpoints (once,
# in a scratch folder under the build folder), then runs ROUNDS rounds of
# machine rates, PyTorch reference and engine back to back, each in its own
# process, and prints the comparison (tools/bench/engine-summary.py).
#
# Usage: tests/bench/bench-engine.sh [BUILD_DIR] [ROUNDS] [RUNS] [REF_RUNS]
#   BUILD_DIR defaults to ./build, ROUNDS to 3, RUNS (timed runs of each
#   caption setting in each engine process, after one warm-up) to 5,
#   REF_RUNS (timed captions of each kind in each reference process, after
#   one warm-up) to 3. VQA: 10 timed forwards a process on both sides.
# Threads: the engine and the rates run with OMP_NUM_THREADS=2; the reference
# with 2 threads everywhere and OMP_WAIT_POLICY=PASSIVE (the fastest
# 2-thread setting of Debian's torch; torch.set_num_threads alone does not
# reach OpenBLAS).
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$src/build}" && pwd)
rounds=${2:-3}
runs=${3:-5}
ref_runs=${4:-3}
shared=${OV_SHARED_DIR:-$src/../shared}
scratch=$build/bench-engine
py=/usr/bin/python3

ninja -C "$build" tests/bench-engine >/dev/null
mkdir -p "$scratch"
if [ ! -f "$scratch/caption_base/pytorch_model.bin" ] \
   || [ ! -f "$scratch/vqa_base/pytorch_model.bin" ] || [ ! -f "$scratch/regions.f32" ]; then
  echo "making the base-size checkpoints in $scratch" >&2
  "$py" "$src/tools/bench/make-base-checkpoint.py" "$scratch" \
    "$shared/oracle/checkpoints/caption_tiny"
fi

bench="$build/tests/bench-engine"
regions="$scratch/regions.f32"
stamp=$(date -u +%Y%m%dT%H%M%SZ)
dirs=""
export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2 MKL_NUM_THREADS=2
# Debian 12's OpenBLAS falls back to its generic SSE3 kernels on processors
# newer than it knows; both sides then get the kernels the engine asks for.
core=$("$bench" blas-core)
if [ -n "$core" ]; then
  export OPENBLAS_CORETYPE="$core"
  echo "OpenBLAS fell back to its generic kernels here: OPENBLAS_CORETYPE=$core for both sides" >&2
fi

load () { cut -d' ' -f1 /proc/loadavg >> "$1/load.txt"; }
ref () {
  OMP_WAIT_POLICY=PASSIVE OV_REF_THREADS=2 "$py" "$src/tools/bench/torch_reference.py" "$@"
}

i=1
while [ "$i" -le "$rounds" ]; do
  d="$scratch/run-$stamp/round-$i"
  mkdir -p "$d"
  echo "round $i of $rounds ($(cut -d' ' -f1-3 /proc/loadavg))" >&2
  load "$d"; "$bench" rates "$scratch/caption_base/pytorch_model.bin" > "$d/rates.json"
  load "$d"; ref caption "$scratch/caption_base" "$regions" "$ref_runs" > "$d/ref-caption.json"
  if [ "$i" -eq 1 ]; then mode=""; else mode=cached-only; fi
  load "$d"
  "$bench" caption "$scratch/caption_base" "$regions" "$runs" $mode > "$d/eng-caption.json"
  load "$d"; ref vqa "$scratch/vqa_base" "$regions" 10 > "$d/ref-vqa.json"
  load "$d"; "$bench" vqa "$scratch/vqa_base" "$regions" 10 > "$d/eng-vqa.json"
  dirs="$dirs $d"
  i=$((i + 1))
done

echo "raw results: $scratch/run-$stamp" >&2
# shellcheck disable=SC2086
"$py" "$src/tools/bench/engine-summary.py" "$scratch" $dirs
