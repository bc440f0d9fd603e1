#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Reads the rounds written by tests/bench/bench-engine.sh (one folder per
# round: rates.json, ref-caption.json, eng-caption.json, ref-vqa.json,
# eng-vqa.json, load.txt) and prints the engine's figures beside the PyTorch
# reference and the floor computed from the rates measured in the same run,
# checks that the ids agree, and exits 1 when they do not.
#
# Usage: engine-summary.py SCRATCH_DIR ROUND_DIR...
import json
import os
import statistics
import sys

MAX_LEN = 20
STEPS = MAX_LEN - 1
PREFIX_TOKENS = 73      # [CLS] [MASK] 20 tags [SEP] 50 regions
N_TAG_CTX = 21          # tags + [SEP]
N_REGIONS = 50
VQA_PADDED = 128 + 50
N_ANSWERS = 3129


def med(xs):
    return statistics.median(xs)


def load_json(path):
    with open(path) as f:
        return json.load(f)


def main():
    scratch, rounds = sys.argv[1], sys.argv[2:]
    cfg = load_json(os.path.join(scratch, "caption_base", "config.json"))
    h, n_layers, inter = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["intermediate_size"]
    v, d = cfg["vocab_size"], cfg["img_feature_dim"]
    lin = 4 * h * h + 2 * h * inter                       # FLOP-carrying weights of a layer
    enc_params = n_layers * (lin + 9 * h + inter)
    lm_params = h * h + 3 * h + v * h + v

    data = {k: [] for k in ("rates", "ref-caption", "eng-caption", "ref-vqa", "eng-vqa")}
    loads = []
    for r in rounds:
        for k in data:
            p = os.path.join(r, k + ".json")
            if os.path.exists(p):
                data[k].append(load_json(p))
        with open(os.path.join(r, "load.txt")) as f:
            loads.extend(float(line.split()[0]) for line in f if line.strip())

    bw = med([x["bandwidth_gbs_2thr"] for x in data["rates"]]) * 1e9
    bw1 = med([x["bandwidth_gbs_1thr"] for x in data["rates"]]) * 1e9
    # the caption checkpoint's own mapped pages (older runs lack it)
    wbw = [x["weights_file_gbs_2thr"] for x in data["rates"] if "weights_file_gbs_2thr" in x]
    rate = {m: med([x["sgemm"][m]["mix"] for x in data["rates"]]) * 1e9
            for m in ("80", "85", "178")}

    def enc_flops(s):
        return n_layers * (2 * s * lin + 4 * s * s * h)

    prefix_flops = enc_flops(PREFIX_TOKENS) + 2 * N_REGIONS * d * h + 2 * (h * h + v * h)
    prefix_s = prefix_flops / rate["80"]

    # A cached step of the original's decoding feeds two tokens a beam: the
    # word just chosen, in place of the [MASK] it replaces (its keys and
    # values at every layer depend on it), and the next [MASK]; the LM head
    # reads the [MASK] rows only. The "work" floor counts those FLOPs; the
    # bandwidth floor (the performance reference's) counts the weight reads
    # alone, which for beam 5 on a fast-memory round is below the step's
    # arithmetic at the sgemm rate.
    def caption_floor(beams, bw=bw, rate80=rate["80"], work=True):
        total = prefix_flops / rate80
        for step in range(1, MAX_LEN):
            kv = 2 * n_layers * h * 4 * (N_TAG_CTX + N_REGIONS + beams * (step + 1))
            nbytes = 4 * (enc_params + lm_params) + kv
            flops = 2 * (2 * beams) * (n_layers * lin) + 2 * beams * (h * h + v * h)
            total += max(nbytes / bw, flops / rate80) if work else nbytes / bw
        return total

    def vqa_floor(s, r):
        flops = enc_flops(s) + 2 * N_REGIONS * d * h + 2 * h * h + 2 * N_ANSWERS * h
        return max(flops / r, 4 * (enc_params + N_ANSWERS * h) / bw)

    ok = True
    out = []

    def check(name, a, b):
        nonlocal ok
        same = a == b
        ok = ok and same
        out.append("| %s | %s |" % (name, "equal" if same else "DIFFERENT: %s vs %s" % (a, b)))

    ec, rc = data["eng-caption"], data["ref-caption"]
    ev, rv = data["eng-vqa"], data["ref-vqa"]
    weight_c = rc[0]["weight_bytes"]
    weight_v = rv[0]["weight_bytes"]
    file_c = os.path.getsize(os.path.join(scratch, "caption_base", "pytorch_model.bin"))

    def all_runs(recs, key):
        return [t for x in recs for t in x[key]]

    rows = []

    def row(name, eng, ref, floor, target=None):
        rows.append("| %s | %.3f s | %s | %s | %s |" % (
            name, eng, "%.3f s (%.1f× slower)" % (ref, ref / eng) if ref else "–",
            "%.3f s (%.2f× floor)" % (floor, eng / floor) if floor else "–",
            target or "–"))

    g_f, b_f = caption_floor(1), caption_floor(5)
    g_fb, b_fb = caption_floor(1, work=False), caption_floor(5, work=False)
    vf_pad, vf_real = vqa_floor(VQA_PADDED, rate["178"]), vqa_floor(85, rate["85"])
    g_e, b_e = med(all_runs(ec, "greedy_s")), med(all_runs(ec, "beam5_s"))
    row("caption greedy (cached)", g_e, med(all_runs(rc, "greedy_s")), g_f,
        "≤ 2× floor: %s; bandwidth floor %.3f s (%.2f×)" % (
            "met" if g_e <= 2 * g_f else "MISSED", g_fb, g_e / g_fb))
    row("caption beam 5 (cached)", b_e, med(all_runs(rc, "beam5_s")), b_f,
        "≤ 2× floor: %s; bandwidth floor %.3f s (%.2f×)" % (
            "met" if b_e <= 2 * b_f else "MISSED", b_fb, b_e / b_fb))
    if "greedy_uncached_s" in ec[0]:
        row("caption greedy, engine uncached", ec[0]["greedy_uncached_s"][0], None, g_f)
        row("caption beam 5, engine uncached", ec[0]["beam5_uncached_s"][0], None, b_f)
    vq = med(all_runs(ev, "vqa_s"))
    row("VQA (floor: 178 padded tokens)", vq, med(all_runs(rv, "vqa_s")), vf_pad,
        "≤ 2× floor: %s" % ("met" if vq <= 2 * vf_pad else "MISSED"))
    row("VQA (floor: 85 real tokens)", vq, None, vf_real,
        "≤ 2× floor: %s" % ("met" if vq <= 2 * vf_real else "MISSED"))
    ld = med([t for x in ec for t in x["load_s"]])
    row("load caption checkpoint", ld, med([x["load_s"] for x in rc]), file_c / bw,
        "< 0.2 s: %s" % ("met" if ld < 0.2 else "MISSED"))
    ldv = med([t for x in ev for t in x["load_s"]])
    row("load VQA checkpoint", ldv, med([x["load_s"] for x in rv]), None,
        "< 0.2 s: %s" % ("met" if ldv < 0.2 else "MISSED"))

    # The machine's bandwidth moves between rounds (a shared host); each
    # round's captions against the floor from that round's own rates.
    per_round = []
    worst = 0.0
    for i, (e, rt) in enumerate(zip(ec, data["rates"])):
        rbw, r80 = rt["bandwidth_gbs_2thr"] * 1e9, rt["sgemm"]["80"]["mix"] * 1e9
        cells = []
        for key, beams in (("greedy_s", 1), ("beam5_s", 5)):
            t, f = med(e[key]), caption_floor(beams, rbw, r80)
            fb = caption_floor(beams, rbw, r80, work=False)
            worst = max(worst, t / f)
            cell = "%.3f s / %.3f s = %.2f× (bandwidth floor %.2f×" % (t, f, t / f, t / fb)
            if rt.get("weights_file_gbs_2thr"):
                # the same floor at the rate the checkpoint's own pages read
                fp = caption_floor(beams, rt["weights_file_gbs_2thr"] * 1e9, r80)
                cell += "; at the pages' rate %.2f×" % (t / fp)
            cells.append(cell + ")")
        per_round.append("| %d | %.1f GB/s | %s | %.1f GFLOP/s | %s | %s |" % (
            i + 1, rbw / 1e9, "%.1f GB/s" % rt["weights_file_gbs_2thr"]
            if "weights_file_gbs_2thr" in rt else "–", r80 / 1e9, cells[0], cells[1]))

    mem = []
    for name, e, r, wb in (("caption", ec, rc, weight_c), ("VQA", ev, rv, weight_v)):
        peak = max(x["peak_rss"] for x in e)
        rpeak = max(x["peak_rss"] for x in r)
        mem.append("| %s | %.1f MB | %.2f× | %.1f MB | %.1f MB (%.2f×) | %s |" % (
            name, wb / 1e6, peak / wb, peak / 1e6, rpeak / 1e6, rpeak / wb,
            "met" if peak < 1.3 * wb else "MISSED"))

    check("caption step-1 text ids, engine vs reference", ec[0]["step1_text_ids"],
          rc[0]["step1_text_ids"])
    check("VQA text ids, engine vs reference", ev[0]["text_ids"], rv[0]["text_ids"])
    for key in ("greedy", "beam5"):
        for x in ec:
            check("%s ids: engine cached vs reference" % key, x[key + "_ids"], rc[0][key + "_ids"])
        if key + "_uncached_ids" in ec[0]:
            check("%s ids: engine cached vs engine uncached" % key, ec[0][key + "_ids"],
                  ec[0][key + "_uncached_ids"])
    for x in rc[1:]:
        check("reference ids stable across rounds", x["greedy_ids"] + x["beam5_ids"],
              rc[0]["greedy_ids"] + rc[0]["beam5_ids"])
    check("VQA argmax, engine vs reference", [x["argmax"] for x in ev],
          [rv[0]["argmax"]] * len(ev))
    dl = max(abs(a - b) for a, b in zip(ev[0]["logits_head"], rv[0]["logits_head"]))
    out.append("| VQA logits 0..15, largest difference engine vs reference | %.2g |" % dl)
    ok = ok and dl < 1e-3

    r0 = rc[0]
    print("Rounds: %d; engine runs per round: %d (captions), %d (VQA); reference runs per "
          "round: %d (captions), %d (VQA); medians over all runs." % (
              len(rounds), len(ec[0]["greedy_s"]), len(ev[0]["vqa_s"]), len(r0["greedy_s"]),
              len(rv[0]["vqa_s"])))
    print("Load average (1 min) at each process start: %s (min %.2f, max %.2f)." % (
        ", ".join("%.2f" % x for x in loads), min(loads), max(loads)))
    print("Engine: %s. Reference: torch %s, %d intra-op threads, env %s." % (
        ec[0]["backend"], r0["torch"], r0["torch_threads"],
        " ".join("%s=%s" % kv for kv in r0["env"].items() if kv[1] is not None)))
    print("OpenBLAS as the engine's rates probe found it: %s." % data["rates"][0]["openblas"])
    print("Measured rates (medians of rounds): read bandwidth %.1f GB/s (2 threads), %.1f GB/s "
          "(1 thread); OpenBLAS sgemm encoder mix %.1f GFLOP/s at M = 80, %.1f at 85, "
          "%.1f at 178." % (bw / 1e9, bw1 / 1e9, rate["80"] / 1e9, rate["85"] / 1e9,
                            rate["178"] / 1e9))
    if wbw:
        print("The caption checkpoint's own pages, mapped as the engine maps them, read at "
              "%.1f GB/s (median of rounds, 2 threads): %.2f of the fresh array's rate.%s" % (
                  med(wbw), med(wbw) * 1e9 / bw,
                  " The engine streams its weights from those pages, so its steps cannot "
                  "reach the floors below, which use the fresh array's rate."
                  if med(wbw) * 1e9 < 0.9 * bw else ""))
    step_flops = 2 * 10 * (n_layers * lin) + 2 * 5 * (h * h + v * h)
    print("Floors: caption prefix %.1f GFLOP = %.0f ms; a cached step reads %.1f MB of weights "
          "(+ its K/V) = %.1f ms; a beam-5 step computes %.2f GFLOP (two rows a beam through "
          "the encoder, the five [MASK] rows through the LM head) = %.1f ms at the sgemm rate. "
          "Floor = prefix + 19 steps of the larger of the two; the bandwidth floor counts "
          "the reads alone.\n" % (prefix_flops / 1e9, prefix_s * 1e3,
                                  4 * (enc_params + lm_params) / 1e6,
                                  4 * (enc_params + lm_params) / bw * 1e3, step_flops / 1e9,
                                  step_flops / rate["80"] * 1e3))
    print("| work | engine (median) | PyTorch reference (median) | floor | target |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print("\nEach round against its own rates (engine median ÷ floor):\n")
    print("| round | read bandwidth | checkpoint's pages | sgemm at M = 80 | greedy | beam 5 |")
    print("|---|---|---|---|---|---|")
    print("\n".join(per_round))
    print("\nLargest caption ratio over the rounds: %.2f× (target ≤ 2×: %s)." % (
        worst, "met" if worst <= 2 else "MISSED"))
    print("\n| peak memory | weight bytes | engine peak ÷ weights | engine peak RSS "
          "| reference peak RSS | < 1.3× weights |")
    print("|---|---|---|---|---|---|")
    print("\n".join(mem))
    print("\n| check | result |\n|---|---|")
    print("\n".join(out))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
