#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Trains the demo OSCAR models on demo-world data written by
# `oscarviz demo-world generate`: pre-training (masked tokens + polluted-tag
# contrastive loss), then captioning and VQA fine-tuning; the same recipe
# without tags for the captioning comparison. Writes the checkpoint folders,
# learning curves, held-out results and the reference outputs the C tests
# compare against. Run through tools/make-demo.sh.

import argparse
import base64
import csv
import json
import math
import os
import random
import sys
import time
from collections import Counter, defaultdict

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import demo_model as dm  # noqa: E402

NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight"]
SIZES = {"small", "medium", "large"}
# VQA input length: question + tags + [CLS]/[SEP]s, padded; recorded as
# max_seq_length in demo-vqa's training_args.bin (run_vqa's args.max_seq_length)
VQA_MAX_LEN = 28


# ----------------------------------------------------------------------------
# Data

def read_tsv(path):
    with open(path) as f:
        for line in f:
            key, value = line.rstrip("\n").split("\t", 1)
            yield key, json.loads(value)


class Split:
    def __init__(self, folder, name, n_img):
        self.keys, self.dets, self.hw = [], [], []
        for key, dets in read_tsv(os.path.join(folder, f"{name}.label.tsv")):
            self.keys.append(key)
            self.dets.append(dets)
        n = len(self.keys)
        self.feats = np.zeros((n, n_img, 2054), dtype=np.float32)
        self.n_reg = np.zeros(n, dtype=np.int64)
        for i, (key, row) in enumerate(read_tsv(os.path.join(folder, f"{name}.feature.tsv"))):
            assert key == self.keys[i], \
                f"{name}: feature row {i} is {key}, label row is {self.keys[i]}"
            f = np.frombuffer(base64.b64decode(row["features"]), dtype="<f4")
            f = f.reshape(row["num_boxes"], 2054)[:n_img]
            self.feats[i, : len(f)] = f
            self.n_reg[i] = len(f)
        self.tags = [" ".join(d["class"] for d in dets) for dets in self.dets]
        # the real rows of each scene: layouts mask the zero padding out
        self.real = [self.feats[i, : self.n_reg[i]] for i in range(n)]
        self.captions = defaultdict(list)
        with open(os.path.join(folder, f"{name}_caption.json")) as f:
            for c in json.load(f):
                self.captions[c["image_id"]].append(c["caption"])
        with open(os.path.join(folder, f"{name}_qla.json")) as f:
            self.qla = json.load(f)
        with open(os.path.join(folder, f"{name}.scene.json")) as f:
            self.truth = {s["image_id"]: s for s in json.load(f)}
        self.index = {k: i for i, k in enumerate(self.keys)}
        self.feats_t = torch.from_numpy(self.feats)

    def __len__(self):
        return len(self.keys)

    def set_features(self, feats):
        """Replaces the region features (same shape); padding rows stay zero."""
        self.feats = feats
        self.real = [feats[i, : self.n_reg[i]] for i in range(len(self))]
        self.feats_t = torch.from_numpy(feats)


class FeatureScaler:
    """Centres the region features for training: every value minus the mean of
    its column over the training regions, divided by one overall standard
    deviation. The demo extractor's values are all non-negative and share a
    large common component (mean cosine 0.45 between two random regions);
    fed raw, the region projection learns next to nothing and the models read
    little of the scene. After training, fold() moves the scaling into the
    projection, so the saved checkpoints take the raw features, as the C
    engine gives them."""

    def __init__(self, split):
        x = np.concatenate([r for r in split.real if len(r)]).astype(np.float64)
        self.mean = x.mean(0)
        self.scale = float(np.sqrt(x.var(0).mean()))

    def apply(self, split):
        out = np.zeros_like(split.feats)
        for i in range(len(split)):
            n = split.n_reg[i]
            out[i, :n] = (split.feats[i, :n] - self.mean) / self.scale
        return out

    @torch.no_grad()
    def fold(self, model):
        """W x' + b with x' = (x - mean) / scale  ==  (W / scale) x + b'."""
        lin = model.bert.img_embedding
        w = lin.weight.double() / self.scale
        b = lin.bias.double() - w @ torch.from_numpy(self.mean)
        lin.weight.copy_(w.float())
        lin.bias.copy_(b.float())


# ----------------------------------------------------------------------------
# Batches

def mask_tokens(ids, labels_from, choose, vocab, rng):
    """80 % [MASK], 10 % random word, 10 % unchanged at the chosen positions.
    Returns the corrupted ids and labels (-1 where not chosen)."""
    labels = torch.full_like(ids, -1)
    labels[choose] = labels_from[choose]
    r = torch.rand(ids.shape, generator=rng)
    ids = ids.clone()
    ids[choose & (r < 0.8)] = vocab.mask
    rand_pos = choose & (r >= 0.8) & (r < 0.9)
    ids[rand_pos] = torch.randint(len(dm.SPECIALS), len(vocab), (int(rand_pos.sum()),),
                                  generator=rng)
    return ids, labels


def pretrain_batch(split, idx, vocab, st, with_tags, rng, pyrng, max_len=32, mask_prob=0.15):
    """Masked-token + contrastive batch (§6). With tags, the tag string is
    replaced by another image's with probability 0.5 (label 1); without tags
    the caption is."""
    rows = []
    for i in idx:
        key = split.keys[i]
        cap = pyrng.choice(split.captions[key])
        tags = split.tags[i]
        polluted = pyrng.random() < 0.5
        if polluted:
            j = pyrng.randrange(len(split))
            while j == i:
                j = pyrng.randrange(len(split))
            if with_tags:
                tags = split.tags[j]
            else:
                cap = pyrng.choice(split.captions[split.keys[j]])
        ids, types, mask, _, _ = dm.pretrain_inputs(vocab, cap, tags, split.real[i], max_len,
                                                    st.max_img_seq_length, with_tags)
        rows.append((ids, types, mask, int(polluted)))
    ids = torch.stack([r[0] for r in rows])
    types = torch.stack([r[1] for r in rows])
    mask = torch.stack([r[2] for r in rows])
    cand = (ids >= len(dm.SPECIALS))
    choose = cand & (torch.rand(ids.shape, generator=rng) < mask_prob)
    # at least one masked word per example
    none = ~choose.any(1)
    if none.any():
        first = cand.float().argmax(1)
        choose[none, first[none]] = True
    ids_m, labels = mask_tokens(ids, ids, choose, vocab, rng)
    img = split.feats_t[idx]
    pos = torch.arange(max_len)[None].expand(len(idx), -1)
    return ids_m, types, pos, img, mask, labels, torch.tensor([r[3] for r in rows])


def caption_train_example(vocab, st, caption, tags, feats):
    """Training layout of §4.1 with the demo's lengths: caption slots
    [0, a), tag slots [a, T), regions after; 2-D seq2seq mask."""
    a, t_len, n_img = st.max_seq_a_length, st.max_seq_length, st.max_img_seq_length
    cap = vocab.encode(caption)[: a - 2]
    ids = [vocab.cls] + cap + [vocab.sep]
    seq_a = len(ids)
    types = [0] * seq_a
    ids += [vocab.pad] * (a - seq_a)
    types += [0] * (a - seq_a)
    n_tag = 0
    if st.add_od_labels:
        tag_ids = vocab.encode(tags)[: t_len - a - 1]
        ids += tag_ids + [vocab.sep]
        types += [1] * (len(tag_ids) + 1)
        n_tag = len(tag_ids) + 1
    ids += [vocab.pad] * (t_len - len(ids))
    types += [0] * (t_len - len(types))
    img, n_reg = dm.pad_regions(feats, n_img)
    s = t_len + n_img
    mask = torch.zeros(s, s)
    mask[:seq_a, :seq_a] = torch.tril(torch.ones(seq_a, seq_a))
    tag = slice(a, a + n_tag)
    reg = slice(t_len, t_len + n_reg)
    for q in (slice(0, seq_a), tag, reg):
        mask[q, tag] = 1
        mask[q, reg] = 1
    return torch.tensor(ids), torch.tensor(types), mask, img, seq_a


def caption_batch(split, idx, vocab, st, rng, pyrng, mask_prob, max_masked):
    rows = [caption_train_example(vocab, st, pyrng.choice(split.captions[split.keys[i]]),
                                  split.tags[i], split.real[i]) for i in idx]
    ids = torch.stack([r[0] for r in rows])
    choose = torch.zeros_like(ids, dtype=torch.bool)
    for b, r in enumerate(rows):
        seq_a = r[4]
        n = min(max(int(round(mask_prob * (seq_a - 1))), 1), max_masked)
        # candidates: every caption word and the closing [SEP], never [CLS]
        pos = pyrng.sample(range(1, seq_a), n)
        choose[b, pos] = True
    ids_m, labels = mask_tokens(ids, ids, choose, vocab, rng)
    types = torch.stack([r[1] for r in rows])
    mask = torch.stack([r[2] for r in rows])
    img = split.feats_t[idx]
    pos = torch.arange(ids.shape[1])[None].expand(len(idx), -1)
    return ids_m, types, pos, img, mask, labels


def vqa_batch(split, qidx, vocab, st, n_answers, max_len=VQA_MAX_LEN):
    rows, targets = [], torch.zeros(len(qidx), n_answers)
    for b, qi in enumerate(qidx):
        q = split.qla[qi]
        i = split.index[str(q["img_id"])]
        ids, types, mask, _, _ = dm.pretrain_inputs(vocab, q["q"], q["o"], split.real[i],
                                                    max_len, st.max_img_seq_length, True)
        rows.append((ids, types, mask, i))
        for a, s in zip(q["an"], q["s"]):
            targets[b, a] = s
    ids = torch.stack([r[0] for r in rows])
    types = torch.stack([r[1] for r in rows])
    mask = torch.stack([r[2] for r in rows])
    img = split.feats_t[[r[3] for r in rows]]
    pos = torch.arange(max_len)[None].expand(len(qidx), -1)
    return ids, types, pos, img, mask, targets


# ----------------------------------------------------------------------------
# Metrics (our own implementations)

def ngrams(words, n):
    return Counter(tuple(words[i: i + n]) for i in range(len(words) - n + 1))


def bleu4(cands, refs):
    """Corpus BLEU-4 (Papineni et al. 2002): clipped n-gram precisions,
    geometric mean, brevity penalty against the closest reference length."""
    match, total = [0] * 4, [0] * 4
    c_len = r_len = 0
    for c, rs in zip(cands, refs):
        cw, rws = c.split(), [r.split() for r in rs]
        c_len += len(cw)
        r_len += min((abs(len(r) - len(cw)), len(r)) for r in rws)[1]
        for n in range(1, 5):
            cn = ngrams(cw, n)
            best = Counter()
            for r in rws:
                best |= ngrams(r, n)
            match[n - 1] += sum(min(v, best[g]) for g, v in cn.items())
            total[n - 1] += max(len(cw) - n + 1, 0)
    if min(match) == 0:
        return 0.0
    logp = sum(math.log(m / t) for m, t in zip(match, total)) / 4
    bp = 1.0 if c_len > r_len else math.exp(1 - r_len / max(c_len, 1))
    return bp * math.exp(logp)


def cider_d(cands, refs, sigma=6.0):
    """CIDEr-D (Vedantam et al. 2015): TF-IDF n-gram vectors (n = 1..4) with
    document frequencies from the references, clipped candidate counts,
    Gaussian length penalty, x10, averaged over n and references."""
    n_docs = len(refs)
    df = [Counter() for _ in range(4)]
    for rs in refs:
        for n in range(4):
            seen = set()
            for r in rs:
                seen |= set(ngrams(r.split(), n + 1))
            for g in seen:
                df[n][g] += 1
    log_n = math.log(float(n_docs))

    def vec(words, n):
        tf = ngrams(words, n + 1)
        v = {g: c * (log_n - math.log(max(1.0, df[n][g]))) for g, c in tf.items()}
        return v, math.sqrt(sum(x * x for x in v.values()))

    scores = []
    for c, rs in zip(cands, refs):
        cw = c.split()
        per_n = []
        for n in range(4):
            vc, nc = vec(cw, n)
            s = 0.0
            for r in rs:
                rw = r.split()
                vr, nr = vec(rw, n)
                dot = sum(min(vc[g], vr[g]) * vr[g] for g in vc if g in vr)
                if nc > 0 and nr > 0:
                    s += dot / (nc * nr) * math.exp(-((len(cw) - len(rw)) ** 2) / (2 * sigma ** 2))
            per_n.append(s / len(rs))
        scores.append(10.0 * sum(per_n) / 4)
    return float(np.mean(scores))


def caption_facts_right(caption, truth, classes, plurals, colors):
    """Every noun phrase of the caption matches the scene: "a/an [size]
    [colour] class" needs at least one such object, "<number> [colour]
    classes" exactly that many, "<number> objects" the object count. Returns
    None when the caption states nothing checkable."""
    words = caption.replace(",", " , ").split()
    objs = truth["objects"]
    checked, ok = 0, True
    i = 0
    while i < len(words):
        w = words[i]
        if w in ("a", "an") or w in NUMBERS:
            j = i + 1
            if j < len(words) and words[j] in SIZES:
                j += 1
            color = None
            if j < len(words) and words[j] in colors:
                color = words[j]
                j += 1
            if j < len(words) and (words[j] in classes or words[j] in plurals):
                cls = words[j] if words[j] in classes else plurals[words[j]]
                n = sum(1 for o in objs
                        if o["class"] == cls and (color is None or o["color"] == color))
                want = None if w in ("a", "an") else NUMBERS.index(w)
                ok &= (n >= 1) if want is None else (n == want)
                checked += 1
                i = j + 1
                continue
            if w in NUMBERS and j < len(words) and words[j] in ("objects", "object") \
                    and color is None:
                ok &= len(objs) == NUMBERS.index(w)
                checked += 1
                i = j + 1
                continue
        i += 1
    return None if checked == 0 else bool(ok)


# ----------------------------------------------------------------------------
# Training

def make_optimizer(model, lr, steps, head_prefixes=(), head_lr_scale=1.0):
    """AdamW with warm-up and linear decay; parameters whose names start with
    one of head_prefixes learn at lr * head_lr_scale."""
    head = [p for n, p in model.named_parameters() if n.startswith(tuple(head_prefixes))] \
        if head_prefixes else []
    ids = {id(p) for p in head}
    rest = [p for p in model.parameters() if id(p) not in ids]
    groups = [{"params": rest, "lr": lr}]
    if head:
        groups.append({"params": head, "lr": lr * head_lr_scale})
    opt = torch.optim.AdamW(groups, weight_decay=0.01)
    warm = max(1, steps // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (steps - s) / max(1, steps - warm))))
    return opt, sched


def caption_eval(model, split, vocab, st, n, tag_settings=None):
    """Greedy captions of the first n scenes of a split (batched)."""
    model.eval()
    outs = []
    n = min(n, len(split))
    for lo in range(0, n, 64):
        idx = list(range(lo, min(n, lo + 64)))
        rows = [dm.caption_test_inputs(vocab, st, split.tags[i], split.real[i]) for i in idx]
        toks, scores, _ = dm.greedy_caption(
            model, st, torch.stack([r[0] for r in rows]), torch.stack([r[1] for r in rows]),
            torch.stack([r[2] for r in rows]), torch.stack([r[3] for r in rows]),
            (vocab.cls, vocab.sep, vocab.mask, vocab.pad))
        outs += [(t, s, vocab.decode(t)) for t, s in zip(toks, scores)]
    model.train()
    return outs


def caption_scores(outs, split, world):
    keys = split.keys[: len(outs)]
    cands = [o[2] for o in outs]
    refs = [split.captions[k] for k in keys]
    facts = [caption_facts_right(c, split.truth[k], *world) for c, k in zip(cands, keys)]
    right = sum(1 for f in facts if f) / len(facts)
    return {"bleu4": bleu4(cands, refs), "cider": cider_d(cands, refs), "facts_right": right}


def train_pretrain(model, train, val, vocab, st, with_tags, epochs, bs, lr, log, rng, pyrng,
                   epoch_size, con_only_steps=0):
    """Masked-token + contrastive pre-training. The first con_only_steps
    steps (logged as epoch 0) train the contrastive loss alone, under the
    same warm-up and decay as the joint epochs that follow: trained jointly
    from the start, the masked-token loss shapes the encoder first and the
    pooled [CLS] never learns to tell a polluted triple (0.54 held-out
    against 0.67 with 128 such steps, see tools/README.md)."""
    n_steps = con_only_steps + epochs * (epoch_size // bs)
    opt, sched = make_optimizer(model, lr, n_steps)
    name = "pretrain" + ("" if with_tags else "-notags")
    vrng, vpy = torch.Generator().manual_seed(7), random.Random(7)
    vbatch = pretrain_batch(val, list(range(min(len(val), 256))), vocab, st, with_tags, vrng, vpy)

    def evaluate():
        model.eval()
        with torch.no_grad():
            ids, types, pos, img, mask, labels, contrast = vbatch
            seq, pooled, _, _ = model.bert(ids, types, pos, img, mask)
            sel = labels >= 0
            pred = model.lm_logits(seq[:, :sel.shape[1]][sel]).argmax(-1)
            mlm_acc = (pred == labels[sel]).float().mean().item()
            con_pred = model.cls.seq_relationship(pooled).argmax(-1)
            con_acc = (con_pred == contrast).float().mean().item()
        model.train()
        return mlm_acc, con_acc

    def step(idx, joint):
        ids, types, pos, img, mask, labels, contrast = pretrain_batch(
            train, idx, vocab, st, with_tags, rng, pyrng)
        seq, pooled, _, _ = model.bert(ids, types, pos, img, mask)
        loss = F.cross_entropy(model.cls.seq_relationship(pooled), contrast)
        if joint:
            sel = labels >= 0
            loss = loss + F.cross_entropy(model.lm_logits(seq[:, :sel.shape[1]][sel]),
                                          labels[sel])
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        return loss.item()

    if con_only_steps > 0:
        losses, t0, done = [], time.time(), 0
        while done < con_only_steps:
            perm = torch.randperm(len(train), generator=rng).tolist()[:epoch_size]
            for s in range(min(epoch_size // bs, con_only_steps - done)):
                losses.append(step(perm[s * bs:(s + 1) * bs], False))
                done += 1
        mlm_acc, con_acc = evaluate()
        log(name, 0, float(np.mean(losses)), "masked_token_acc", mlm_acc,
            f"contrastive_acc {con_acc:.3f} (contrastive loss only)", time.time() - t0)
    for ep in range(epochs):
        perm = torch.randperm(len(train), generator=rng).tolist()[:epoch_size]
        losses, t0 = [], time.time()
        for s in range(epoch_size // bs):
            losses.append(step(perm[s * bs:(s + 1) * bs], True))
        mlm_acc, con_acc = evaluate()
        log(name, ep + 1, float(np.mean(losses)), "masked_token_acc", mlm_acc,
            f"contrastive_acc {con_acc:.3f}", time.time() - t0)
    mlm_acc, con_acc = evaluate()
    return {"masked_token_acc": round(mlm_acc, 4), "contrastive_acc": round(con_acc, 4),
            "validation_pairs": len(vbatch[-1])}


def train_caption(model, train, val, vocab, st, epochs, bs, lr, log, rng, pyrng, world, n_val,
                  name, epoch_size):
    n_steps = epochs * (epoch_size // bs)
    opt, sched = make_optimizer(model, lr, n_steps)
    for ep in range(epochs):
        perm = torch.randperm(len(train), generator=rng).tolist()[:epoch_size]
        losses, t0 = [], time.time()
        for s in range(epoch_size // bs):
            ids, types, pos, img, mask, labels = caption_batch(
                train, perm[s * bs:(s + 1) * bs], vocab, st, rng, pyrng, 0.4, 8)
            seq, _, _, _ = model.bert(ids, types, pos, img, mask)
            sel = labels >= 0
            loss = F.cross_entropy(model.lm_logits(seq[:, :sel.shape[1]][sel]), labels[sel])
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            losses.append(loss.item())
        sc = caption_scores(caption_eval(model, val, vocab, st, n_val), val, world)
        log(name, ep + 1, float(np.mean(losses)), "caption_facts_right", sc["facts_right"],
            f"bleu4 {sc['bleu4']:.3f}", time.time() - t0)


def vqa_eval(model, split, vocab, st, n_answers, qidx):
    model.eval()
    preds = []
    with torch.no_grad():
        for lo in range(0, len(qidx), 128):
            ids, types, pos, img, mask, _ = vqa_batch(split, qidx[lo: lo + 128], vocab, st,
                                                      n_answers)
            _, pooled, _, _ = model.bert(ids, types, pos, img, mask)
            preds += model.classifier(pooled).argmax(-1).tolist()
    model.train()
    return preds


def train_vqa(model, train, val, vocab, st, n_answers, epochs, bs, lr, log, rng, per_epoch):
    n_steps = epochs * (per_epoch // bs)
    # The classifier starts at the answer frequencies (its bias the log-odds
    # of each answer over the training questions), and it and the pooler
    # learn at a tenth of the rate: from a zero bias the first steps push
    # every logit down at once, which drives the tanh pooler into saturation
    # (|pooled| 0.99 within 50 steps) and leaves the encoder below it with
    # almost no gradient, so the model keeps the answer of each question type.
    counts = np.ones(n_answers)
    for q in train.qla:
        for a in q["an"]:
            counts[a] += 1
    prior = counts / (len(train.qla) + n_answers)
    with torch.no_grad():
        model.classifier.bias.copy_(torch.from_numpy(np.log(prior / (1 - prior))).float())
    opt, sched = make_optimizer(model, lr, n_steps, ("bert.pooler.", "classifier."), 0.1)
    vq = list(range(min(len(val.qla), 600)))
    for ep in range(epochs):
        perm = torch.randperm(len(train.qla), generator=rng).tolist()[:per_epoch]
        losses, t0 = [], time.time()
        for s in range(per_epoch // bs):
            ids, types, pos, img, mask, targets = vqa_batch(train, perm[s * bs:(s + 1) * bs],
                                                            vocab, st, n_answers)
            _, pooled, _, _ = model.bert(ids, types, pos, img, mask)
            logits = model.classifier(model.dropout(pooled))
            # BCE summed over answers, as Oscar's VQA loss (times the answer count)
            loss = F.binary_cross_entropy_with_logits(logits, targets) * n_answers
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            losses.append(loss.item())
        preds = vqa_eval(model, val, vocab, st, n_answers, vq)
        acc = np.mean([p == val.qla[q]["an"][0] for p, q in zip(preds, vq)])
        log("vqa", ep + 1, float(np.mean(losses)), "vqa_acc", float(acc), "", time.time() - t0)


# ----------------------------------------------------------------------------
# Alignment (the paper's Figure: tags and regions of the same object class
# closer with tags than without)

@torch.no_grad()
def alignment(model, split, vocab, st_layout, n):
    """Final-layer states of regions and of the tag words, in the captioning
    test layout (tags and regions never see the caption slots). Returns the
    mean cosine distance between a region and the centroid of the tag states
    of its own detected class, and of the other classes."""
    model.eval()
    reg_states, reg_cls, tag_states, tag_cls = [], [], [], []
    gen = st_layout.max_gen_length
    t_len = st_layout.max_gen_length + st_layout.max_seq_length - st_layout.max_seq_a_length
    for i in range(n):
        ids, types, mask, img = dm.caption_test_inputs(vocab, st_layout, split.tags[i],
                                                       split.real[i])
        pos = torch.cat([torch.arange(gen), torch.arange(st_layout.max_seq_a_length,
                                                         st_layout.max_seq_a_length + t_len - gen)])
        seq, _, _, _ = model.bert(ids[None], types[None], pos[None], img[None], mask[None])
        classes = [d["class"] for d in split.dets[i]]
        n_tags = min(len(classes), t_len - gen - 1)
        for j in range(n_tags):
            tag_states.append(seq[0, gen + j])
            tag_cls.append(classes[j])
        for k in range(min(len(classes), st_layout.max_img_seq_length)):
            reg_states.append(seq[0, t_len + k])
            reg_cls.append(classes[k])
    model.train()
    tags = F.normalize(torch.stack(tag_states), dim=-1)
    regs = F.normalize(torch.stack(reg_states), dim=-1)
    names = sorted(set(tag_cls))
    cent = torch.stack([tags[[c == nm for c in tag_cls]].mean(0) for nm in names])
    cent = F.normalize(cent, dim=-1)
    dist = 1 - regs @ cent.T  # (regions, classes)
    same, diff = [], []
    for r, c in enumerate(reg_cls):
        if c not in names:
            continue
        k = names.index(c)
        same.append(dist[r, k].item())
        diff.append(torch.cat([dist[r, :k], dist[r, k + 1:]]).mean().item())
    return float(np.mean(same)), float(np.mean(diff))


# ----------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", required=True, help="folder with train/val/test splits")
    ap.add_argument("--scenes", required=True, help="shipped scenes folder (test split prefix)")
    ap.add_argument("--out", required=True, help="folder for the model folders")
    ap.add_argument("--report", required=True, help="folder for curves and results")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--epochs", default="6,5,12,12,5",
                    help="pretrain, pretrain-notags, caption, caption-notags, vqa")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--n-test", type=int, default=500)
    ap.add_argument("--epoch-size", type=int, default=1536,
                    help="scenes (or questions) drawn from the training split per epoch")
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--vqa-lr", type=float, default=3e-4)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--contrastive-warmup", type=int, default=0,
                    help="steps of contrastive loss alone before joint pre-training")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = torch.Generator().manual_seed(args.seed)
    pyrng = random.Random(args.seed)
    ep_pre, ep_pre_nt, ep_cap, ep_cap_nt, ep_vqa = (int(x) for x in args.epochs.split(","))
    os.makedirs(args.report, exist_ok=True)
    st = dm.Settings(add_od_labels=True)
    st_nt = dm.Settings(add_od_labels=False)
    t_start = time.time()

    train = Split(args.data, "train", st.max_img_seq_length)
    val = Split(args.data, "val", st.max_img_seq_length)
    test = Split(args.data, "test", st.max_img_seq_length)
    scenes = Split(args.scenes, "test", st.max_img_seq_length)
    # training and its held-out curves see centred features; the raw ones
    # come back once the scaling is folded into the models
    scaler = FeatureScaler(train)
    raw = {}
    for sp in (train, val):
        raw[id(sp)] = sp.feats
        sp.set_features(scaler.apply(sp))
    with open(os.path.join(args.data, "label2ans.json")) as f:
        answers = json.load(f)
    classes = sorted({o["class"] for s in train.truth.values() for o in s["objects"]})
    colors = sorted({o["color"] for s in train.truth.values() for o in s["objects"]})
    words = set(answers)
    for sp in (train,):
        for caps in sp.captions.values():
            for c in caps:
                words |= set(dm.basic_tokens(c))
        for q in sp.qla:
            words |= set(dm.basic_tokens(q["q"]))
        for t in sp.tags:
            words |= set(t.split())
    vocab = dm.Vocab(words)
    # plural -> class ("fish" is its own plural and matches as a class)
    plurals = {c + suffix: c for c in classes for suffix in ("s", "es")
               if c + suffix in vocab.stoi}
    world = (set(classes), plurals, set(colors))
    print(f"data: {len(train)} train, {len(val)} val, {len(test)} test scenes; "
          f"vocabulary {len(vocab)} words; {len(answers)} answers "
          f"({time.time() - t_start:.0f} s)", flush=True)

    curves = []

    def log(model, epoch, loss, metric, value, extra, secs):
        curves.append({"model": model, "epoch": epoch, "train_loss": round(loss, 5),
                       "heldout_metric": metric, "heldout_value": round(value, 5)})
        print(f"{model:16s} epoch {epoch}: loss {loss:.4f}  {metric} {value:.3f}  {extra}  "
              f"({secs:.0f} s; total {time.time() - t_start:.0f} s)", flush=True)

    def new_model(kind, n_labels=2):
        cfg = dm.make_config(len(vocab), kind, hidden=args.hidden, layers=args.layers,
                             heads=4, inter=4 * args.hidden, num_labels=n_labels)
        return dm.Oscar(cfg, kind)

    bs = args.batch_size
    # 1. pre-training with and without tags
    pre = new_model("pretrain")
    es = min(args.epoch_size, len(train))  # an epoch never repeats a scene
    pre_val = train_pretrain(pre, train, val, vocab, st, True, ep_pre, bs, args.lr, log, rng,
                             pyrng, es, args.contrastive_warmup)
    pre_nt = new_model("pretrain")
    pre_nt_val = train_pretrain(pre_nt, train, val, vocab, st_nt, False, ep_pre_nt, bs, args.lr,
                                log, rng, pyrng, es, args.contrastive_warmup)

    # 2. captioning fine-tuning
    cap = new_model("caption")
    cap.load_encoder_from(pre)
    train_caption(cap, train, val, vocab, st, ep_cap, bs, args.lr, log, rng, pyrng, world, 64,
                  "caption", es)
    cap_nt = new_model("caption")
    cap_nt.load_encoder_from(pre_nt)
    train_caption(cap_nt, train, val, vocab, st_nt, ep_cap_nt, bs, args.lr, log, rng, pyrng,
                  world, 64, "caption-notags", es)

    # 3. VQA fine-tuning
    vqa = new_model("vqa", len(answers))
    vqa.load_encoder_from(pre)
    train_vqa(vqa, train, val, vocab, st, len(answers), ep_vqa, bs, args.vqa_lr, log, rng,
              min(len(train.qla), es))

    for m in (pre, pre_nt, cap, cap_nt, vqa):
        scaler.fold(m)
        m.eval()
    for sp in (train, val):
        sp.set_features(raw.pop(id(sp)))

    # 4. held-out results
    n_test = min(args.n_test, len(test))
    results = {"n_test_scenes": n_test, "vocab_size": len(vocab),
               "pretrain_validation": pre_val, "pretrain_notags_validation": pre_nt_val}
    for name, model, s in (("tags", cap, st), ("notags", cap_nt, st_nt)):
        outs = caption_eval(model, test, vocab, s, n_test)
        results["caption_" + name] = caption_scores(outs, test, world)
        results["caption_" + name]["examples"] = [
            {"image_id": test.keys[i], "caption": outs[i][2]} for i in range(5)]
    qidx = [i for i, q in enumerate(test.qla) if test.index[str(q["img_id"])] < n_test]
    preds = vqa_eval(vqa, test, vocab, st, len(answers), qidx)
    by_type = defaultdict(list)
    for p, q in zip(preds, qidx):
        by_type[test.qla[q]["type"]].append(p == test.qla[q]["an"][0])
        by_type["all"].append(p == test.qla[q]["an"][0])
    results["vqa_accuracy"] = {t: round(float(np.mean(v)), 4) for t, v in sorted(by_type.items())}
    results["vqa_questions"] = {t: len(v) for t, v in sorted(by_type.items())}
    for name, model in (("tags", cap), ("notags", cap_nt)):
        same, diff = alignment(model, test, vocab, st, min(n_test, 300))
        results["alignment_" + name] = {"same_class": round(same, 4),
                                        "different_class": round(diff, 4)}
    results["train_seconds"] = round(time.time() - t_start)
    print(json.dumps(results, indent=1), flush=True)
    with open(os.path.join(args.report, "results.json"), "w") as f:
        json.dump(results, f, indent=1)
    with open(os.path.join(args.report, "curves.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(curves[0].keys()))
        w.writeheader()
        w.writerows(curves)
    plot_curves(curves, os.path.join(args.report, "curves.png"))

    # 5. checkpoints
    l2a = json.dumps(answers, indent=1)
    dm.save_checkpoint(cap, vocab, st, os.path.join(args.out, "demo"))
    dm.save_checkpoint(cap_nt, vocab, st_nt, os.path.join(args.out, "demo-notags"))
    dm.save_checkpoint(pre, vocab, st, os.path.join(args.out, "demo-pretrain"))
    dm.save_checkpoint(vqa, vocab, st, os.path.join(args.out, "demo-vqa"),
                       {"label2ans.json": l2a}, vqa_max_seq_length=VQA_MAX_LEN)

    # 6. reference outputs for the C tests, beside the shipped scenes
    write_references(cap, cap_nt, vqa, scenes, vocab, st, st_nt, answers, args.scenes)
    print(f"done in {time.time() - t_start:.0f} s", flush=True)


def write_references(cap, cap_nt, vqa, scenes, vocab, st, st_nt, answers, folder):
    ref_dir = os.path.join(folder, "reference")
    os.makedirs(ref_dir, exist_ok=True)
    n = len(scenes)
    entries = []
    outs = caption_eval(cap, scenes, vocab, st, n)
    outs_nt = caption_eval(cap_nt, scenes, vocab, st_nt, n)
    for i in range(n):
        entries.append({"image_id": scenes.keys[i], "tags": scenes.tags[i],
                        "caption": outs[i][2], "token_ids": outs[i][0],
                        "logprob": outs[i][1],
                        "caption_notags": outs_nt[i][2], "token_ids_notags": outs_nt[i][0],
                        "logprob_notags": outs_nt[i][1]})
    with open(os.path.join(folder, "expected_captions.json"), "w") as f:
        json.dump({"model": "demo (greedy, max_gen_length 20)", "captions": entries}, f, indent=1)

    # Per-step logits of the greedy decode of the first scene, and the
    # encoder's final states of its first step.
    i = 0
    ids, types, mask, img = dm.caption_test_inputs(vocab, st, scenes.tags[i], scenes.real[i])
    toks, _, steps = dm.greedy_caption(cap, st, ids[None], types[None], mask[None], img[None],
                                       (vocab.cls, vocab.sep, vocab.mask, vocab.pad), True)
    np.save(os.path.join(ref_dir, "caption_step_logits.npy"), steps[:, 0].numpy().astype("<f4"))
    # VQA logits of the scene's questions
    qidx = [k for k, q in enumerate(scenes.qla) if str(q["img_id"]) == scenes.keys[i]]
    ids_q, types_q, pos_q, img_q, mask_q, _ = vqa_batch(scenes, qidx, vocab, st, len(answers))
    with torch.no_grad():
        _, pooled, _, _ = vqa.bert(ids_q, types_q, pos_q, img_q, mask_q)
        logits = vqa.classifier(pooled)
    np.save(os.path.join(ref_dir, "vqa_logits.npy"), logits.numpy().astype("<f4"))
    info = {
        "image_id": scenes.keys[i],
        "tags": scenes.tags[i],
        "caption_token_ids": toks[0],
        "caption_step_logits": {"file": "caption_step_logits.npy",
                                "shape": list(steps[:, 0].shape),
                                "note": "row t: logits at the appended [MASK] after t words"},
        "vqa_questions": [scenes.qla[k]["q"] for k in qidx],
        "vqa_answers": [answers[a] for a in logits.argmax(-1).tolist()],
        "vqa_logits": {"file": "vqa_logits.npy", "shape": list(logits.shape)},
        "vqa_max_seq_length": VQA_MAX_LEN,
        "tolerance": {"atol": 1e-4, "rtol": 1e-4},
    }
    with open(os.path.join(ref_dir, "index.json"), "w") as f:
        json.dump(info, f, indent=1)


def plot_curves(curves, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(12, 3.6))
    groups = defaultdict(list)
    # epoch 0 of pre-training is the contrastive-only warm-up: its loss is
    # another quantity, so the figure starts at epoch 1 (the CSV keeps it)
    for c in curves:
        if c["epoch"] > 0:
            groups[c["model"]].append(c)
    for name, rows in groups.items():
        ep = [r["epoch"] for r in rows]
        axes[0].plot(ep, [r["train_loss"] for r in rows], marker="o", label=name)
    axes[0].set_title("training loss")
    axes[0].set_yscale("log")
    for name in ("caption", "caption-notags"):
        rows = groups.get(name, [])
        axes[1].plot([r["epoch"] for r in rows], [r["heldout_value"] for r in rows],
                     marker="o", label=name)
    axes[1].set_title("held-out captions with all facts right")
    for name in ("pretrain", "pretrain-notags", "vqa"):
        rows = groups.get(name, [])
        axes[2].plot([r["epoch"] for r in rows], [r["heldout_value"] for r in rows],
                     marker="o", label=name + (" (masked-token acc)" if name != "vqa" else " acc"))
    axes[2].set_title("held-out accuracy")
    for ax in axes:
        ax.set_xlabel("epoch")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)


if __name__ == "__main__":
    main()
