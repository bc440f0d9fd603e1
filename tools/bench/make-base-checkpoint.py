#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Writes two base-size checkpoint folders (BERT-base shape, random weights)
# for the engine benchmark: caption_base (image captioning, tied decoder,
# the [SEP] output bias at -100 so no caption ends early) and vqa_base
# (3129-way linear classifier with the image LayerNorm). The files are the
# format PyTorch's save gives (zip), about 450 MB each; they are made at
# bench time in a scratch folder and never committed.
#
# Usage: make-base-checkpoint.py OUT_DIR TOKENIZER_DIR
# (TOKENIZER_DIR holds vocab.txt, added_tokens.json, special_tokens_map.json
# and training_args.bin, e.g. the oracle's caption_tiny folder)
import collections
import json
import os
import shutil
import sys

import torch

H, L, INTER, V, P, D = 768, 12, 3072, 30522, 512, 2054
SEP_ID = 102
N_ANSWERS = 3129


def normal(g, *shape):
    return torch.empty(*shape).normal_(0.0, 0.02, generator=g)


def encoder(g, sd, img_ln):
    sd["bert.embeddings.word_embeddings.weight"] = normal(g, V, H)
    sd["bert.embeddings.position_embeddings.weight"] = normal(g, P, H)
    sd["bert.embeddings.token_type_embeddings.weight"] = normal(g, 2, H)
    sd["bert.embeddings.LayerNorm.weight"] = torch.ones(H)
    sd["bert.embeddings.LayerNorm.bias"] = normal(g, H)
    for i in range(L):
        p = "bert.encoder.layer.%d." % i
        for name, out, inp in (("attention.self.query", H, H), ("attention.self.key", H, H),
                               ("attention.self.value", H, H),
                               ("attention.output.dense", H, H)):
            sd[p + name + ".weight"] = normal(g, out, inp)
            sd[p + name + ".bias"] = normal(g, out)
        sd[p + "attention.output.LayerNorm.weight"] = torch.ones(H)
        sd[p + "attention.output.LayerNorm.bias"] = normal(g, H)
        sd[p + "intermediate.dense.weight"] = normal(g, INTER, H)
        sd[p + "intermediate.dense.bias"] = normal(g, INTER)
        sd[p + "output.dense.weight"] = normal(g, H, INTER)
        sd[p + "output.dense.bias"] = normal(g, H)
        sd[p + "output.LayerNorm.weight"] = torch.ones(H)
        sd[p + "output.LayerNorm.bias"] = normal(g, H)
    sd["bert.pooler.dense.weight"] = normal(g, H, H)
    sd["bert.pooler.dense.bias"] = normal(g, H)
    sd["bert.img_embedding.weight"] = normal(g, H, D)
    sd["bert.img_embedding.bias"] = normal(g, H)
    if img_ln:
        sd["bert.LayerNorm.weight"] = torch.ones(H)
        sd["bert.LayerNorm.bias"] = normal(g, H)


def config(**extra):
    c = {
        "attention_probs_dropout_prob": 0.1, "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
        "hidden_size": H, "img_feature_dim": D, "initializer_range": 0.02,
        "intermediate_size": INTER, "layer_norm_eps": 1e-12, "max_position_embeddings": P,
        "num_attention_heads": 12, "num_hidden_layers": L, "type_vocab_size": 2,
        "vocab_size": V, "output_attentions": False, "output_hidden_states": False,
    }
    c.update(extra)
    return c


def write(folder, sd, cfg, tok_dir, files):
    os.makedirs(folder, exist_ok=True)
    torch.save(sd, os.path.join(folder, "pytorch_model.bin.tmp"))
    os.replace(os.path.join(folder, "pytorch_model.bin.tmp"),
               os.path.join(folder, "pytorch_model.bin"))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    for name in files:
        shutil.copyfile(os.path.join(tok_dir, name), os.path.join(folder, name))


def regions(out):
    # 50 regions: 2048 ReLU'd Gaussian values, then 6 box values (x1, y1, x2, y2,
    # w, h, scaled to the image)
    g = torch.Generator().manual_seed(303)
    r = torch.relu(torch.randn(50, 2048, generator=g))
    xy = torch.rand(50, 2, generator=g) * 0.6
    wh = torch.rand(50, 2, generator=g) * 0.4 + 0.05
    box = torch.cat([xy, xy + wh, wh], dim=1)
    feats = torch.cat([r, box], dim=1).contiguous()
    with open(os.path.join(out, "regions.f32"), "wb") as f:
        f.write(feats.numpy().astype("<f4").tobytes())


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: make-base-checkpoint.py OUT_DIR TOKENIZER_DIR")
    out, tok = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    regions(out)
    tok_files = ["vocab.txt", "added_tokens.json", "special_tokens_map.json"]

    g = torch.Generator().manual_seed(101)
    sd = collections.OrderedDict()
    encoder(g, sd, False)
    sd["cls.predictions.bias"] = normal(g, V)
    sd["cls.predictions.bias"][SEP_ID] = -100.0
    sd["cls.predictions.transform.dense.weight"] = normal(g, H, H)
    sd["cls.predictions.transform.dense.bias"] = normal(g, H)
    sd["cls.predictions.transform.LayerNorm.weight"] = torch.ones(H)
    sd["cls.predictions.transform.LayerNorm.bias"] = normal(g, H)
    # tied: the decoder is the word-embedding tensor itself (one storage)
    sd["cls.predictions.decoder.weight"] = sd["bert.embeddings.word_embeddings.weight"]
    write(os.path.join(out, "caption_base"), sd,
          config(img_feature_type="frcnn", tie_weights=True, freeze_embedding=True,
                 num_labels=2, finetuning_task="image_captioning"),
          tok, tok_files + ["training_args.bin"])

    g = torch.Generator().manual_seed(202)
    sd = collections.OrderedDict()
    encoder(g, sd, True)
    sd["classifier.weight"] = normal(g, N_ANSWERS, H)
    sd["classifier.bias"] = normal(g, N_ANSWERS)
    write(os.path.join(out, "vqa_base"), sd,
          config(img_feature_type="faster_r-cnn", use_img_layernorm=1, img_layer_norm_eps=1e-5,
                 classifier="linear", cls_hidden_scale=3, num_labels=N_ANSWERS,
                 finetuning_task="vqa_text"),
          tok, tok_files)


if __name__ == "__main__":
    main()
