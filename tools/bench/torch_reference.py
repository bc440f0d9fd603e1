#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# The PyTorch reference of the engine benchmark: Oscar's image-BERT written
# out with Debian's python3-torch and run the way the original runs it at
# test time, with no cache: every caption step encodes [CLS] w1..wk [MASK],
# the 30 tag slots and the 50 regions whole, the LM head runs on every text
# row, and beam search batches the beams. VQA runs the 128 padded text
# positions and 50 regions. Prints one JSON object with times, ids and peak
# memory. Threads come from the environment and OV_REF_THREADS (see
# tests/bench/bench-engine.sh), and are reported.
#
# Usage: torch_reference.py caption|vqa CHECKPOINT_DIR REGIONS.f32 RUNS
import json
import math
import os
import resource
import sys
import time
import unicodedata

import torch
import torch.nn.functional as F

TAGS = ("dog couch pillow blanket lamp window curtain table remote rug plant cup book "
        "cutting board bowl wall floor chair vase")
QUESTION = "what color is the dog lying on the big brown couch?"
MAX_LEN = 20          # max_gen_length, [CLS] included
OD_LEN = 30           # tag slots: train max_seq_length 70 - max_seq_a_length 40
TAG_POS0 = 40         # max (max_seq_a_length, max_gen_length)
VQA_LEN = 128
N_REGIONS = 50


# ---- tokenizer: lower case, accents stripped, punctuation split, WordPiece ----

def is_punct(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def basic_tokens(text):
    text = unicodedata.normalize("NFD", text.lower())
    text = "".join(c for c in text if unicodedata.category(c) != "Mn")
    out = []
    for word in text.split():
        cur = ""
        for ch in word:
            if is_punct(ch):
                if cur:
                    out.append(cur)
                    cur = ""
                out.append(ch)
            else:
                cur += ch
        if cur:
            out.append(cur)
    return out


def wordpieces(vocab, text):
    ids = []
    for word in basic_tokens(text):
        start, pieces = 0, []
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in vocab:
                    break
                end -= 1
            if end == start:
                pieces = [vocab["[UNK]"]]
                break
            pieces.append(vocab[piece])
            start = end
        ids.extend(pieces)
    return ids


# ---- the model ----

class Bert:
    def __init__(self, sd, cfg):
        self.sd = sd
        self.h = cfg["hidden_size"]
        self.n_heads = cfg["num_attention_heads"]
        self.n_layers = cfg["num_hidden_layers"]
        self.eps = cfg.get("layer_norm_eps", 1e-12)
        self.img_ln = bool(cfg.get("use_img_layernorm", 0))
        self.img_eps = cfg.get("img_layer_norm_eps", 1e-12)

    def w(self, name):
        return self.sd[name]

    @staticmethod
    def layer_norm(x, g, b, eps):
        # BertLayerNorm of the pinned pytorch-transformers, step by step
        u = x.mean(-1, keepdim=True)
        s = (x - u).pow(2).mean(-1, keepdim=True)
        return g * ((x - u) / torch.sqrt(s + eps)) + b

    @staticmethod
    def gelu(x):
        return x * 0.5 * (1.0 + torch.erf(x / math.sqrt(2.0)))

    def encode(self, ids, pos, types, img, add_mask):
        """ids, pos, types (B, T); img (B, N, D); add_mask (B, S, S) or (B, 1, S)."""
        p = "bert."
        x = (self.w(p + "embeddings.word_embeddings.weight")[ids]
             + self.w(p + "embeddings.position_embeddings.weight")[pos]
             + self.w(p + "embeddings.token_type_embeddings.weight")[types])
        x = self.layer_norm(x, self.w(p + "embeddings.LayerNorm.weight"),
                            self.w(p + "embeddings.LayerNorm.bias"), self.eps)
        r = F.linear(img, self.w(p + "img_embedding.weight"), self.w(p + "img_embedding.bias"))
        if self.img_ln:
            r = self.layer_norm(r, self.w(p + "LayerNorm.weight"), self.w(p + "LayerNorm.bias"),
                                self.img_eps)
        x = torch.cat([x, r], dim=1)
        b, s, h = x.shape
        a, dh = self.n_heads, h // self.n_heads
        mask = add_mask[:, None]
        for i in range(self.n_layers):
            q = "%sencoder.layer.%d." % (p, i)

            def lin(t, name):
                return F.linear(t, self.w(q + name + ".weight"), self.w(q + name + ".bias"))

            qh = lin(x, "attention.self.query").view(b, s, a, dh).transpose(1, 2)
            kh = lin(x, "attention.self.key").view(b, s, a, dh).transpose(1, 2)
            vh = lin(x, "attention.self.value").view(b, s, a, dh).transpose(1, 2)
            scores = torch.matmul(qh, kh.transpose(-1, -2)) / math.sqrt(dh) + mask
            probs = torch.softmax(scores, dim=-1)
            ctx = torch.matmul(probs, vh).transpose(1, 2).reshape(b, s, h)
            a1 = self.layer_norm(lin(ctx, "attention.output.dense") + x,
                                 self.w(q + "attention.output.LayerNorm.weight"),
                                 self.w(q + "attention.output.LayerNorm.bias"), self.eps)
            f = self.gelu(lin(a1, "intermediate.dense"))
            x = self.layer_norm(lin(f, "output.dense") + a1, self.w(q + "output.LayerNorm.weight"),
                                self.w(q + "output.LayerNorm.bias"), self.eps)
        return x

    def lm_head(self, x):
        p = "cls.predictions."
        t = self.gelu(F.linear(x, self.w(p + "transform.dense.weight"),
                               self.w(p + "transform.dense.bias")))
        t = self.layer_norm(t, self.w(p + "transform.LayerNorm.weight"),
                            self.w(p + "transform.LayerNorm.bias"), self.eps)
        # tied: the decoder is the word-embedding matrix
        return F.linear(t, self.w("bert.embeddings.word_embeddings.weight"), self.w(p + "bias"))

    def classify(self, x):
        pooled = torch.tanh(F.linear(x[:, 0], self.w("bert.pooler.dense.weight"),
                                     self.w("bert.pooler.dense.bias")))
        return F.linear(pooled, self.w("classifier.weight"), self.w("classifier.bias"))


# ---- captioning, uncached, as the original generate() runs it ----

class Captioner:
    def __init__(self, model, vocab, img):
        self.m = model
        self.cls, self.sep = vocab["[CLS]"], vocab["[SEP]"]
        self.mask_id, self.pad = vocab["[MASK]"], vocab["[PAD]"]
        tag_ids = wordpieces(vocab, TAGS)[:MAX_LEN + OD_LEN - MAX_LEN - 1]
        self.n_tags = len(tag_ids) + 1
        self.tag_ids = tag_ids + [self.sep] + [self.pad] * (OD_LEN - len(tag_ids) - 1)
        self.tag_types = [1] * self.n_tags + [0] * (OD_LEN - self.n_tags)
        self.img = img

    def step_inputs(self, seqs, cur_len):
        """seqs (B, cur_len): [CLS] w1..wk. The step's text, positions, types, mask."""
        b = seqs.shape[0]
        nc = cur_len + 1
        t = nc + OD_LEN
        s = t + N_REGIONS
        ids = torch.cat([seqs, torch.full((b, 1), self.mask_id, dtype=torch.long),
                         torch.tensor(self.tag_ids).repeat(b, 1)], dim=1)
        pos = torch.tensor(list(range(nc)) + list(range(TAG_POS0, TAG_POS0 + OD_LEN)))
        types = torch.tensor([0] * nc + self.tag_types)
        m = torch.zeros(s, s)
        m[:nc, :nc] = torch.tril(torch.ones(nc, nc))
        ctx = list(range(nc, nc + self.n_tags)) + list(range(t, s))
        m[:nc, ctx] = 1.0
        for r in ctx:
            m[r, ctx] = 1.0
        add = ((1.0 - m) * -10000.0)[None].expand(b, s, s)
        return ids, pos[None].expand(b, t), types[None].expand(b, t), add

    def logits(self, seqs, cur_len):
        b = seqs.shape[0]
        ids, pos, types, add = self.step_inputs(seqs, cur_len)
        x = self.m.encode(ids, pos, types, self.img.expand(b, -1, -1), add)
        lm = self.m.lm_head(x[:, :ids.shape[1]])    # every text row, as the original
        return lm[:, cur_len]

    def greedy(self):
        seq = torch.tensor([[self.cls]])
        cur_len = 1
        done = False
        while cur_len < MAX_LEN:
            nxt = int(torch.argmax(self.logits(seq, cur_len)[0]))
            seq = torch.cat([seq, torch.tensor([[nxt]])], dim=1)
            cur_len += 1
            if nxt == self.sep:
                done = True
                break
        ids = seq[0].tolist()
        if not done:
            ids[-1] = self.sep
        return ids

    def beam(self, nb):
        v = None
        seqs = torch.full((nb, 1), self.cls, dtype=torch.long)
        beam_scores = torch.tensor([0.0] + [-1e9] * (nb - 1))
        hyps, worst = [], 1e9
        cur_len = 1
        while cur_len < MAX_LEN:
            lp = F.log_softmax(self.logits(seqs, cur_len), dim=-1)
            v = lp.shape[1]
            scores = (lp + beam_scores[:, None]).view(-1)
            top, idx = torch.topk(scores, 2 * nb, largest=True, sorted=True)
            if len(hyps) >= 1 and worst >= float(top[0]) / (MAX_LEN - 1):
                break
            nxt = []
            for score, i in zip(top.tolist(), idx.tolist()):
                beam, word = i // v, i % v
                if word == self.sep or cur_len + 1 == MAX_LEN:
                    h = score / cur_len
                    if len(hyps) < 1 or h > worst:
                        hyps.append((h, seqs[beam].tolist()))
                        hyps.sort(key=lambda e: -e[0])
                        hyps = hyps[:1]
                        worst = hyps[-1][0]
                else:
                    nxt.append((score, word, beam))
                if len(nxt) == nb:
                    break
            if cur_len + 1 == MAX_LEN:
                break
            seqs = torch.cat([seqs[[e[2] for e in nxt]],
                              torch.tensor([[e[1]] for e in nxt])], dim=1)
            beam_scores = torch.tensor([e[0] for e in nxt])
            cur_len += 1
        return hyps[0][1] + [self.sep]


def load(folder):
    t0 = time.perf_counter()
    with open(os.path.join(folder, "config.json")) as f:
        cfg = json.load(f)
    sd = torch.load(os.path.join(folder, "pytorch_model.bin"), map_location="cpu")
    vocab = {}
    with open(os.path.join(folder, "vocab.txt"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            vocab[line.rstrip("\n")] = i
    model = Bert(sd, cfg)
    dt = time.perf_counter() - t0
    storages = {}
    for t in sd.values():
        st = t.storage()
        storages[st.data_ptr()] = st.nbytes()
    return model, vocab, dt, sum(storages.values())


def timed(fn, runs):
    fn()                                   # warm-up
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return times, out


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in ("caption", "vqa"):
        sys.exit("usage: torch_reference.py caption|vqa CHECKPOINT_DIR REGIONS.f32 RUNS")
    mode, folder, regions_path, runs = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    torch.set_num_threads(int(os.environ.get("OV_REF_THREADS", "1")))
    with open(regions_path, "rb") as f:
        img = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).view(1, N_REGIONS, -1)
    model, vocab, load_s, weight_bytes = load(folder)
    res = {
        "mode": mode, "torch": torch.__version__, "load_s": load_s, "weight_bytes": weight_bytes,
        "torch_threads": torch.get_num_threads(),
        "env": {k: os.environ.get(k) for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                               "MKL_NUM_THREADS", "OMP_WAIT_POLICY",
                                               "OPENBLAS_CORETYPE")},
    }
    with torch.no_grad():
        if mode == "caption":
            cap = Captioner(model, vocab, img)
            res["step1_text_ids"] = cap.step_inputs(torch.tensor([[cap.cls]]), 1)[0][0].tolist()
            res["greedy_s"], res["greedy_ids"] = timed(cap.greedy, runs)
            res["beam5_s"], res["beam5_ids"] = timed(lambda: cap.beam(5), runs)
        else:
            q = wordpieces(vocab, QUESTION)
            t = wordpieces(vocab, TAGS)
            while len(q) + len(t) > VQA_LEN - 3:
                if len(q) > len(t):
                    q.pop()
                else:
                    t.pop()
            text = [vocab["[CLS]"]] + q + [vocab["[SEP]"]] + t + [vocab["[SEP]"]]
            n_real = len(text)
            types = [0] * (len(q) + 2) + [1] * (len(t) + 1) + [0] * (VQA_LEN - n_real)
            text += [vocab["[PAD]"]] * (VQA_LEN - n_real)
            ids = torch.tensor([text])
            pos = torch.arange(VQA_LEN)[None]
            mask = torch.tensor([1.0] * n_real + [0.0] * (VQA_LEN - n_real) + [1.0] * N_REGIONS)
            add = ((1.0 - mask) * -10000.0)[None, None]
            res["text_ids"] = text

            def forward():
                return model.classify(model.encode(ids, pos, torch.tensor([types]), img, add))[0]

            res["vqa_s"], logits = timed(forward, runs)
            res["argmax"] = int(torch.argmax(logits))
            res["logits_head"] = logits[:16].tolist()
    res["peak_rss"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps(res))


if __name__ == "__main__":
    main()
