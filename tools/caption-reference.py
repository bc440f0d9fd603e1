#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# An independent reference for captions outside what the oracle covers:
# captions longer than the training max_gen_length (tag slots then start at
# max (max_seq_a_length, max_length)), and a training_args.bin without
# max_seq_a_length (70 - max_length tag slots). It restates the original's
# uncached generation (greedy and beam search, a full forward pass per step)
# with plain torch operations written from the model's description, no
# model classes, on the oracle checkpoint caption_tiny and the oracle's four
# images, and writes the ids and scores to tests/fixtures/caption-lengths.json.
#
# Run: /usr/bin/python3 tools/caption-reference.py ../shared tests/fixtures/caption-lengths.json

import base64
import json
import math
import os
import re
import sys

import numpy as np
import torch
import torch.nn.functional as F

ACT = {"gelu": lambda x: x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0))), "relu": F.relu,
       "swish": lambda x: x * torch.sigmoid(x)}
CLS, SEP, MASK, PAD = 101, 102, 103, 0


def layer_norm(x, w, b, eps):
    u = x.mean(-1, keepdim=True)
    s = (x - u).pow(2).mean(-1, keepdim=True)
    return w * ((x - u) / torch.sqrt(s + eps)) + b


def encoder(sd, cfg, ids, types, pos, img, mask2d):
    eps = cfg.get("layer_norm_eps", 1e-12)
    act = ACT[cfg.get("hidden_act", "gelu")]
    H = cfg["hidden_size"]
    A = cfg["num_attention_heads"]
    d = H // A
    g = lambda k: sd["bert." + k]
    e = (g("embeddings.word_embeddings.weight")[ids]
         + g("embeddings.position_embeddings.weight")[pos]
         + g("embeddings.token_type_embeddings.weight")[types])
    e = layer_norm(e, g("embeddings.LayerNorm.weight"), g("embeddings.LayerNorm.bias"), eps)
    r = img @ g("img_embedding.weight").t() + g("img_embedding.bias")
    if cfg.get("use_img_layernorm"):
        r = layer_norm(r, g("LayerNorm.weight"), g("LayerNorm.bias"), cfg["img_layer_norm_eps"])
    x = torch.cat([e, r], 0)
    add = (1.0 - mask2d.double()) * -10000.0
    n = x.shape[0]
    for layer in range(cfg["num_hidden_layers"]):
        p = lambda k: sd["bert.encoder.layer.%d.%s" % (layer, k)]
        lin = lambda t, k: t @ p(k + ".weight").t() + p(k + ".bias")
        q = lin(x, "attention.self.query").view(n, A, d).transpose(0, 1)
        k = lin(x, "attention.self.key").view(n, A, d).transpose(0, 1)
        v = lin(x, "attention.self.value").view(n, A, d).transpose(0, 1)
        s = q @ k.transpose(-1, -2) / math.sqrt(d) + add
        c = (torch.softmax(s, -1) @ v).transpose(0, 1).reshape(n, H)
        a1 = layer_norm(lin(c, "attention.output.dense") + x,
                        p("attention.output.LayerNorm.weight"),
                        p("attention.output.LayerNorm.bias"), eps)
        f = act(lin(a1, "intermediate.dense"))
        x = layer_norm(lin(f, "output.dense") + a1, p("output.LayerNorm.weight"),
                       p("output.LayerNorm.bias"), eps)
    return x


def lm_head(sd, cfg, h):
    eps = cfg.get("layer_norm_eps", 1e-12)
    act = ACT[cfg.get("hidden_act", "gelu")]
    t = act(h @ sd["cls.predictions.transform.dense.weight"].t()
            + sd["cls.predictions.transform.dense.bias"])
    t = layer_norm(t, sd["cls.predictions.transform.LayerNorm.weight"],
                   sd["cls.predictions.transform.LayerNorm.bias"], eps)
    dec = (sd["bert.embeddings.word_embeddings.weight"] if cfg.get("tie_weights")
           else sd["cls.predictions.decoder.weight"])
    return t @ dec.t() + sd["cls.predictions.bias"]


def test_inputs(tag_ids, max_gen, od_len, max_a, img, n_img_max):
    """The test-time tensorizer's input: max_gen caption slots ([CLS], masks,
    [SEP]), then the tags cut to fit od_len slots, then the regions; the
    seq2seq mask; tag positions from max (max_seq_a_length, max_gen)."""
    msl = max_gen + od_len
    tokens = [CLS] + [MASK] * (max_gen - 2) + [SEP]
    seg = [0] * len(tokens)
    a_len = len(tokens)
    tb = tag_ids[: msl - len(tokens) - 1]
    tokens += tb + [SEP]
    seg += [1] * (len(tb) + 1)
    seq_len = len(tokens)
    tokens += [PAD] * (msl - seq_len)
    seg += [0] * (msl - seq_len)
    n = min(img.shape[0], n_img_max)
    im = torch.zeros(n_img_max, img.shape[1], dtype=torch.float64)
    im[:n] = img[:n]
    size = msl + n_img_max
    m = torch.zeros(size, size, dtype=torch.long)
    m[:a_len, :a_len] = torch.tril(torch.ones(a_len, a_len, dtype=torch.long))
    ls, le, rs, re_ = max_gen, seq_len, msl, msl + n
    m[ls:le, ls:le] = 1
    m[rs:re_, rs:re_] = 1
    m[:a_len, ls:le] = 1
    m[:a_len, rs:re_] = 1
    m[ls:le, rs:re_] = 1
    m[rs:re_, ls:le] = 1
    start = max(max_a, max_gen)
    pos = list(range(max_gen)) + list(range(start, start + od_len))
    return torch.tensor(tokens), torch.tensor(seg), torch.tensor(pos), m, im


def step_logits(sd, cfg, cur, full, max_gen, od_len):
    """The uncached step: the caption so far, a [MASK], the caption slots
    after it dropped, the tags and regions."""
    tokens, seg, pos, m, im = full
    c = len(cur) + 1
    keep = list(range(c)) + list(range(max_gen, max_gen + od_len))
    ids = torch.tensor(cur + [MASK] + tokens[max_gen:].tolist())
    rows = keep + list(range(max_gen + od_len, m.shape[0]))
    h = encoder(sd, cfg, ids, seg[keep], pos[keep], im, m[rows][:, rows])
    return lm_head(sd, cfg, h[c - 1])


def greedy(sd, cfg, full, max_gen, od_len):
    cur, lps = [CLS], []
    while len(cur) < max_gen:
        lg = step_logits(sd, cfg, cur, full, max_gen, od_len)
        w = int(torch.argmax(lg))
        lps.append(float(F.log_softmax(lg, -1)[w]))
        cur.append(w)
        if w == SEP:
            break
    cur[-1] = SEP
    return [(cur, sum(lps) / len(lps))]


def beam(sd, cfg, full, max_gen, od_len, nb, keep):
    V = cfg["vocab_size"]
    seqs = [[CLS]] * nb
    bs = torch.tensor([0.0] + [-1e9] * (nb - 1), dtype=torch.float64)
    hyps, worst = [], 1e9

    def add(h, s):
        nonlocal worst
        sc = s / len(h)
        if len(hyps) < keep or sc > worst:
            hyps.append((sc, h))
            if len(hyps) > keep:
                ranked = sorted((x, i) for i, (x, _) in enumerate(hyps))
                del hyps[ranked[0][1]]
                worst = ranked[1][0]
            else:
                worst = min(sc, worst)

    cur_len = 1
    while cur_len < max_gen:
        lg = torch.stack([step_logits(sd, cfg, s, full, max_gen, od_len) for s in seqs])
        sc = (F.log_softmax(lg, -1) + bs[:, None]).view(-1)
        ns, nw = torch.topk(sc, 2 * nb)
        if len(hyps) >= keep and worst >= ns.max().item() / (max_gen - 1):
            break
        nxt = []
        for idx, s in zip(nw.tolist(), ns):
            b, w = idx // V, idx % V
            if w == SEP or cur_len + 1 == max_gen:
                add(seqs[b][:cur_len], s.item())
            else:
                nxt.append((s, w, b))
            if len(nxt) == nb:
                break
        if cur_len + 1 == max_gen:
            break
        bs = torch.tensor([float(x[0]) for x in nxt], dtype=torch.float64)
        seqs = [seqs[b] + [w] for _, w, b in nxt]
        cur_len += 1
    return [(h + [SEP], s) for s, h in sorted(hyps, key=lambda x: -x[0])[:keep]]


def tag_ids(vocab, text):
    """WordPiece of the oracle's ASCII class names (lower case, punctuation
    split off)."""
    ids = []
    for word in text.lower().split():
        for piece in re.findall(r"[a-z0-9]+|[^a-z0-9\s]", word):
            start, out = 0, []
            while start < len(piece):
                end, found = len(piece), None
                while start < end:
                    sub = piece[start:end] if start == 0 else "##" + piece[start:end]
                    if sub in vocab:
                        found = sub
                        break
                    end -= 1
                if found is None:
                    out = [vocab["[UNK]"]]
                    break
                out.append(vocab[found])
                start = end
            ids += out
    return ids


def main():
    shared, out_path = sys.argv[1], sys.argv[2]
    ckpt = os.path.join(shared, "oracle", "checkpoints", "caption_tiny")
    data = os.path.join(shared, "oracle", "data")
    cfg = json.load(open(os.path.join(ckpt, "config.json")))
    sd = {k: v.double() for k, v in torch.load(os.path.join(ckpt, "pytorch_model.bin")).items()}
    vocab = {line.rstrip("\n"): i for i, line in enumerate(open(os.path.join(ckpt, "vocab.txt")))}
    feats, tags = {}, {}
    for line in open(os.path.join(data, "features.tsv")):
        key, js = line.rstrip("\n").split("\t")
        raw = np.frombuffer(base64.b64decode(json.loads(js)["features"]), np.float32)
        feats[key] = torch.from_numpy(raw.reshape(-1, 2054).astype(np.float64))
    for line in open(os.path.join(data, "labels.tsv")):
        key, js = line.rstrip("\n").split("\t")
        tags[key] = " ".join(o["class"] for o in json.loads(js))
    # (name, beams, keep, max_length, tag slots, max_seq_a_length)
    cases = [
        ("beam3-length25", 3, 1, 25, 30, 40),
        ("beam2-keep2-length50", 2, 2, 50, 30, 40),
        ("greedy-no-seq-a", 1, 1, 20, 70 - 20, 40),
        ("greedy-no-seq-a-length30", 1, 1, 30, 70 - 30, 40),
    ]
    result = {"note": "computed in float64 by tools/caption-reference.py with plain torch ops",
              "cases": []}
    with torch.no_grad():
        for name, nb, keep, max_gen, od_len, max_a in cases:
            images = []
            for key in feats:
                full = test_inputs(tag_ids(vocab, tags[key]), max_gen, od_len, max_a, feats[key],
                                   50)
                if nb == 1:
                    hyps = greedy(sd, cfg, full, max_gen, od_len)
                else:
                    hyps = beam(sd, cfg, full, max_gen, od_len, nb, keep)
                images.append({"key": key, "tags": tags[key],
                               "captions": [{"ids": h, "score": s} for h, s in hyps]})
            result["cases"].append({"name": name, "beams": nb, "n_best": keep,
                                    "max_length": max_gen, "tag_slots": od_len,
                                    "images": images})
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
