#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Makes the fixed reference for tests/test-tsne.c: a 500-point, 10-class,
# 50-dimensional Gaussian mixture (tools/tsne-mixture.py, seed below), the
# embedding Debian's scikit-learn makes of it with its defaults (Barnes-Hut,
# PCA init, learning rate "auto", perplexity 30, 1000 iterations), and that
# embedding's scores computed here with numpy alone: KL(P || Q) against P from
# the exact 90 nearest neighbours (bisection on the precision per point,
# symmetrised), and the 10-NN preservation over all points. Run once with
# Debian's python3-sklearn; the outputs are committed:
#   tests/data/tsne-mixture-500.npy, tests/data/tsne-mixture-500.labels,
#   tests/data/tsne-mixture-500-sklearn.npy, tests/data/tsne-reference.json
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from importlib import import_module  # noqa: E402

mixture = import_module("tsne-mixture").mixture

SEED = 20261204
N, DIM, CLASSES, PERPLEXITY = 500, 50, 10, 30.0


def joint_p(X, perplexity):
    n = X.shape[0]
    k = min(n - 1, int(3 * perplexity))
    X = X.astype(np.float64)
    sq = (X * X).sum(1)
    d2 = np.maximum(sq[:, None] + sq[None, :] - 2 * X @ X.T, 0.0)
    np.fill_diagonal(d2, np.inf)
    nbr = np.argsort(d2, axis=1)[:, :k]
    target = np.log(perplexity)
    P = np.zeros((n, n))
    for i in range(n):
        d = d2[i, nbr[i]] - d2[i, nbr[i]].min()
        beta, lo, hi = 1.0, 0.0, np.inf
        for _ in range(200):
            e = np.exp(-beta * d)
            s = e.sum()
            H = np.log(s) + beta * (e * d).sum() / s
            p = e / s
            if abs(H - target) < 1e-5:
                break
            if H > target:
                lo = beta
                beta = beta * 2 if np.isinf(hi) else (beta + hi) / 2
            else:
                hi = beta
                beta = (beta + lo) / 2
        P[i, nbr[i]] = p
    return (P + P.T) / (2 * n)


def kl_divergence(P, Y):
    Y = Y.astype(np.float64)
    d2 = ((Y[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    W = 1.0 / (1.0 + d2)
    np.fill_diagonal(W, 0.0)
    Z = W.sum()
    m = P > 0
    return float((P[m] * np.log(P[m] / (W[m] / Z))).sum())


def knn_preservation(X, Y, k=10):
    def knn(A):
        A = A.astype(np.float64)
        d2 = ((A[:, None, :] - A[None, :, :]) ** 2).sum(-1)
        np.fill_diagonal(d2, np.inf)
        return np.argsort(d2, axis=1)[:, :k]

    a, b = knn(X), knn(Y)
    return float(np.mean([len(set(a[i]) & set(b[i])) / k for i in range(len(X))]))


def main():
    import sklearn
    from sklearn.manifold import TSNE

    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data")
    X, y = mixture(N, DIM, CLASSES, SEED)
    np.save(os.path.join(out, "tsne-mixture-500.npy"), X)
    with open(os.path.join(out, "tsne-mixture-500.labels"), "w") as f:
        f.write("".join("class%d\n" % c for c in y))

    t0 = time.time()
    tsne = TSNE(n_components=2, perplexity=PERPLEXITY, init="pca", learning_rate="auto",
                n_iter=1000, random_state=0)
    Y = tsne.fit_transform(X)
    secs = time.time() - t0
    np.save(os.path.join(out, "tsne-mixture-500-sklearn.npy"), Y.astype(np.float32))

    P = joint_p(X, PERPLEXITY)
    ref = {
        "generator": "tools/tsne-mixture.py",
        "seed": SEED, "n": N, "dim": DIM, "classes": CLASSES, "perplexity": PERPLEXITY,
        "sklearn_version": sklearn.__version__,
        "sklearn_settings": "TSNE(perplexity=30, init='pca', learning_rate='auto', "
                            "n_iter=1000, random_state=0), Barnes-Hut angle 0.5",
        "sklearn_seconds": round(secs, 2),
        "sklearn_kl_reported": float(tsne.kl_divergence_),
        "sklearn_kl": kl_divergence(P, Y),
        "sklearn_knn10": knn_preservation(X, Y),
    }
    with open(os.path.join(out, "tsne-reference.json"), "w") as f:
        json.dump(ref, f, indent=2)
        f.write("\n")
    print(json.dumps(ref, indent=2))


if __name__ == "__main__":
    main()
