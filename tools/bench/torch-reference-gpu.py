#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# The PyTorch reference of tools/bench/torch_reference.py moved onto a CUDA
# device, for the GPU benchmark's comparison column: the same model code,
# weights copied to the device once, new tensors made there, and a device
# synchronisation after every timed call so the times are complete.
# Precision "exact" keeps fp32 matrix products (TF32 off); "fast" allows TF32.
# Prints the reference's JSON, or {"skipped": reason} when torch has no CUDA.
#
# Usage: torch-reference-gpu.py caption|vqa CHECKPOINT_DIR REGIONS.f32 RUNS exact|fast
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import torch  # noqa: E402


def skip(reason):
    print(json.dumps({"skipped": reason}))
    sys.exit(0)


def main():
    if len(sys.argv) != 6 or sys.argv[5] not in ("exact", "fast"):
        sys.exit("usage: torch-reference-gpu.py caption|vqa CHECKPOINT_DIR REGIONS.f32 RUNS "
                 "exact|fast")
    if not torch.cuda.is_available():
        skip("torch %s has no usable CUDA device" % torch.__version__)
    if not hasattr(torch, "set_default_device"):
        skip("torch %s is older than 2.0 (no set_default_device)" % torch.__version__)
    fast = sys.argv[5] == "fast"
    # torch 2.9 and later name the precision, and warn at the older switch;
    # earlier versions refuse the name with an AssertionError
    try:
        torch.backends.cuda.matmul.fp32_precision = "tf32" if fast else "ieee"
    except (AttributeError, AssertionError):
        torch.backends.cuda.matmul.allow_tf32 = fast

    import torch_reference as ref

    cpu_load = ref.load
    cpu_frombuffer = torch.frombuffer

    def load(folder):
        model, vocab, dt, nbytes = cpu_load(folder)
        t0 = time.perf_counter()
        model.sd = {k: v.to("cuda") for k, v in model.sd.items()}
        torch.cuda.synchronize()
        return model, vocab, dt + time.perf_counter() - t0, nbytes

    def timed(fn, runs):
        fn()
        torch.cuda.synchronize()
        times, out = [], None
        for _ in range(runs):
            t0 = time.perf_counter()
            out = fn()
            torch.cuda.synchronize()
            times.append(time.perf_counter() - t0)
        return times, out

    ref.load = load
    ref.timed = timed
    # the regions are read from bytes on the host; everything else is made
    # on the default device
    torch.frombuffer = lambda *a, **k: cpu_frombuffer(*a, **k).to("cuda")
    torch.set_default_device("cuda")
    sys.argv = sys.argv[:5]
    ref.main()


if __name__ == "__main__":
    main()
