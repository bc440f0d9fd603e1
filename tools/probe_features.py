#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Checks that the demo world's region features carry what the captions talk
# about: a logistic-regression probe from each region's 2054 values to its
# colour attribute and to its class, fitted on the first three quarters of
# the regions of a split and scored on the rest; then the statistics that
# decide how well a linear projection can learn from them: the scale of the
# values, how much of each vector is the part every region shares (the mean
# over the regions), and the mean cosine similarity of two regions, before
# and after train_demo.py's centring (FeatureScaler).
# Usage: tools/probe_features.py DATA_FOLDER [SPLIT]

import os
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_demo as td  # noqa: E402


def main():
    folder = sys.argv[1]
    split = td.Split(folder, sys.argv[2] if len(sys.argv) > 2 else "val", 12)
    x, colour, cls = [], [], []
    for i in range(len(split)):
        for j, det in enumerate(split.dets[i][:12]):
            x.append(split.feats[i, j])
            colour.append(det["attributes"][0])
            cls.append(det["class"])
    x = np.array(x)
    n = len(x) * 3 // 4
    for name, y in (("colour", colour), ("class", cls)):
        y = np.array(y)
        probe = LogisticRegression(max_iter=300).fit(x[:n], y[:n])
        print(f"{name}: held-out accuracy {probe.score(x[n:], y[n:]):.3f} "
              f"({len(x) - n} of {len(x)} regions, {len(set(y))} values)")

    a = x[:, :2048].astype(np.float64)
    print(f"appearance values: mean {a.mean():.4f}, std {a.std():.4f}, max {a.max():.3f}, "
          f"zeros {np.mean(a == 0):.2f}; vector norm {np.linalg.norm(a, axis=1).mean():.2f}")
    scaler = td.FeatureScaler(split)
    pairs = np.random.default_rng(0).integers(0, len(x), (4000, 2))
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    for name, v in (("raw", x.astype(np.float64)), ("centred", (x - scaler.mean) / scaler.scale)):
        shared = np.sum(v.mean(0) ** 2) / np.mean(np.sum(v ** 2, axis=1))
        u = v / np.linalg.norm(v, axis=1, keepdims=True)
        cos = np.mean(np.sum(u[pairs[:, 0]] * u[pairs[:, 1]], axis=1))
        print(f"{name}: share of the squared norm in the common mean {shared:.2f}, "
              f"mean cosine of two regions {cos:.3f}")


if __name__ == "__main__":
    main()
