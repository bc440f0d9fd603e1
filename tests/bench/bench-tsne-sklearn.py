#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# scikit-learn's t-SNE (Debian's python3-sklearn) on the benchmark data with
# its defaults (Barnes-Hut, PCA init, learning rate "auto"), perplexity 30,
# 1000 iterations, 2 jobs; writes the embedding for bench-tsne's scoring.
#   bench-tsne-sklearn.py X.npy Y_OUT.npy
import sys
import time

import numpy as np
from sklearn.manifold import TSNE

X = np.load(sys.argv[1])
t0 = time.time()
Y = TSNE(n_components=2, perplexity=30.0, init="pca", learning_rate="auto", n_iter=1000,
         random_state=42, n_jobs=2).fit_transform(X)
print("sklearn_fit_s=%.2f" % (time.time() - t0))
np.save(sys.argv[2], Y.astype(np.float32))
