#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# t-SNE benchmark: our engine beside Debian's scikit-learn on Gaussian
# mixtures (tools/tsne-mixture.py: 50 classes, dimension 128, seed 0), two
# threads, perplexity 30, 1000 iterations. Reports wall time, peak memory,
# KL(P || Q) against one reference P and 10-NN preservation (5 000 queries),
# both computed by bench-tsne for every embedding.
#
#   tests/bench/bench-tsne.sh [BUILD_DIR] ["N1 N2 ..."] [SKLEARN_MAX_N]
#
# scikit-learn runs only for N <= SKLEARN_MAX_N (default 10000: its 50 000
# point run takes about 7 minutes on two cores).
set -eu

build=${1:-build}
sizes=${2:-"2000 10000 50000 200000"}
sk_max=${3:-10000}
here=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

export OMP_NUM_THREADS=2 OPENBLAS_NUM_THREADS=2
# Waiting threads sleep instead of spinning: on a shared machine a spinning
# thread takes the core its partner needs. Override for an idle machine.
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, OMP_WAIT_POLICY=$OMP_WAIT_POLICY, load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for n in $sizes; do
  /usr/bin/python3 "$here/tools/tsne-mixture.py" "$n" 128 50 0 "$work/x.npy" "$work/labels.txt"
  printf 'oscarviz  '
  /usr/bin/time -f ' %e %M' -o "$work/time" \
    "$build/tests/bench-tsne" run "$work/x.npy" 2 1000 30 | tr -d '\n'
  awk '{ printf " process_wall_s=%s process_peak_mb=%d\n", $1, $2 / 1024 }' \
    "$work/time"
  if [ "$n" -le "$sk_max" ]; then
    printf 'sklearn   n=%s ' "$n"
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" \
      /usr/bin/python3 "$here/tests/bench/bench-tsne-sklearn.py" "$work/x.npy" "$work/y.npy" \
      | tr -d '\n'
    awk '{ printf " process_wall_s=%s cpu_s=%.1f process_peak_mb=%d", $1, $2 + $3, $4 / 1024 }' \
      "$work/time"
    "$build/tests/bench-tsne" score "$work/x.npy" "$work/y.npy" 2 30 | sed 's/^n=[0-9]*//'
  fi
  echo "#   load average after N=$n: $(cut -d' ' -f1-3 /proc/loadavg)"
done
