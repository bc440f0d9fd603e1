#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# The GPU benchmark's pipeline on the emulated device (tests/cuda-emu):
# bench-gpu, built against the emulator, on the tiny oracle checkpoints for
# CUDA exact, CUDA fast, the CPU backend, and CUDA exact without graphs
# (OV_CUDA_GRAPHS=0) and also with every product through cuBLAS
# (OV_CUDA_LT=0), then the table of
# tools/bench/gpu-summary.py. Passes when every column is there, the CUDA
# captions are the CPU's, and the VQA hidden states are within 1e-5 (exact)
# and 1e-2 (fast) of the CPU's, relative to their largest value. The
# timings mean nothing here.
#
# Usage: bench-gpu-emu.sh BENCH_GPU_EMU SOURCE_DIR SHARED_DIR WORK_DIR
set -eu
exe=$1 src=$2 shared=$3 work=$4
ckpt=$shared/oracle/checkpoints
rm -rf "$work"
mkdir -p "$work/raw"
# 50 regions of ReLU'd noise and boxes, as the base-size benchmark's
python3 - "$work/regions.f32" <<'PY'
import array, random, sys
r = random.Random(303)
a = array.array("f")
for _ in range(50):
    a.extend(max(0.0, r.gauss(0.0, 1.0)) for _ in range(2048))
    x, y, w, h = r.uniform(0, 0.6), r.uniform(0, 0.6), r.uniform(0.05, 0.45), r.uniform(0.05, 0.45)
    a.extend((x, y, x + w, y + h, w, h))
open(sys.argv[1], "wb").write(a.tobytes())
PY
bench () {
  "$exe" "$ckpt/caption_tiny" "$ckpt/vqa_tiny_imgln" "$work/regions.f32" "$@" "$work/raw" \
    >> "$work/engine.jsonl"
}
bench cuda exact 1 2
bench cuda fast 1 2
bench cpu exact 1 2
# a step's launches one by one, then also every product through cuBLAS and
# the bias kernel, as where cuBLASLt is missing
export OV_CUDA_GRAPHS=0
bench cuda exact 1 2
export OV_CUDA_LT=0
bench cuda exact 1 2
unset OV_CUDA_GRAPHS OV_CUDA_LT
python3 "$src/tools/bench/gpu-summary.py" "$work/engine.jsonl" | tee "$work/summary.md"
python3 - "$src/tools/bench/gpu-summary.py" "$work/engine.jsonl" <<'PY'
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("gpu_summary", sys.argv[1])
summary = importlib.util.module_from_spec(spec)
spec.loader.exec_module(summary)
rows = {r["name"]: r for r in map(json.loads, open(sys.argv[2]))}
assert set(rows) == {"cuda-exact", "cuda-fast", "cpu-exact", "cuda-exact-nographs",
                     "cuda-exact-cublas-nographs"}, sorted(rows)
cpu = rows["cpu-exact"]
want = summary.read_f32(cpu["hidden"])
for name, tol in (("cuda-exact", 1e-5), ("cuda-fast", 1e-2), ("cuda-exact-nographs", 1e-5),
                  ("cuda-exact-cublas-nographs", 1e-5)):
    r = rows[name]
    assert r["backend"].startswith("CUDA"), r["backend"]
    assert ("; cuBLAS; " if "cublas" in name else "; cuBLASLt; ") in r["backend"], r["backend"]
    assert r["backend"].endswith("no graphs)" if "nographs" in name else "; graphs)"), \
        r["backend"]
    # what ran, not only what was switched on
    st = r["device_stats"]
    if "cublas" in name:
        assert st["lt_products"] == 0 and st["plain_products"] > 0, (name, st)
    else:
        assert st["lt_products"] > 0 and st["plain_products"] == 0, (name, st)
    if "nographs" in name:
        assert st["graphs_recorded"] == 0 and st["graph_launches"] == 0, (name, st)
    else:
        assert st["graphs_recorded"] > 0 and st["graph_launches"] > 0, (name, st)
    assert st["graphs_failed"] == 0, (name, st)
    assert r["beam5_ids"] == cpu["beam5_ids"], (name, r["beam5_ids"], cpu["beam5_ids"])
    assert r["greedy_ids"] == cpu["greedy_ids"], (name, r["greedy_ids"], cpu["greedy_ids"])
    rel, _ = summary.hidden_diff(summary.read_f32(r["hidden"]), want)
    assert rel <= tol, (name, rel, tol)
    print("%s: captions as the CPU's, hidden states within %.2g (tolerance %g)"
          % (name, rel, tol))
PY
