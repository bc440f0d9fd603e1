#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Starts the real oscarviz window under Xvfb and saves a screenshot of the
# whole screen. With no FILE arguments the window opens on the bundled demo.
#
#   tools/screenshot.sh [--size WxH] [--dark] [--wait SECONDS] [--out PNG] [-- ARGS…]
#
# Settings live in a throw-away keyfile, so the user's own are not touched.
set -eu

size=1280x800
theme=light
wait=6
out=docs/screenshot.png
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --dark) theme=dark; shift ;;
    --wait) wait=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "usage: $0 [--size WxH] [--dark] [--wait S] [--out PNG] [-- ARGS…]" >&2; exit 2 ;;
  esac
done

top=$(cd "$(dirname "$0")/.." && pwd)
build=${OV_BUILD_DIR:-$top/build}
bin=$build/app/oscarviz
[ -x "$bin" ] || { echo "$bin not built; run: meson compile -C build" >&2; exit 1; }
command -v Xvfb >/dev/null || { echo "Xvfb is missing (apt-get install xvfb)" >&2; exit 1; }
command -v import >/dev/null || { echo "ImageMagick's import is missing" >&2; exit 1; }

width=${size%x*}
height=${size#*x}
tmp=$(mktemp -d)
trap 'kill "$app" "$xvfb" 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM

# A free display number, written by Xvfb itself.
Xvfb -displayfd 3 -screen 0 "${width}x${height}x24" -nolisten tcp 3>"$tmp/display" 2>/dev/null &
xvfb=$!
for _ in $(seq 50); do [ -s "$tmp/display" ] && break; sleep 0.1; done
display=:$(cat "$tmp/display")

mkdir -p "$tmp/config/glib-2.0/settings"
cat >"$tmp/config/glib-2.0/settings/keyfile" <<KEYS
[org/oscarviz/Oscarviz]
theme='$theme'
window-width=$width
window-height=$height
KEYS

DISPLAY=$display XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data \
  GSETTINGS_BACKEND=keyfile GSETTINGS_SCHEMA_DIR=$build/data GSK_RENDERER=cairo \
  NO_AT_BRIDGE=1 "$bin" "$@" &
app=$!
sleep "$wait"
mkdir -p "$(dirname "$out")"
DISPLAY=$display import -window root "$out"
echo "wrote $out (${width}x${height}, $theme)"
