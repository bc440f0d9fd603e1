#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Makes the kit that tests/bench/gpu-check.sh --kit runs on a GPU machine
# that cannot build oscarviz (no GLib, json-glib or libzip headers there):
# builds here with the CUDA backend (release, no window), then packs
#   kit/app/oscarviz, kit/tests/{test-cuda,test-engine,bench-gpu}
#   kit/lib/      the shared libraries they load, except the C library's
#                 own, the C++ runtime and the NVIDIA driver (the GPU
#                 machine's own copies are used), and cuBLAS (opened at run
#                 time from the GPU machine's toolkit or Python packages)
#   kit/shared/   the oracle and data folders the tests read
# into one xz archive of about 25 MB, small enough to copy to the GPU
# machine with the repository (git ignores gpu-kit/). Needs the CUDA
# toolkit here.
#
# Usage: tools/bench/make-gpu-kit.sh [OUT_DIR [BUILD_DIR]]
#   OUT_DIR defaults to ./gpu-kit (ignored by git), BUILD_DIR to ./build-kit.
# Then, on the GPU machine, from the root of a copy of the repository that
# holds gpu-kit/:
#   sh tests/bench/gpu-check.sh --kit gpu-kit/oscarviz-gpu-kit.tar.xz --out RESULTS_DIR
set -eu

src=$(cd "$(dirname "$0")/../.." && pwd)
outdir=${1:-$src/gpu-kit}
build=${2:-$src/build-kit}
shared=${OV_SHARED_DIR:-$src/../shared}

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" "$src" -Dcuda=enabled -Dgui=disabled --buildtype=release
fi
ninja -C "$build" app/oscarviz tests/test-cuda tests/test-engine tests/bench-gpu
# a folder set up by hand may lack the backend the kit is for
if ! ldd "$build/tests/test-cuda" | grep -q libcudart; then
  echo "make-gpu-kit.sh: $build was set up without the CUDA backend" >&2
  exit 1
fi

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/kit/app" "$stage/kit/tests" "$stage/kit/lib" "$stage/kit/shared"
cp "$build/app/oscarviz" "$stage/kit/app/"
for t in test-cuda test-engine bench-gpu; do
  cp "$build/tests/$t" "$stage/kit/tests/"
done

# The libraries, by the names the programs ask for (ldd follows symbolic
# links to the real files; the copies take the asked-for names).
for exe in "$stage"/kit/app/* "$stage"/kit/tests/*; do
  if ldd "$exe" | grep -q "not found"; then
    echo "make-gpu-kit.sh: $exe needs a library this machine lacks:" >&2
    ldd "$exe" | grep "not found" >&2
    exit 1
  fi
done
for exe in "$stage"/kit/app/* "$stage"/kit/tests/*; do
  ldd "$exe" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }'
done | sort -u | while read -r name path; do
  case $name in
    # the C library and its loader, the C++ runtime, the driver
    libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|libresolv.so.*|\
    libmvec.so.*|ld-linux*|libstdc++.so.*|libgcc_s.so.*|libcuda.so.*) ;;
    *) cp -L "$path" "$stage/kit/lib/$name" ;;
  esac
done

cp -r "$shared/oracle" "$shared/data" "$stage/kit/shared/"
# what the kit was built from
{
  git -C "$src" log -1 --format='%H %cd' 2>/dev/null || echo unknown
  git -C "$src" status --porcelain --untracked-files=no 2>/dev/null | sed 's/^/changed: /'
} > "$stage/kit/BUILT_FROM"

mkdir -p "$outdir"
tar -C "$stage" -cf "$stage/kit.tar" kit
xz -T0 -6 "$stage/kit.tar"
mv "$stage/kit.tar.xz" "$outdir/oscarviz-gpu-kit.tar.xz"
ls -l "$outdir/oscarviz-gpu-kit.tar.xz"
echo "libraries:" "$(cd "$stage/kit/lib" && echo *)"
