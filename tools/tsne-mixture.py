#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Writes a labelled Gaussian-mixture data set for the t-SNE tests and
# benchmark: classes in groups of five around group centres, each class
# spread along its own random 8-dimensional subspace with uneven scales plus
# isotropic noise, unequal class sizes, rows shuffled. Deterministic for a
# given seed (numpy's RandomState).
#
#   tsne-mixture.py N DIM CLASSES SEED OUT.npy LABELS.txt
import sys

import numpy as np


def mixture(n, dim, n_classes, seed):
    rs = np.random.RandomState(seed)
    n_groups = max(1, n_classes // 5)
    group_centres = rs.normal(0.0, 6.0, size=(n_groups, dim))
    weights = rs.uniform(0.5, 1.5, size=n_classes)
    weights /= weights.sum()
    counts = np.floor(weights * n).astype(np.int64)
    counts[: n - counts.sum()] += 1
    xs, ys = [], []
    sub = min(8, dim)
    for c in range(n_classes):
        centre = group_centres[c % n_groups] + rs.normal(0.0, 2.5, size=dim)
        basis, _ = np.linalg.qr(rs.normal(size=(dim, sub)))
        scales = rs.uniform(0.5, 2.0, size=sub)
        z = rs.normal(size=(counts[c], sub)) * scales
        x = centre + z @ basis.T + rs.normal(0.0, 0.3, size=(counts[c], dim))
        xs.append(x)
        ys.append(np.full(counts[c], c))
    X = np.concatenate(xs).astype(np.float32)
    y = np.concatenate(ys)
    order = rs.permutation(n)
    return X[order], y[order]


def main():
    n, dim, n_classes, seed = (int(a) for a in sys.argv[1:5])
    X, y = mixture(n, dim, n_classes, seed)
    np.save(sys.argv[5], X)
    with open(sys.argv[6], "w") as f:
        f.write("".join("class%d\n" % c for c in y))


if __name__ == "__main__":
    main()
