#!/bin/sh
# Installs the Debian 12 packages oscarviz needs to build, run and test.
# Run as root (or through sudo). Extra groups: "bench" adds what the
# benchmarks and the demo-model training need (PyTorch, scikit-learn).
set -eu

packages="
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libjson-glib-dev libopenblas-dev libzip-dev zlib1g-dev libdeflate-dev
  libjpeg62-turbo-dev libpng-dev libcairo2-dev libfftw3-dev
  libgtk-4-dev libadwaita-1-dev
  appstream desktop-file-utils
  xvfb xauth
  fonts-dejavu-core poppler-utils
"
for group in "$@"; do
  case "$group" in
    bench) packages="$packages python3-torch python3-numpy python3-sklearn libjpeg-turbo-progs time" ;;
    *) echo "unknown group: $group" >&2; exit 2 ;;
  esac
done

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $packages
