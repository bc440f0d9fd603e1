#!/bin/sh
# Runs fuzz targets one after another, each for SECONDS (default 600), on
# one core. Needs a build made with -Dfuzz=true (see README.md). Findings go
# to $OV_FUZZ_WORK/artifacts/<target>/; the growing corpus to
# $OV_FUZZ_WORK/corpus/<target>/ (seeded from tests/fuzz/corpus and, when
# present, the large seeds of make-corpus.py --large).
# Usage: tests/fuzz/run-fuzz.sh BUILD_DIR SECONDS [TARGET...]
set -eu
build=${1:?build dir}
seconds=${2:-600}
shift 2 || shift $#
here=$(cd "$(dirname "$0")" && pwd)
work=${OV_FUZZ_WORK:-/tmp/ov-fuzz-work}
large=${OV_FUZZ_LARGE:-/tmp/ov-fuzz-large}
targets=${*:-"pickle checkpoint safetensors config answers sample-json vqa-json tsv base64 yaml tokenizer image vectors"}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
for t in $targets; do
  mkdir -p "$work/corpus/$t" "$work/artifacts/$t"
  seeds="$here/corpus/$t"
  [ -d "$here/regressions/$t" ] && seeds="$seeds $here/regressions/$t"
  [ -d "$large/$t" ] && seeds="$seeds $large/$t"
  echo "== $t: $seconds s, started $(date -u +%H:%M:%S)"
  # shellcheck disable=SC2086
  "$build/tests/fuzz/fuzz-$t" "$work/corpus/$t" $seeds \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2560 -malloc_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$work/artifacts/$t/" \
    > "$work/$t.log" 2>&1 || echo "   $t stopped with a finding (see $work/$t.log)"
  grep -E '^#[0-9]+.*(DONE|pulse|NEW)' "$work/$t.log" | tail -1
  grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$work/$t.log" || true
done
