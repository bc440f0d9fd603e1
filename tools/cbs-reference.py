#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Expected results for constrained beam search (NoCaps' --use_cbs), made by
# running the original's own oscar/utils/cbs.py (ConstraintFilter,
# FiniteStateMachineBuilder, ConstrainedBeamSearch and
# select_best_beam_with_constraints) with tools/caption-reference.py's
# uncached step on the oracle checkpoint caption_tiny and the oracle's four
# images. cbs.py needs two things this machine lacks: anytree (its hierarchy
# tree; a minimal stand-in below gives pre-order search and node heights)
# and Oscar's BeamHypotheses (only constructed when use_hypo is off, as it is
# in Oscar's captioning). Writes tests/fixtures/cbs.json.
#
# Run: /usr/bin/python3 tools/cbs-reference.py ../shared OSCAR_SOURCE tests/fixtures/cbs.json
# where OSCAR_SOURCE is a checkout of microsoft/Oscar (its oscar/utils/cbs.py is read).

import importlib.util
import json
import os
import sys
import tempfile
import types

import torch


def stand_in_modules():
    class AnyNode:
        def __init__(self, parent=None, **attrs):
            self.__dict__.update(attrs)
            self.children = []
            if parent is not None:
                parent.children.append(self)

        @property
        def height(self):
            return 1 + max(c.height for c in self.children) if self.children else 0

    def findall(node, filter_):
        found = [node] if filter_(node) else []
        for child in node.children:
            found += findall(child, filter_)
        return tuple(found)

    anytree = types.ModuleType("anytree")
    anytree.AnyNode = AnyNode
    anytree.search = types.SimpleNamespace(findall=findall)
    sys.modules["anytree"] = anytree

    class BeamHypotheses:
        def __init__(self, *args, **kwargs):
            pass

    for name in ("oscar", "oscar.modeling"):
        sys.modules[name] = types.ModuleType(name)
    utils = types.ModuleType("oscar.modeling.modeling_utils")
    utils.BeamHypotheses = BeamHypotheses
    sys.modules["oscar.modeling.modeling_utils"] = utils


def load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Tokenizer:
    def __init__(self, vocab):
        self.vocab = vocab
        self.vocab_size = len(vocab)

    def convert_tokens_to_ids(self, tokens):
        return [self.vocab.get(t, self.vocab["[UNK]"]) for t in tokens]


# Word -> wordpieces (the cbs_constraint file) and token -> forms (the
# cbs_tokenforms file) of the cases below. "hydrants" is not in the
# vocabulary: the original turns an unknown form into [UNK].
CONSTRAINT_TOKENS = {"dog": ["dog"], "couch": ["couch"], "pillow": ["pillow"], "fire": ["fire"],
                     "hydrant": ["h", "##yd", "##rant"], "surfboard": ["surf", "##board"],
                     "car": ["car"], "oven": ["oven"]}
TOKEN_FORMS = {"dog": ["dog", "dogs"], "pillow": ["pillow", "pillows"], "car": ["car", "cars"],
               "##rant": ["##rant", "hydrants"]}

# (name, constraints in the order the FSM numbers them, beams, min to satisfy)
SEARCH_CASES = [
    ("none", [], 3, 2),
    ("dog", ["dog"], 3, 2),
    ("dog-couch", ["dog", "couch"], 3, 2),
    ("three-min1", ["pillow", "car", "oven"], 2, 1),
    ("multiword", ["fire hydrant", "surfboard"], 3, 2),
    ("three-multiword", ["surfboard", "dog", "fire hydrant"], 2, 2),
]

HIERARCHY = {"LabelName": "Entity", "Subcategory": [
    {"LabelName": "Animal", "Subcategory": [
        {"LabelName": "Dog"}, {"LabelName": "Cat"},
        {"LabelName": "Bird", "Subcategory": [{"LabelName": "Duck"}]}]},
    {"LabelName": "Vehicle", "Subcategory": [
        {"LabelName": "Car"}, {"LabelName": "Land vehicle"}]},
    {"LabelName": "Furniture", "Subcategory": [
        {"LabelName": "Couch"}, {"LabelName": "Table"},
        {"LabelName": "Kitchen & dining room table"}]},
    {"LabelName": "Person"}, {"LabelName": "Band-aid"}]}

# (name, boxes as (class, conf, rect)); rects in pixels, x1 y1 x2 y2
FILTER_CASES = [
    ("dog-over-animal", [("Animal", 0.9, [10, 10, 100, 100]), ("Dog", 0.8, [11, 10, 100, 101]),
                         ("Couch", 0.7, [200, 200, 300, 260])]),
    ("apart-kept", [("Animal", 0.9, [10, 10, 100, 100]), ("Dog", 0.8, [60, 60, 160, 160])]),
    ("blacklist-padding", [("Person", 0.99, [0, 0, 50, 50]), ("Land vehicle", 0.95, [0, 0, 9, 9]),
                           ("Car", 0.0, [5, 5, 20, 20]), ("Cat", 0.4, [30, 30, 40, 40])]),
    ("top3-replaced", [("Kitchen & dining room table", 0.5, [0, 0, 100, 40]),
                       ("Band-aid", 0.6, [300, 300, 310, 305]), ("Duck", 0.7, [50, 50, 70, 70]),
                       ("Car", 0.2, [400, 0, 500, 60]), ("Cat", 0.3, [0, 200, 30, 230])]),
    ("same-class-twice", [("Dog", 0.9, [0, 0, 10, 10]), ("Dog", 0.8, [100, 100, 150, 150]),
                          ("Cat", 0.7, [200, 0, 260, 40])]),
    ("equal-height-overlap", [("Dog", 0.6, [0, 0, 100, 100]), ("Cat", 0.9, [0, 0, 100, 100]),
                              ("Bird", 0.8, [0, 0, 100, 99])]),
    ("empty", []),
]


def write_tsv(path, table):
    with open(path, "w") as f:
        for key, values in table.items():
            f.write("%s\t%s\n" % (key, ",".join(values)))


def main():
    shared, oscar_src, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
    here = os.path.dirname(os.path.abspath(__file__))
    stand_in_modules()
    cbs = load("oscar_cbs", os.path.join(oscar_src, "oscar", "utils", "cbs.py"))
    ref = load("caption_reference", os.path.join(here, "caption-reference.py"))

    ckpt = os.path.join(shared, "oracle", "checkpoints", "caption_tiny")
    data = os.path.join(shared, "oracle", "data")
    cfg = json.load(open(os.path.join(ckpt, "config.json")))
    sd = {k: v.double() for k, v in torch.load(os.path.join(ckpt, "pytorch_model.bin")).items()}
    vocab = {line.rstrip("\n"): i for i, line in enumerate(open(os.path.join(ckpt, "vocab.txt")))}
    tokenizer = Tokenizer(vocab)
    feats, tags = {}, {}
    for line in open(os.path.join(data, "features.tsv")):
        key, js = line.rstrip("\n").split("\t")
        raw = ref.np.frombuffer(ref.base64.b64decode(json.loads(js)["features"]), ref.np.float32)
        feats[key] = torch.from_numpy(raw.reshape(-1, 2054).astype(ref.np.float64))
    for line in open(os.path.join(data, "labels.tsv")):
        key, js = line.rstrip("\n").split("\t")
        tags[key] = " ".join(o["class"] for o in json.loads(js))

    tmp = tempfile.mkdtemp()
    c2t, forms, hier = (os.path.join(tmp, n) for n in ("c2t.tsv", "forms.tsv", "h.json"))
    write_tsv(c2t, CONSTRAINT_TOKENS)
    write_tsv(forms, TOKEN_FORMS)
    with open(hier, "w") as f:
        json.dump(HIERARCHY, f)

    max_gen, od_len, max_a = 20, 30, 40
    result = {"note": "made by tools/cbs-reference.py with the original's oscar/utils/cbs.py",
              "max_length": max_gen, "constraint_tokens": CONSTRAINT_TOKENS,
              "token_forms": TOKEN_FORMS, "hierarchy": HIERARCHY, "search": [], "filter": []}
    builder = cbs.FiniteStateMachineBuilder(tokenizer, c2t, forms, 3)
    with torch.no_grad():
        for name, constraints, beams, min_sat in SEARCH_CASES:
            fsm, _ = builder.build(constraints)
            fsm = fsm.unsqueeze(0)
            images = []
            for key in feats:
                full = ref.test_inputs(ref.tag_ids(vocab, tags[key]), max_gen, od_len, max_a,
                                       feats[key], 50)
                memo = {}

                def step(curr_ids, state):
                    rows = []
                    for seq in curr_ids.tolist():
                        t = tuple(seq)
                        if t not in memo:
                            memo[t] = ref.step_logits(sd, cfg, list(seq), full, max_gen, od_len)
                        rows.append(memo[t])
                    return torch.stack(rows), state

                searcher = cbs.ConstrainedBeamSearch([ref.SEP], max_gen, beams)
                start = torch.full((1, 1), ref.CLS, dtype=torch.long)
                preds, lps = searcher.search(start, None, step, fsm)
                ids, score = cbs.select_best_beam_with_constraints(
                    preds, lps, torch.tensor([len(constraints)]), min_sat, [ref.SEP])
                images.append({"key": key, "ids": ids[0].tolist(), "score": float(score[0])})
            result["search"].append({"name": name, "constraints": constraints, "beams": beams,
                                     "min_constraints": min_sat, "images": images})

    filt = cbs.ConstraintFilter(hier, 0.85, 3)
    for name, boxes in FILTER_CASES:
        rects = ref.np.array([b[2] for b in boxes], dtype=ref.np.float64).reshape(-1, 4)
        names = [b[0].lower() for b in boxes]
        scores = ref.np.array([b[1] for b in boxes])
        kept = filt(rects, names, scores)
        result["filter"].append({"name": name, "boxes": [{"class": b[0], "conf": b[1],
                                                          "rect": b[2]} for b in boxes],
                                 "constraints": sorted(kept)})
    with open(out_path, "w") as f:
        json.dump(result, f, indent=1)


if __name__ == "__main__":
    main()
