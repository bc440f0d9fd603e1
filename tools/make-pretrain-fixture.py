#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Builds tests/fixtures/pretrain_tiny: a tiny pre-training checkpoint (LM head
# with tied decoder + 3-class contrastive head, image LayerNorm on) with
# seeded random weights, and expected.json holding the outputs of one input
# computed here with plain torch operations written from the model's
# description (no model classes), as an independent reference for the C
# engine's pre-training heads.
#
# It also writes three training_args.bin files (argparse.Namespace pickled by
# torch.save, as the captioning script saves them) with unusual lengths, one
# of an XE run, one of an SCST run and one of a VQA run, into
# tests/fixtures/training_args/.
#
# Run: /usr/bin/python3 tools/make-pretrain-fixture.py tests/fixtures/pretrain_tiny

import argparse
import collections
import json
import math
import os
import sys

import torch

H, A, L, I, D, P = 16, 2, 2, 32, 16, 64
C = 3
EPS, IMG_EPS = 1e-12, 1e-5
MAX_SEQ, MAX_IMG = 35, 50

VOCAB = (["[PAD]", "[unused0]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
         + "a an the dog cat man woman couch table horse ball red blue green on in is are "
           "sitting riding lying what color of with . , ? ##s ##ing pillow lamp".split())
V = len(VOCAB)


def make_weights(g):
    def n(*shape, std=1.0):
        return torch.randn(*shape, generator=g) * std

    w = collections.OrderedDict()
    w["bert.embeddings.word_embeddings.weight"] = n(V, H, std=0.4)
    w["bert.embeddings.position_embeddings.weight"] = n(P, H, std=0.3)
    w["bert.embeddings.token_type_embeddings.weight"] = n(2, H, std=0.3)
    w["bert.embeddings.LayerNorm.weight"] = 1 + n(H, std=0.1)
    w["bert.embeddings.LayerNorm.bias"] = n(H, std=0.05)
    for l in range(L):
        p = "bert.encoder.layer.%d." % l
        for name, (o, i) in [("attention.self.query", (H, H)), ("attention.self.key", (H, H)),
                             ("attention.self.value", (H, H)),
                             ("attention.output.dense", (H, H)),
                             ("intermediate.dense", (I, H)), ("output.dense", (H, I))]:
            w[p + name + ".weight"] = n(o, i, std=1 / math.sqrt(i))
            w[p + name + ".bias"] = n(o, std=0.1)
            if name in ("attention.output.dense", "output.dense"):
                ln = p + name.replace("dense", "LayerNorm")
                w[ln + ".weight"] = 1 + n(H, std=0.1)
                w[ln + ".bias"] = n(H, std=0.05)
    w["bert.pooler.dense.weight"] = n(H, H, std=1 / math.sqrt(H))
    w["bert.pooler.dense.bias"] = n(H, std=0.1)
    w["bert.img_embedding.weight"] = n(H, D, std=0.3)
    w["bert.img_embedding.bias"] = n(H, std=0.1)
    w["bert.LayerNorm.weight"] = 1 + n(H, std=0.1)
    w["bert.LayerNorm.bias"] = n(H, std=0.05)
    w["cls.predictions.bias"] = n(V, std=0.5)
    w["cls.predictions.transform.dense.weight"] = n(H, H, std=1 / math.sqrt(H))
    w["cls.predictions.transform.dense.bias"] = n(H, std=0.1)
    w["cls.predictions.transform.LayerNorm.weight"] = 1 + n(H, std=0.1)
    w["cls.predictions.transform.LayerNorm.bias"] = n(H, std=0.05)
    # tied: the same tensor object, so torch.save stores one storage
    w["cls.predictions.decoder.weight"] = w["bert.embeddings.word_embeddings.weight"]
    w["cls.seq_relationship.weight"] = n(C, H, std=1 / math.sqrt(H))
    w["cls.seq_relationship.bias"] = n(C, std=0.1)
    return w


def layer_norm(x, g, b, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * g + b


def gelu(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2.0)))


# hidden_act: the activations of pytorch-transformers' ACT2FN
ACTIVATIONS = {
    "gelu": gelu,
    "relu": torch.relu,
    "swish": lambda x: x * torch.sigmoid(x),
}


def linear(x, w, b):
    return x @ w.t() + b


def forward(w, ids, types, mask, feats, tied=True, act="gelu"):
    """Encoder plus every head present in w: returns (sequence output, pooled,
    LM logits or None, contrastive / classifier logits or None)."""
    t = ids.shape[0]
    pos = torch.arange(t)
    e = (w["bert.embeddings.word_embeddings.weight"][ids]
         + w["bert.embeddings.position_embeddings.weight"][pos]
         + w["bert.embeddings.token_type_embeddings.weight"][types])
    e = layer_norm(e, w["bert.embeddings.LayerNorm.weight"], w["bert.embeddings.LayerNorm.bias"],
                   EPS)
    r = linear(feats, w["bert.img_embedding.weight"], w["bert.img_embedding.bias"])
    if "bert.LayerNorm.weight" in w:
        r = layer_norm(r, w["bert.LayerNorm.weight"], w["bert.LayerNorm.bias"], IMG_EPS)
    x = torch.cat([e, r], 0)
    add = (1.0 - mask) * -10000.0
    dh = H // A
    for l in range(L):
        p = "bert.encoder.layer.%d." % l
        q = linear(x, w[p + "attention.self.query.weight"], w[p + "attention.self.query.bias"])
        k = linear(x, w[p + "attention.self.key.weight"], w[p + "attention.self.key.bias"])
        v = linear(x, w[p + "attention.self.value.weight"], w[p + "attention.self.value.bias"])
        heads = []
        for h in range(A):
            sl = slice(h * dh, (h + 1) * dh)
            s = q[:, sl] @ k[:, sl].t() / math.sqrt(dh) + add[None, :]
            heads.append(torch.softmax(s, -1) @ v[:, sl])
        c = torch.cat(heads, 1)
        a1 = layer_norm(linear(c, w[p + "attention.output.dense.weight"],
                               w[p + "attention.output.dense.bias"]) + x,
                        w[p + "attention.output.LayerNorm.weight"],
                        w[p + "attention.output.LayerNorm.bias"], EPS)
        f = ACTIVATIONS[act](linear(a1, w[p + "intermediate.dense.weight"],
                                    w[p + "intermediate.dense.bias"]))
        x = layer_norm(linear(f, w[p + "output.dense.weight"], w[p + "output.dense.bias"]) + a1,
                       w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], EPS)
    pooled = torch.tanh(linear(x[0], w["bert.pooler.dense.weight"], w["bert.pooler.dense.bias"]))
    lm = classes = None
    if "cls.predictions.bias" in w:
        tr = ACTIVATIONS[act](linear(x[:t], w["cls.predictions.transform.dense.weight"],
                                     w["cls.predictions.transform.dense.bias"]))
        tr = layer_norm(tr, w["cls.predictions.transform.LayerNorm.weight"],
                        w["cls.predictions.transform.LayerNorm.bias"], EPS)
        dec = (w["bert.embeddings.word_embeddings.weight"] if tied
               else w["cls.predictions.decoder.weight"])
        lm = tr @ dec.t() + w["cls.predictions.bias"]
    if "cls.seq_relationship.weight" in w:
        classes = linear(pooled, w["cls.seq_relationship.weight"], w["cls.seq_relationship.bias"])
    if "classifier.weight" in w:
        classes = linear(pooled, w["classifier.weight"], w["classifier.bias"])
    if "classifier.0.weight" in w:
        mid = torch.relu(linear(pooled, w["classifier.0.weight"], w["classifier.0.bias"]))
        classes = linear(mid, w["classifier.2.weight"], w["classifier.2.bias"])
    return x, pooled, lm, classes


def write_variant(folder, weights, config, inputs, tied=True, legacy=False, reference=None):
    """A checkpoint folder of the shared vocabulary with its own weights and
    the float64 outputs of the shared input (the stored weights, rounded to
    their dtype, are what the reference uses; reference, when given, are the
    weights the reference uses instead)."""
    os.makedirs(folder, exist_ok=True)
    torch.save(weights, os.path.join(folder, "pytorch_model.bin"),
               _use_new_zipfile_serialization=not legacy)
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    with open(os.path.join(folder, "vocab.txt"), "w") as f:
        f.write("\n".join(VOCAB) + "\n")
    ids, types, mask, padded = inputs
    ref = reference if reference is not None else weights
    with torch.no_grad():
        x, pooled, lm, classes = forward({k: v.double() for k, v in ref.items()},
                                         ids, types, mask.double(), padded.double(), tied,
                                         config.get("hidden_act", "gelu"))
    expected = {
        "note": "computed in float64 by tools/make-pretrain-fixture.py with plain torch ops",
        "sequence_output": x.flatten().tolist(),
        "pooled": pooled.tolist(),
        "lm_logits": lm.flatten().tolist() if lm is not None else None,
        "class_logits": classes.tolist() if classes is not None else None,
    }
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)


def write_training_args(folder):
    os.makedirs(folder, exist_ok=True)
    common = dict(do_lower_case=True, img_feature_dim=2054, img_feature_type="frcnn",
                  device=torch.device("cpu"), num_beams=5, loss_type="sfmx")
    xe = argparse.Namespace(max_seq_length=60, max_seq_a_length=33, max_gen_length=20,
                            max_img_seq_length=40, add_od_labels=False, scst=False, **common)
    scst = argparse.Namespace(max_seq_length=45, max_seq_a_length=40, max_gen_length=15,
                              max_img_seq_length=50, add_od_labels=True, scst=True, **common)
    torch.save(xe, os.path.join(folder, "xe.bin"))
    torch.save(scst, os.path.join(folder, "scst.bin"))
    # run_vqa's arguments: max_seq_length only, no caption lengths
    vqa = argparse.Namespace(max_seq_length=24, max_img_seq_length=30, add_od_labels=True,
                             do_lower_case=True, img_feature_dim=2054,
                             img_feature_type="faster_r-cnn", task_name="vqa_text",
                             classifier="linear", cls_hidden_scale=3, loss_type="bce")
    torch.save(vqa, os.path.join(folder, "vqa.bin"))
    # a captioning run's arguments without max_seq_a_length (older runs):
    # restore_training_settings then keeps the test-time max_seq_length of 70
    noseqa = argparse.Namespace(max_seq_length=50, max_gen_length=20, max_img_seq_length=50,
                                add_od_labels=True, scst=False, **common)
    torch.save(noseqa, os.path.join(folder, "no-seq-a.bin"))
    # a cased captioning run: the test branch lower-cases all the same
    cased = argparse.Namespace(max_seq_length=70, max_seq_a_length=40, max_gen_length=20,
                               max_img_seq_length=50, add_od_labels=True, scst=False,
                               **dict(common, do_lower_case=False))
    torch.save(cased, os.path.join(folder, "cased.bin"))


def main():
    out = sys.argv[1]
    write_training_args(os.path.join(os.path.dirname(os.path.abspath(out)), "training_args"))
    os.makedirs(out, exist_ok=True)
    g = torch.Generator().manual_seed(20261204)
    w = make_weights(g)
    torch.save(w, os.path.join(out, "pytorch_model.bin"))
    config = {
        "vocab_size": V, "hidden_size": H, "num_hidden_layers": L, "num_attention_heads": A,
        "intermediate_size": I, "hidden_act": "gelu", "max_position_embeddings": P,
        "type_vocab_size": 2, "layer_norm_eps": EPS, "img_feature_dim": D,
        "img_feature_type": "faster_r-cnn", "use_img_layernorm": 1,
        "img_layer_norm_eps": IMG_EPS, "num_contrast_classes": C, "num_labels": 2,
    }
    with open(os.path.join(out, "config.json"), "w") as f:
        json.dump(config, f, indent=2, sort_keys=True)
    with open(os.path.join(out, "vocab.txt"), "w") as f:
        f.write("\n".join(VOCAB) + "\n")
    with open(os.path.join(out, "added_tokens.json"), "w") as f:
        f.write("{}")

    # [CLS] text [SEP] tags [SEP], padded to 35; every word is one piece here
    text = "a dog [MASK] on the couch ."
    tags = "dog couch [MASK] lamp"
    ta, tb = text.split(), tags.split()
    tokens = ["[CLS]"] + ta + ["[SEP]"] + tb + ["[SEP]"]
    n = len(tokens)
    ids = [VOCAB.index(x) for x in tokens] + [0] * (MAX_SEQ - n)
    types = [0] * (len(ta) + 2) + [1] * (len(tb) + 1) + [0] * (MAX_SEQ - n)
    n_reg = 5
    feats = torch.relu(torch.randn(n_reg, D, generator=g))
    padded = torch.cat([feats, torch.zeros(MAX_IMG - n_reg, D)], 0)
    mask = torch.tensor([1.0] * n + [0.0] * (MAX_SEQ - n) + [1.0] * n_reg
                        + [0.0] * (MAX_IMG - n_reg))
    with torch.no_grad():
        x, pooled, lm, contrast = forward({k: v.double() for k, v in w.items()},
                                          torch.tensor(ids), torch.tensor(types),
                                          mask.double(), padded.double())
    mask_pos = [i for i, t in enumerate(ids) if t == VOCAB.index("[MASK]")]
    probs = torch.softmax(lm, -1)
    expected = {
        "note": "computed in float64 by tools/make-pretrain-fixture.py with plain torch ops",
        "text": text, "tags": tags,
        "region_features": feats.tolist(),
        "input_ids": ids, "token_type_ids": types, "attention_mask": mask.tolist(),
        "sequence_output": x.flatten().tolist(),
        "pooled": pooled.tolist(),
        "lm_logits": lm.flatten().tolist(),
        "mask_positions": mask_pos,
        "mask_top5_ids": [torch.topk(probs[p], 5).indices.tolist() for p in mask_pos],
        "mask_top5_probs": [torch.topk(probs[p], 5).values.tolist() for p in mask_pos],
        "contrastive_logits": contrast.tolist(),
        "match_probability": torch.softmax(contrast, -1)[0].item(),
    }
    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)

    # Variants on the same input, each in its own folder beside pretrain_tiny:
    # half and bfloat16 storage, an MLP classifier in the legacy container,
    # and a captioning model with its own (untied) decoder.
    root = os.path.dirname(os.path.abspath(out))
    inputs = (torch.tensor(ids), torch.tensor(types), mask, padded)
    write_variant(os.path.join(root, "pretrain_tiny_f16"),
                  collections.OrderedDict((k, v.half()) for k, v in w.items()), config, inputs)
    write_variant(os.path.join(root, "pretrain_tiny_bf16"),
                  collections.OrderedDict((k, v.bfloat16()) for k, v in w.items()), config,
                  inputs)
    g2 = torch.Generator().manual_seed(77)
    enc = collections.OrderedDict((k, v) for k, v in w.items() if k.startswith("bert."))
    mlp = collections.OrderedDict(enc)
    mlp["classifier.0.weight"] = torch.randn(3 * H, H, generator=g2) / math.sqrt(H)
    mlp["classifier.0.bias"] = torch.randn(3 * H, generator=g2) * 0.1
    mlp["classifier.2.weight"] = torch.randn(5, 3 * H, generator=g2) / math.sqrt(3 * H)
    mlp["classifier.2.bias"] = torch.randn(5, generator=g2) * 0.1
    mlp_config = dict(config, classifier="mlp", cls_hidden_scale=3, num_labels=5)
    del mlp_config["num_contrast_classes"]
    write_variant(os.path.join(root, "classifier_mlp_tiny"), mlp, mlp_config, inputs,
                  legacy=True)
    cap = collections.OrderedDict((k, v) for k, v in enc.items()
                                  if not k.startswith("bert.LayerNorm."))
    for k, v in w.items():
        if k.startswith("cls.predictions."):
            cap[k] = v
    cap["cls.predictions.decoder.weight"] = torch.randn(V, H, generator=g2) * 0.3
    cap_config = dict(config, tie_weights=False)
    del cap_config["use_img_layernorm"]
    del cap_config["num_contrast_classes"]
    write_variant(os.path.join(root, "caption_untied_tiny"), cap, cap_config, inputs, tied=False)
    # hidden_act relu and swish: the same weights, another activation
    for act in ("relu", "swish"):
        write_variant(os.path.join(root, "pretrain_tiny_" + act), w,
                      dict(config, hidden_act=act), inputs)
    # weights the original's init_weights fills in when the file lacks them:
    # the image LayerNorm (weight 1, bias 0) and the LM head's bias (0)
    lacking = collections.OrderedDict((k, v) for k, v in w.items()
                                      if not k.startswith("bert.LayerNorm.")
                                      and k != "cls.predictions.bias")
    filled = collections.OrderedDict(lacking)
    filled["bert.LayerNorm.weight"] = torch.ones(H)
    filled["bert.LayerNorm.bias"] = torch.zeros(H)
    filled["cls.predictions.bias"] = torch.zeros(V)
    write_variant(os.path.join(root, "pretrain_tiny_filled"), lacking, config, inputs,
                  reference=filled)


if __name__ == "__main__":
    main()
