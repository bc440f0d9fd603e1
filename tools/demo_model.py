# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# The small OSCAR used for the demo, in PyTorch: the encoder, the three task
# heads, the input layouts of captioning, VQA and pre-training, greedy caption
# decoding, and the checkpoint writer. It computes what
# shared/reference/oscar-model.md sections 3-6 describe, with the original
# parameter names, so that the C engine can run the saved folders.

import argparse
import json
import math
import os

import torch
import torch.nn as nn
import torch.nn.functional as F

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
PUNCT = set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def basic_tokens(text):
    """Lower-cased words with punctuation split off; enough for the demo
    world's ASCII sentences (the C tokenizer implements the full rules)."""
    out = []
    for word in text.lower().split():
        cur = ""
        for ch in word:
            if ch in PUNCT:
                if cur:
                    out.append(cur)
                    cur = ""
                out.append(ch)
            else:
                cur += ch
        if cur:
            out.append(cur)
    return out


class Vocab:
    def __init__(self, words):
        self.itos = list(SPECIALS) + sorted(set(words) - set(SPECIALS))
        self.stoi = {w: i for i, w in enumerate(self.itos)}
        self.pad, self.unk, self.cls, self.sep, self.mask = range(5)

    def __len__(self):
        return len(self.itos)

    def encode(self, text):
        # Every vocabulary entry is a whole word, so WordPiece keeps a known
        # word as one piece and an unknown one becomes [UNK].
        return [self.stoi.get(w, self.unk) for w in basic_tokens(text)]

    def decode(self, ids):
        words = [self.itos[i] for i in ids if i >= len(SPECIALS)]
        text = " ".join(words)
        for a, b in ((" .", "."), (" ?", "?"), (" !", "!"), (" ,", ",")):
            text = text.replace(a, b)
        return text.strip()


# ----------------------------------------------------------------------------
# Model (§2, §3). Module names give the original state-dict names.

class Embeddings(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.word_embeddings = nn.Embedding(cfg["vocab_size"], h, padding_idx=0)
        self.position_embeddings = nn.Embedding(cfg["max_position_embeddings"], h)
        self.token_type_embeddings = nn.Embedding(cfg["type_vocab_size"], h)
        self.LayerNorm = nn.LayerNorm(h, eps=cfg["layer_norm_eps"])
        self.dropout = nn.Dropout(cfg["hidden_dropout_prob"])

    def forward(self, ids, types, positions):
        e = self.word_embeddings(ids) + self.position_embeddings(positions) \
            + self.token_type_embeddings(types)
        return self.dropout(self.LayerNorm(e))


class SelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.n_heads = cfg["num_attention_heads"]
        self.query = nn.Linear(h, h)
        self.key = nn.Linear(h, h)
        self.value = nn.Linear(h, h)
        self.dropout = nn.Dropout(cfg["attention_probs_dropout_prob"])

    def forward(self, x, add_mask):
        b, s, h = x.shape
        d = h // self.n_heads

        def split(t):  # (B, S, H) -> (B, A, S, d)
            return t.view(b, s, self.n_heads, d).transpose(1, 2)

        q, k, v = split(self.query(x)), split(self.key(x)), split(self.value(x))
        scores = q @ k.transpose(-1, -2) / math.sqrt(d) + add_mask
        probs = torch.softmax(scores, dim=-1)
        ctx = self.dropout(probs) @ v
        return ctx.transpose(1, 2).reshape(b, s, h), probs


class SelfOutput(nn.Module):
    def __init__(self, cfg, n_in):
        super().__init__()
        h = cfg["hidden_size"]
        self.dense = nn.Linear(n_in, h)
        self.LayerNorm = nn.LayerNorm(h, eps=cfg["layer_norm_eps"])
        self.dropout = nn.Dropout(cfg["hidden_dropout_prob"])

    def forward(self, x, residual):
        return self.LayerNorm(self.dropout(self.dense(x)) + residual)


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self = SelfAttention(cfg)
        self.output = SelfOutput(cfg, cfg["hidden_size"])

    def forward(self, x, add_mask):
        ctx, probs = self.self(x, add_mask)
        return self.output(ctx, x), probs


class Intermediate(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg["hidden_size"], cfg["intermediate_size"])

    def forward(self, x):
        return F.gelu(self.dense(x))  # erf form


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.attention = Attention(cfg)
        self.intermediate = Intermediate(cfg)
        self.output = SelfOutput(cfg, cfg["intermediate_size"])

    def forward(self, x, add_mask):
        a, probs = self.attention(x, add_mask)
        return self.output(self.intermediate(a), a), probs


class Encoder(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.layer = nn.ModuleList([Layer(cfg) for _ in range(cfg["num_hidden_layers"])])


class Pooler(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.dense = nn.Linear(cfg["hidden_size"], cfg["hidden_size"])

    def forward(self, h):
        return torch.tanh(self.dense(h[:, 0]))


class BertImg(nn.Module):
    """BertImgModel: text embeddings, region projection, encoder, pooler."""

    def __init__(self, cfg):
        super().__init__()
        self.embeddings = Embeddings(cfg)
        self.img_embedding = nn.Linear(cfg["img_feature_dim"], cfg["hidden_size"])
        self.dropout = nn.Dropout(cfg["hidden_dropout_prob"])
        self.encoder = Encoder(cfg)
        self.pooler = Pooler(cfg)

    def forward(self, ids, types, positions, img, mask, want_all=False):
        """ids/types/positions (B, T); img (B, N, D); mask (B, T+N) or
        (B, T+N, T+N), 1 = attend. Returns (sequence (B, S, H), pooled (B, H),
        hidden states, attentions)."""
        t = self.embeddings(ids, types, positions)
        r = self.dropout(self.img_embedding(img))
        x = torch.cat([t, r], dim=1)
        mask = mask.to(x.dtype)
        add = (1.0 - (mask[:, None, None, :] if mask.dim() == 2 else mask[:, None])) * -10000.0
        hidden, attn = [x], []
        for layer in self.encoder.layer:
            x, probs = layer(x, add)
            if want_all:
                hidden.append(x)
                attn.append(probs)
        return x, self.pooler(x), hidden, attn


class Transform(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        h = cfg["hidden_size"]
        self.dense = nn.Linear(h, h)
        self.LayerNorm = nn.LayerNorm(h, eps=cfg["layer_norm_eps"])

    def forward(self, x):
        return self.LayerNorm(F.gelu(self.dense(x)))


class LMHead(nn.Module):
    def __init__(self, cfg, word_embeddings):
        super().__init__()
        self.transform = Transform(cfg)
        self.decoder = nn.Linear(cfg["hidden_size"], cfg["vocab_size"], bias=False)
        self.decoder.weight = word_embeddings.weight  # tied (tie_weights true)
        self.bias = nn.Parameter(torch.zeros(cfg["vocab_size"]))

    def forward(self, x):
        return self.decoder(self.transform(x)) + self.bias


class Heads(nn.Module):
    def __init__(self, cfg, word_embeddings, with_contrast):
        super().__init__()
        self.predictions = LMHead(cfg, word_embeddings)
        if with_contrast:
            self.seq_relationship = nn.Linear(cfg["hidden_size"], cfg["num_contrast_classes"])


class Oscar(nn.Module):
    """One module for the three checkpoint kinds; `kind` decides which heads
    exist: 'pretrain' (LM + contrastive), 'caption' (LM), 'vqa' (classifier)."""

    def __init__(self, cfg, kind):
        super().__init__()
        self.cfg, self.kind = cfg, kind
        self.bert = BertImg(cfg)
        if kind in ("pretrain", "caption"):
            self.cls = Heads(cfg, self.bert.embeddings.word_embeddings, kind == "pretrain")
        if kind == "vqa":
            self.dropout = nn.Dropout(cfg["hidden_dropout_prob"])
            self.classifier = nn.Linear(cfg["hidden_size"], cfg["num_labels"])
        self.apply(self._init)
        if kind in ("pretrain", "caption"):
            self.cls.predictions.decoder.weight = self.bert.embeddings.word_embeddings.weight

    def _init(self, m):
        if isinstance(m, (nn.Linear, nn.Embedding)):
            nn.init.normal_(m.weight, 0.0, self.cfg["initializer_range"])
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)
        if isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)

    def load_encoder_from(self, other):
        """Starts fine-tuning from a pre-trained model: every shared name."""
        own = self.state_dict()
        for k, v in other.state_dict().items():
            if k in own and own[k].shape == v.shape:
                own[k].copy_(v)

    def lm_logits(self, seq):
        return self.cls.predictions(seq)


# ----------------------------------------------------------------------------
# Input layouts.

class Settings:
    """What training_args.bin records, plus the demo's VQA/pre-training
    lengths."""

    def __init__(self, add_od_labels=True, max_seq_a_length=20, max_seq_length=33,
                 max_img_seq_length=12, max_gen_length=20):
        self.add_od_labels = add_od_labels
        self.max_seq_a_length = max_seq_a_length
        self.max_seq_length = max_seq_length if add_od_labels else max_seq_a_length
        self.max_img_seq_length = max_img_seq_length
        self.max_gen_length = max_gen_length


def pad_regions(feats, n):
    """(k, D) numpy/tensor of real rows only -> (n, D) float tensor with zero
    rows after the first n, and the number of real rows kept."""
    f = torch.as_tensor(feats, dtype=torch.float32)[:n]
    out = torch.zeros(n, f.shape[1] if f.dim() == 2 and f.shape[0] else 2054)
    out[: f.shape[0]] = f
    return out, f.shape[0]


def caption_test_inputs(vocab, st, tags, feats):
    """The full test-time tensors of §4.3 for one image: text of
    max_gen_length caption slots + od_len tag slots, its (S, S) mask, types.
    Returns (ids (T,), types (T,), mask (S, S), img (N, D))."""
    gen = st.max_gen_length
    od_len = st.max_seq_length - st.max_seq_a_length
    t_len = gen + od_len
    ids = [vocab.cls] + [vocab.mask] * (gen - 2) + [vocab.sep]
    types = [0] * gen
    n_tag = 0
    if st.add_od_labels and od_len > 0:
        tag_ids = vocab.encode(tags)[: od_len - 1]
        if tag_ids:
            ids += tag_ids + [vocab.sep]
            types += [1] * (len(tag_ids) + 1)
            n_tag = len(tag_ids) + 1
    ids += [vocab.pad] * (t_len - len(ids))
    types += [0] * (t_len - len(types))
    img, n_reg = pad_regions(feats, st.max_img_seq_length)
    s = t_len + st.max_img_seq_length
    mask = torch.zeros(s, s)
    mask[:gen, :gen] = torch.tril(torch.ones(gen, gen))
    tag = slice(gen, gen + n_tag)
    reg = slice(t_len, t_len + n_reg)
    for q in (slice(0, gen), tag, reg):
        mask[q, tag] = 1
        mask[q, reg] = 1
    return torch.tensor(ids), torch.tensor(types), mask, img


@torch.no_grad()
def greedy_caption(model, st, ids_full, types_full, mask_full, img, vocab_ids,
                   want_logits=False):
    """Oscar's uncached greedy generate() (§4.3) for a batch.
    ids_full/types_full (B, T), mask_full (B, S, S), img (B, N, D).
    Returns token lists ([CLS] w.. [SEP]), mean log-probs and, when asked,
    per-step logits (steps, B, V)."""
    cls, sep, mask_id, pad = vocab_ids
    b = ids_full.shape[0]
    gen = st.max_gen_length
    t_len = ids_full.shape[1]
    od_ids, od_types = ids_full[:, gen:], types_full[:, gen:]
    od_len = t_len - gen
    start = max(st.max_seq_a_length, gen)
    tokens = torch.full((b, 1), cls, dtype=torch.long)
    done = torch.zeros(b, dtype=torch.bool)
    logprob_sum = torch.zeros(b)
    n_tok = torch.zeros(b)
    steps = []
    for cur_len in range(1, gen):
        k = cur_len + 1  # caption part: tokens + appended [MASK]
        ids = torch.cat([tokens, torch.full((b, 1), mask_id), od_ids], dim=1)
        types = torch.cat([torch.zeros(b, k, dtype=torch.long), od_types], dim=1)
        pos = torch.cat([torch.arange(k), torch.arange(start, start + od_len)])
        pos = pos[None].expand(b, -1)
        keep = torch.cat([torch.arange(k), torch.arange(gen, mask_full.shape[1])])
        mask = mask_full[:, keep][:, :, keep]
        seq, _, _, _ = model.bert(ids, types, pos, img, mask)
        logits = model.lm_logits(seq[:, cur_len])
        if want_logits:
            steps.append(logits.clone())
        nxt = logits.argmax(-1)
        lp = torch.log_softmax(logits, -1).gather(1, nxt[:, None])[:, 0]
        live = ~done
        logprob_sum += torch.where(live, lp, torch.zeros_like(lp))
        n_tok += live.float()
        nxt = torch.where(done, torch.full_like(nxt, pad), nxt)
        tokens = torch.cat([tokens, nxt[:, None]], dim=1)
        done |= nxt == sep
        if done.all():
            break
    out = []
    for i in range(b):
        row = tokens[i].tolist()
        if sep in row:
            row = row[: row.index(sep) + 1]
        else:
            row[-1] = sep  # 19 tokens without [SEP]: the last becomes [SEP]
        out.append(row)
    scores = (logprob_sum / n_tok.clamp(min=1)).tolist()
    return out, scores, (torch.stack(steps) if want_logits else None)


def pretrain_inputs(vocab, text_a, tags, feats, max_len, n_img, with_tags=True):
    """[CLS] a [SEP] tags [SEP] + regions, 1-D mask (§6.1). Pair truncation
    pops from the longer side."""
    a = vocab.encode(text_a)
    b = vocab.encode(tags) if (with_tags and tags is not None) else []
    budget = max_len - (3 if b else 2)
    while len(a) + len(b) > budget:
        if len(a) >= len(b):
            a.pop()
        else:
            b.pop()
    ids = [vocab.cls] + a + [vocab.sep]
    types = [0] * len(ids)
    if b:
        ids += b + [vocab.sep]
        types += [1] * (len(b) + 1)
    n_text = len(ids)
    ids += [vocab.pad] * (max_len - n_text)
    types += [0] * (max_len - n_text)
    img, n_reg = pad_regions(feats, n_img)
    mask = torch.zeros(max_len + n_img)
    mask[:n_text] = 1
    mask[max_len: max_len + n_reg] = 1
    return torch.tensor(ids), torch.tensor(types), mask, img, len(a)


# ----------------------------------------------------------------------------
# Checkpoint folders (§1.2-1.4).

def make_config(vocab_size, kind, hidden=128, layers=3, heads=4, inter=512, num_labels=2):
    cfg = {
        "attention_probs_dropout_prob": 0.0,
        "classifier": "linear",
        "cls_hidden_scale": 2,
        "drop_worst_after": 0,
        "drop_worst_ratio": 0,
        "finetuning_task": {"pretrain": None, "caption": "image_captioning",
                            "vqa": "vqa_text"}[kind],
        "freeze_embedding": False,
        "hidden_act": "gelu",
        "hidden_dropout_prob": 0.0,
        "hidden_size": hidden,
        "img_feature_dim": 2054,
        "img_feature_type": "frcnn" if kind != "vqa" else "faster_r-cnn",
        "img_layer_norm_eps": 1e-12,
        "initializer_range": 0.02,
        "intermediate_size": inter,
        "label_smoothing": 0,
        "layer_norm_eps": 1e-12,
        "loss_type": {"pretrain": "sfmx", "caption": "sfmx", "vqa": "bce"}[kind],
        "max_position_embeddings": 128,
        "num_attention_heads": heads,
        "num_contrast_classes": 2,
        "num_hidden_layers": layers,
        "num_labels": num_labels,
        "output_attentions": False,
        "output_hidden_states": False,
        "tie_weights": True,
        "torchscript": False,
        "type_vocab_size": 2,
        "use_img_layernorm": 0,
        "vocab_size": vocab_size,
    }
    return cfg


def save_checkpoint(model, vocab, st, out_dir, extra_files=None, vqa_max_seq_length=None):
    """Writes a checkpoint folder. A VQA model records run_vqa's arguments:
    its padded input length as max_seq_length, no caption lengths."""
    os.makedirs(out_dir, exist_ok=True)
    sd = model.state_dict()
    if model.kind == "caption":
        sd = type(sd)((k, v) for k, v in sd.items() if not k.startswith("cls.seq_relationship"))
    torch.save(sd, os.path.join(out_dir, "pytorch_model.bin"))
    with open(os.path.join(out_dir, "config.json"), "w") as f:
        json.dump(model.cfg, f, indent=2, sort_keys=True)
        f.write("\n")
    with open(os.path.join(out_dir, "vocab.txt"), "w") as f:
        f.write("".join(w + "\n" for w in vocab.itos))
    with open(os.path.join(out_dir, "added_tokens.json"), "w") as f:
        f.write("{}")
    with open(os.path.join(out_dir, "special_tokens_map.json"), "w") as f:
        json.dump({"unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]",
                   "cls_token": "[CLS]", "mask_token": "[MASK]"}, f)
    args = {
        "max_seq_a_length": st.max_seq_a_length,
        "max_seq_length": st.max_seq_length,
        "max_gen_length": st.max_gen_length,
        "max_img_seq_length": st.max_img_seq_length,
        "add_od_labels": st.add_od_labels,
        "do_lower_case": True,
        "scst": False,
        "img_feature_dim": 2054,
        "img_feature_type": model.cfg["img_feature_type"],
        "tie_weights": True,
    }
    if vqa_max_seq_length is not None:
        for k in ("max_seq_a_length", "max_gen_length", "scst"):
            del args[k]
        args["max_seq_length"] = vqa_max_seq_length
    torch.save(argparse.Namespace(**args), os.path.join(out_dir, "training_args.bin"))
    with open(os.path.join(out_dir, "training_args.json"), "w") as f:
        json.dump(args, f, indent=1)
    for name, text in (extra_files or {}).items():
        with open(os.path.join(out_dir, name), "w") as f:
            f.write(text)
