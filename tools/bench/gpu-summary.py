#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Prints the GPU benchmark's table from the JSON lines of tests/bench/bench-gpu
# (one per backend and precision) and the PyTorch CUDA reference's JSON files:
# latencies against the targets, and agreement with the CPU backend (hidden
# states of the VQA input, beam-5 and greedy caption ids).
#
# Usage: gpu-summary.py ENGINE.jsonl [TORCH-<precision>-<mode>.json ...]
import array
import json
import os
import statistics
import sys

TARGETS = {"beam5_ms": 10.0, "vqa_ms": 2.0, "embed_5000_s": 10.0}


def read_f32(path):
    a = array.array("f")
    with open(path, "rb") as f:
        a.frombytes(f.read())
    return a


def hidden_diff(got, want):
    """max |got - want| / max |want|, and max |got - want|."""
    peak = max(abs(w) for w in want) or 1.0
    worst = max(abs(g - w) for g, w in zip(got, want))
    return worst / peak, worst


def fmt(v, digits=2):
    return "-" if v is None else ("%.*f" % (digits, v))


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: gpu-summary.py ENGINE.jsonl [TORCH.json ...]")
    rows = []
    with open(sys.argv[1]) as f:
        for line in f:
            if line.strip():
                rows.append(json.loads(line))
    torch = {}
    for path in sys.argv[2:]:
        name = os.path.basename(path)[:-5]          # torch-exact-caption
        with open(path) as f:
            torch[name] = json.load(f)
    cpu = next((r for r in rows if r["name"].startswith("cpu")), None)
    cpu_hidden = read_f32(cpu["hidden"]) if cpu else None

    cols = []
    for r in rows:
        c = {
            "name": r["name"], "load_s": r["load_caption_s"], "beam5_ms": r["beam5_ms"],
            "greedy_ms": r["greedy_ms"], "vqa_ms": r["vqa_ms"],
            "embed_5000_s": r["embed_ms_per_image"] * 5.0,
            "embed_n": r["embed_images"], "backend": r["backend"],
        }
        # what the caption model's device backend did (null on the CPU)
        st = r.get("device_stats")
        if st:
            c["stats"] = "%d/%d%s; %d/%d/%d" % (
                st["lt_products"], st["plain_products"],
                " (%d refused)" % st["lt_refused"] if st["lt_refused"] else "",
                st["graphs_recorded"], st["graph_launches"], st["graphs_failed"])
        # where a beam-5 caption's time goes, on a device (null on the CPU)
        for part in ("context", "step", "scoring", "reorder"):
            if r.get("beam5_%s_ms" % part) is not None:
                c["part_" + part] = r["beam5_%s_ms" % part]
        if r.get("fallback"):
            c["backend"] += " (fell back: %s)" % r["fallback"]
        if cpu is not None and r is not cpu:
            c["hidden_rel"], c["hidden_abs"] = hidden_diff(read_f32(r["hidden"]), cpu_hidden)
            c["beam5_same"] = r["beam5_ids"] == cpu["beam5_ids"]
            c["greedy_same"] = r["greedy_ids"] == cpu["greedy_ids"]
        cols.append(c)
    for prec in ("exact", "fast"):
        cap = torch.get("torch-%s-caption" % prec)
        vqa = torch.get("torch-%s-vqa" % prec)
        if cap is None and vqa is None:
            continue
        # a part that was skipped or is missing drops out; the other stays
        for part, name in ((cap, "caption"), (vqa, "VQA")):
            if part is not None and part.get("skipped"):
                print("PyTorch CUDA (%s, %s): skipped: %s" % (prec, name, part["skipped"]))
        if cap is not None and cap.get("skipped"):
            cap = None
        if vqa is not None and vqa.get("skipped"):
            vqa = None
        if cap is None and vqa is None:
            continue
        version = (cap or vqa).get("torch", "?")
        c = {"name": "torch-cuda-%s" % prec, "backend": "PyTorch %s" % version}
        if cap:
            c["load_s"] = cap["load_s"]
            c["beam5_ms"] = statistics.median(cap["beam5_s"]) * 1e3
            c["greedy_ms"] = statistics.median(cap["greedy_s"]) * 1e3
            if cpu is not None:
                c["beam5_same"] = cap["beam5_ids"] == cpu["beam5_ids"]
                c["greedy_same"] = cap["greedy_ids"] == cpu["greedy_ids"]
        if vqa:
            c["vqa_ms"] = statistics.median(vqa["vqa_s"]) * 1e3
        cols.append(c)

    for c in cols:
        print("%-27s %s" % (c["name"], c["backend"]))
    print()
    head = "| | " + " | ".join(c["name"] for c in cols) + " | target |"
    print(head)
    print("|" + " --- |" * (len(cols) + 2))
    lines = [
        ("load caption checkpoint (s)", "load_s", 2, None),
        ("beam-5 caption, max 20 (ms)", "beam5_ms", 2, TARGETS["beam5_ms"]),
        ("greedy caption, max 20 (ms)", "greedy_ms", 2, None),
        ("VQA question to logits (ms)", "vqa_ms", 3, TARGETS["vqa_ms"]),
        ("embedding pass, 5,000 images (s)", "embed_5000_s", 2, TARGETS["embed_5000_s"]),
    ]
    for label, key, digits, target in lines:
        cells = []
        for c in cols:
            v = c.get(key)
            mark = ""
            if v is not None and target is not None and not c["name"].startswith("cpu"):
                mark = " ok" if v < target else " MISSED"
            cells.append(fmt(v, digits) + mark)
        print("| %s | %s | %s |" % (label, " | ".join(cells),
                                     "< %g" % target if target else ""))
    parts = [
        ("beam-5 parts: tags and regions into the step cache (ms)", "part_context"),
        ("beam-5 parts: one step, waited for (ms)", "part_step"),
        ("beam-5 parts: scoring a step (ms)", "part_scoring"),
        ("beam-5 parts: reordering the cache (ms)", "part_reorder"),
    ]
    for label, key in parts:
        if any(key in c for c in cols):
            print("| %s | %s | |" % (label, " | ".join(fmt(c.get(key), 3) for c in cols)))
    if any("stats" in c for c in cols):
        print("| caption model: products cuBLASLt/cuBLAS; graphs recorded/launched/failed | %s | |"
              % " | ".join(c.get("stats", "-") for c in cols))
    print("| images timed for the pass | %s | |"
          % " | ".join(str(c.get("embed_n", "-")) for c in cols))
    print("| hidden states vs CPU, max diff / max value | %s | exact 1e-5, fast 1e-2 |"
          % " | ".join("%.2g" % c["hidden_rel"] if "hidden_rel" in c else "-" for c in cols))
    print("| beam-5 / greedy ids as the CPU's | %s | same |"
          % " | ".join("%s / %s" % ("yes" if c["beam5_same"] else "NO",
                                    "yes" if c["greedy_same"] else "NO")
                       if "beam5_same" in c else "-" for c in cols))


if __name__ == "__main__":
    main()
