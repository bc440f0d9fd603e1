#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# The GPU check in one command, for a machine with a CUDA device: lists the
# devices, runs the CUDA tests (every kernel against the CPU, the oracle
# cases on the device) and the engine tests, makes the base-size
# checkpoints, then times beam-5 and greedy captions, VQA and the embedding
# pass on CUDA in both precisions and on the CPU backend, then on CUDA exact
# three times more: with a decoding step's launches made one by one instead
# of as one graph (OV_CUDA_GRAPHS=0), with every product through cuBLAS and
# a bias kernel instead of cuBLASLt with the bias in its epilogue
# (OV_CUDA_LT=0), and with both, beside PyTorch on the same GPU when its
# torch has CUDA, and prints the table
# (tools/bench/gpu-summary.py). Expected to take 3-5 minutes on a 16-core
# machine with an H200 (not yet measured). Every step has its own time
# limit, and all of them together stay inside --budget: a benchmark that
# fails or hangs leaves its column out of a table that is still printed,
# while a failed build, programs that do not start or checkpoints that
# cannot be made end the check there.
#
# Usage: tests/bench/gpu-check.sh [--kit KIT.tar.xz] [--build DIR] [--out DIR]
#                                 [--embed N] [--budget SECONDS]
#   --kit     run the programs of a kit made by tools/bench/make-gpu-kit.sh
#             (built elsewhere, with the libraries they need and the shared
#             test data), for a machine that cannot build oscarviz; without
#             it the script builds in --build (default ./build-gpu: release,
#             CUDA on, no window)
#   --out     where the result files go, six of them: this log
#             (gpu-check.log), the test logs, the raw JSON lines of our
#             benchmark and of PyTorch's, and the table (summary.md).
#             Default: build-gpu/bench-gpu/run-<time>, or with --kit
#             $TMPDIR/oscarviz-gpu-kit/run-<time>
#   --embed   images of the CUDA embedding pass (default 5000)
#   --budget  seconds for the whole check (default 540)
# PYTHON names the Python with torch (default: the first of python3 and
# /usr/bin/python3 that imports torch); OV_SHARED_DIR the shared test data
# (default: the kit's, else shared/ in the repository's root, else ../shared
# beside it).
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
kit="" build="$src/build-gpu" out="" n_embed=5000 budget=540
while [ $# -gt 0 ]; do
  case $1 in
    --kit) kit=$2; shift 2 ;;
    --build) build=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --embed) n_embed=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    *) echo "gpu-check.sh: unknown argument $1 (see the comment at the top)" >&2; exit 2 ;;
  esac
done
if [ -n "$kit" ]; then
  [ -f "$kit" ] || { echo "gpu-check.sh: no kit at $kit" >&2; exit 2; }
  kit=$(cd "$(dirname "$kit")" && pwd)/$(basename "$kit")
  work=${TMPDIR:-/tmp}/oscarviz-gpu-kit
  scratch=$work
else
  scratch=$build/bench-gpu
fi
[ -n "$out" ] || out=$scratch/run-$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$out"
start=$(date +%s)

step () { echo; echo "== $* ($(($(date +%s) - start)) s)"; }
# The seconds a step may take: its own limit, or what the budget has left
# less 20 s for the table; 0 when too little is left.
limit () {
  left=$((budget - ($(date +%s) - start) - 20))
  if [ "$left" -lt 5 ]; then echo 0; elif [ "$1" -lt "$left" ]; then echo "$1"; \
  else echo "$left"; fi
}
# timed SECONDS COMMAND...: the command under that limit (killed 5 s after
# it if it ignores the signal); 124 without running it when no time is left
timed () {
  t_limit=$(limit "$1")
  shift
  if [ "$t_limit" -eq 0 ]; then echo "no time left for $1" >&2; return 124; fi
  timeout -k 5 "$t_limit" "$@"
}

main () {
  tests_ok=1 bench_ok=1
  # exact mode must not be turned into TF32 behind our back
  unset NVIDIA_TF32_OVERRIDE || true

  py=""
  for p in ${PYTHON:-} python3 /usr/bin/python3; do
    if timed 60 "$p" -c 'import torch' 2>/dev/null; then py=$p; break; fi
  done
  echo "Python with torch: ${py:-none}"

  # ---- the programs: from the kit, or built here ----
  if [ -n "$kit" ]; then
    step "kit $kit -> $work/kit"
    rm -rf "$work/kit"
    mkdir -p "$work"
    if command -v xz >/dev/null; then
      timed 120 tar -C "$work" -xJf "$kit"
    elif [ -n "$py" ]; then
      timed 120 "$py" -c \
        'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$kit" "$work"
    else
      echo "neither xz nor a Python to unpack the kit" >&2; exit 1
    fi
    bin=$work/kit
    shared=${OV_SHARED_DIR:-$bin/shared}
    libs=$bin/lib
    echo "kit built from $(cat "$bin/BUILT_FROM")"
    here=$(git -C "$src" rev-parse HEAD 2>/dev/null || echo unknown)
    case $(head -1 "$bin/BUILT_FROM") in
      "$here"*) ;;
      *) echo "WARNING: the kit was not built from this tree's commit ($here)" ;;
    esac
    if grep -q '^changed:' "$bin/BUILT_FROM"; then
      echo "WARNING: the kit was built from a tree with uncommitted changes"
    fi
  else
    step "build ($build)"
    bin=$build
    libs=""
    if [ ! -f "$build/build.ninja" ]; then
      if ! timed 120 meson setup "$build" "$src" -Dcuda=enabled -Dgui=disabled \
             --buildtype=release > "$out/build.log" 2>&1; then
        tail -30 "$out/build.log"; echo "meson setup failed" >&2; exit 1
      fi
    fi
    if ! timed 300 ninja -C "$build" app/oscarviz tests/test-cuda tests/test-engine \
           tests/bench-gpu > "$out/build.log" 2>&1; then
      tail -30 "$out/build.log"; echo "the build failed or ran out of time" >&2; exit 1
    fi
    rm -f "$out/build.log"
    if [ -n "${OV_SHARED_DIR:-}" ]; then shared=$OV_SHARED_DIR
    elif [ -d "$src/shared/oracle" ]; then shared=$src/shared
    else shared=$src/../shared; fi
  fi

  # cuBLAS is opened at run time: where the loader does not see the one the
  # programs were built for, look in the toolkit's usual places and in the
  # Python's packages (pip's nvidia-cublas)
  cublas_dir=""
  if ! ldconfig -p 2>/dev/null | grep -q 'libcublas\.so\.13 ' \
     && [ ! -e /usr/local/cuda/lib64/libcublas.so.13 ]; then
    places="/usr/local /opt /usr/lib"
    if [ -n "$py" ]; then
      places="$places $(timed 30 "$py" -c 'import site; print(" ".join(site.getsitepackages()))' \
                        2>/dev/null || true)"
    fi
    # shellcheck disable=SC2086
    found=$(timed 60 find $places -name 'libcublas.so.13' 2>/dev/null | head -1 || true)
    if [ -n "$found" ]; then cublas_dir=$(dirname "$found"); echo "cuBLAS: $found"; fi
  fi
  # our programs find the kit's libraries and cuBLAS through env; nothing
  # else (Python, torch) sees them
  r_path=$libs
  [ -z "$cublas_dir" ] || r_path=$r_path${r_path:+:}$cublas_dir
  [ -z "$r_path" ] || r_path=$r_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
  run () {
    if [ -n "$r_path" ]; then env LD_LIBRARY_PATH="$r_path" "$@"; else "$@"; fi
  }
  # run_timed SECONDS PROGRAM...: run under timed
  run_timed () {
    r_secs=$1
    shift
    if [ -n "$r_path" ]; then
      timed "$r_secs" env LD_LIBRARY_PATH="$r_path" "$@"
    else
      timed "$r_secs" "$@"
    fi
  }

  step "devices"
  if ! run_timed 60 "$bin/app/oscarviz" devices; then
    echo "oscarviz does not start here:" >&2
    run "$bin/app/oscarviz" --version 2>&1 | head -5 >&2 || true
    [ -z "$kit" ] || echo "(the kit's programs need glibc 2.36 or later; here: \
$(ldd --version 2>&1 | head -1))" >&2
    exit 1
  fi
  if command -v nvidia-smi >/dev/null; then
    timed 30 nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader \
      || true
  fi

  step "CUDA and engine tests (logs in $out)"
  export OV_TEST_SHARED_DIR="$shared" OV_TEST_SOURCE_DIR="$src" OV_TEST_BUILD_DIR="$bin"
  for t in test-cuda test-engine; do
    if run_timed 180 env OMP_NUM_THREADS=8 OPENBLAS_NUM_THREADS=1 G_DEBUG=gc-friendly \
         "$bin/tests/$t" --tap > "$out/$t.log" 2>&1; then
      rc=0
    else
      rc=$?
      tests_ok=0
    fi
    # a run that found no device skips instead of failing: nothing was checked
    if grep -q "# SKIP no CUDA device" "$out/$t.log"; then
      tests_ok=0
      echo "  $t: no CUDA device answered, so the CUDA checks were skipped"
    fi
    grep -E "^(ok|not ok)" "$out/$t.log" | sed 's/^/  /' || true
    echo "  $t: exit $rc$( [ "$rc" -eq 124 ] && echo ' (out of time)')"
  done

  if [ -z "$py" ]; then
    echo "no Python with torch: the base-size checkpoints cannot be made; no timings" >&2
    exit 1
  fi
  mkdir -p "$scratch"
  if [ ! -f "$scratch/caption_base/pytorch_model.bin" ] \
     || [ ! -f "$scratch/vqa_base/pytorch_model.bin" ] || [ ! -f "$scratch/regions.f32" ]; then
    step "base-size checkpoints in $scratch"
    timed 240 "$py" "$src/tools/bench/make-base-checkpoint.py" "$scratch" \
      "$shared/oracle/checkpoints/caption_tiny" \
      || { echo "the checkpoints could not be made" >&2; exit 1; }
  fi

  raw=$scratch/raw
  mkdir -p "$raw"
  : > "$out/engine.jsonl"
  bench () {
    b_secs=$1
    shift
    run_timed "$b_secs" "$bin/tests/bench-gpu" "$scratch/caption_base" "$scratch/vqa_base" \
      "$scratch/regions.f32" "$@" "$raw" >> "$out/engine.jsonl" \
      || { rc=$?; echo "bench-gpu $1 $2 failed (exit $rc; 124 = out of time)"; bench_ok=0; }
  }
  step "benchmark: CUDA exact"
  bench 120 cuda exact 20 "$n_embed"
  step "benchmark: CUDA fast"
  bench 120 cuda fast 20 "$n_embed"
  step "benchmark: CPU backend (fewer runs)"
  bench 120 cpu exact 1 3
  # what the decoding step's graph and cuBLASLt's fused bias are worth:
  # without the graph; with every product through cuBLAS and a bias kernel
  # (as where cuBLASLt is missing), inside the graph; and without either
  step "benchmark: CUDA exact without graphs (OV_CUDA_GRAPHS=0; fewer images)"
  export OV_CUDA_GRAPHS=0
  bench 90 cuda exact 20 200
  unset OV_CUDA_GRAPHS
  step "benchmark: CUDA exact without cuBLASLt (OV_CUDA_LT=0; fewer images)"
  export OV_CUDA_LT=0
  bench 90 cuda exact 20 200
  step "benchmark: CUDA exact without graphs or cuBLASLt (both; fewer images)"
  export OV_CUDA_GRAPHS=0
  bench 90 cuda exact 20 200
  unset OV_CUDA_GRAPHS OV_CUDA_LT

  torch_files=""
  for prec in exact fast; do
    step "PyTorch on CUDA ($prec)"
    for mode in caption vqa; do
      f="$raw/torch-$prec-$mode.json"
      if [ "$mode" = caption ]; then runs=10; else runs=50; fi
      if ! timed 120 "$py" "$src/tools/bench/torch-reference-gpu.py" "$mode" \
             "$scratch/${mode}_base" "$scratch/regions.f32" "$runs" "$prec" > "$f"; then
        echo '{"skipped": "the reference failed or ran out of time"}' > "$f"
      fi
      torch_files="$torch_files $f"
    done
  done
  # one file for all of them
  for f in $torch_files; do
    printf '{"%s": %s}\n' "$(basename "$f" .json)" "$(tr -d '\n' < "$f")"
  done > "$out/torch.jsonl"

  step "summary (raw results in $raw)"
  # the budget kept 20 s for this
  # shellcheck disable=SC2086
  timeout -k 5 20 "$py" "$src/tools/bench/gpu-summary.py" "$out/engine.jsonl" $torch_files \
    | tee "$out/summary.md"
  echo
  echo "total $(($(date +%s) - start)) s; tests $( [ $tests_ok -eq 1 ] && echo passed \
|| echo FAILED); benchmarks $( [ $bench_ok -eq 1 ] && echo complete || echo INCOMPLETE)"
  [ $tests_ok -eq 1 ] && [ $bench_ok -eq 1 ]
}

# everything printed is also kept in $out/gpu-check.log; the status goes
# round the pipe through a file
{ (main); echo $? > "$out/.status"; } 2>&1 | tee "$out/gpu-check.log"
status=$(cat "$out/.status" 2>/dev/null || echo 1)
rm -f "$out/.status"
exit "$status"
