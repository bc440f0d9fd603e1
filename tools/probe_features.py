#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Checks that the demo world's region features carry what the captions talk
# about: a logistic-regression probe from each region's 2054 values to its
# colour attribute and to its class, fitted on the first three quarters of
# the regions of a split and scored on the rest.
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


if __name__ == "__main__":
    main()
