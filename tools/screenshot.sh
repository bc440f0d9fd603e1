#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright 2026 The oscarviz authors
#
# Starts the real oscarviz window under Xvfb and saves a screenshot of the
# whole screen. With no FILE arguments the window opens on the bundled demo.
#
#   tools/screenshot.sh [--size WxH] [--dark] [--lang LL] [--text-size SIZE]
#                       [--keys KEYS]… [--wait SECONDS] [--out PNG] [-- ARGS…]
#
# --text-size is the Preferences' text size (normal, large, larger,
# largest). --lang runs the window in a language of po/ (de, zh_CN), in its
# UTF-8 locale when one is installed. Each --keys is a key sequence typed into the
# window before the screenshot (xdotool names, e.g. "alt+4" for the
# Attention tab, "ctrl+comma" for the preferences, "Tab Tab"), a second apart.
# Settings live in a throw-away keyfile, so the user's own are not touched.
# The picture goes to BUILD/screenshot.png unless --out says where; the
# README's picture is updated only on request: --out docs/screenshot.png.
set -eu

usage="usage: $0 [--size WxH] [--dark] [--lang LL] [--text-size SIZE] [--keys KEYS]… [--wait S] [--out PNG] [-- ARGS…]"
size=1280x800
theme=light
text_size=normal
wait=6
out=
lang=
keys=
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help)
      echo "$usage"
      sed -n '5,/^set -eu/s/^# \{0,1\}//p' "$0"
      exit 0 ;;
    --size) size=$2; shift 2 ;;
    --dark) theme=dark; shift ;;
    --text-size) text_size=$2; shift 2 ;;
    --lang) lang=$2; shift 2 ;;
    --keys) keys="$keys${keys:+
}$2"; shift 2 ;;
    --wait) wait=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --) shift; break ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done

top=$(cd "$(dirname "$0")/.." && pwd)
# Values checked before anything starts: a wrong one would give a picture
# that looks right and is not what was asked for.
case "$size" in
  *[!0-9x]*|*x*x*) size_ok=false ;;
  [0-9]*x[0-9]*) size_ok=true ;;
  *) size_ok=false ;;
esac
$size_ok || { echo "--size $size: give WIDTHxHEIGHT in pixels, e.g. 1280x800" >&2; exit 2; }
case "$text_size" in
  normal|large|larger|largest) ;;
  *) echo "--text-size $text_size: give normal, large, larger or largest" >&2; exit 2 ;;
esac
case "$wait" in
  ''|*[!0-9.]*) echo "--wait $wait: give a number of seconds" >&2; exit 2 ;;
esac
if [ -n "$lang" ] && [ "$lang" != en ] && [ ! -f "$top/po/$lang.po" ]; then
  echo "--lang $lang: po/ has no $lang.po; the languages are: en $(cd "$top/po" \
    && ls ./*.po | sed 's|^\./||; s|\.po$||' | tr '\n' ' ')" >&2
  exit 2
fi
build=${OV_BUILD_DIR:-$top/build}
bin=$build/app/oscarviz
out=${out:-$build/screenshot.png}
[ -x "$bin" ] || { echo "$bin not built; run: meson compile -C build" >&2; exit 1; }
command -v Xvfb >/dev/null || { echo "Xvfb is missing (apt-get install xvfb)" >&2; exit 1; }
command -v import >/dev/null || { echo "ImageMagick's import is missing" >&2; exit 1; }
[ -z "$keys" ] || command -v xdotool >/dev/null \
  || { echo "--keys needs xdotool (apt-get install xdotool)" >&2; exit 1; }

if [ -n "$lang" ]; then
  export LANGUAGE="$lang"
  # gettext reads LANGUAGE only outside the C locale; GTK's own strings want
  # the real one. tools/install-deps.sh screenshot generates de and zh_CN.
  locale=$(locale -a 2>/dev/null | grep -i "^${lang}[._].*utf-\?8$" | head -n 1 || true)
  if [ -n "$locale" ]; then
    export LC_ALL="$locale"
  else
    echo "no UTF-8 locale for $lang is installed; strings from po/ only" >&2
    export LC_ALL=C.UTF-8
  fi
fi

width=${size%x*}
height=${size#*x}
tmp=$(mktemp -d)
trap 'kill "$app" ${comp:+"$comp"} "$xvfb" 2>/dev/null || true; rm -rf "$tmp"' EXIT INT TERM

# A free display number, written by Xvfb itself.
Xvfb -displayfd 3 -screen 0 "${width}x${height}x24" -nolisten tcp 3>"$tmp/display" 2>/dev/null &
xvfb=$!
for _ in $(seq 50); do [ -s "$tmp/display" ] && break; sleep 0.1; done
display=:$(cat "$tmp/display")
# Without a compositing manager GTK draws the shadows of popovers and menus
# black; xcompmgr (tools/install-deps.sh screenshot) is one.
comp=
if command -v xcompmgr >/dev/null; then
  DISPLAY=$display xcompmgr -n 2>/dev/null &
  comp=$!
  sleep 0.3
fi

mkdir -p "$tmp/config/glib-2.0/settings"
cat >"$tmp/config/glib-2.0/settings/keyfile" <<KEYS
[org/oscarviz/Oscarviz]
theme='$theme'
text-size='$text_size'
window-width=$width
window-height=$height
KEYS

DISPLAY=$display XDG_CONFIG_HOME=$tmp/config XDG_DATA_HOME=$tmp/data \
  GSETTINGS_BACKEND=keyfile GSETTINGS_SCHEMA_DIR=$build/data GSK_RENDERER=cairo \
  NO_AT_BRIDGE=1 DBUS_SESSION_BUS_ADDRESS=disabled: "$bin" "$@" 2>"$tmp/stderr" &
app=$!
sleep "$wait"
# A window that did not open (a file it refused, say) leaves a black
# screen: no picture then, and the program's own message.
if ! kill -0 "$app" 2>/dev/null; then
  grep -v -e 'session bus' -e 'dbus-launch' "$tmp/stderr" >&2 || true
  echo "oscarviz ended before the screenshot; nothing written" >&2
  exit 1
fi
# The pointer in the far corner, so that no tooltip covers the window.
if command -v xdotool >/dev/null; then
  DISPLAY=$display xdotool mousemove "$((width - 1))" "$((height - 1))" 2>/dev/null || true
fi
if [ -n "$keys" ]; then
  printf '%s\n' "$keys" | while IFS= read -r k; do
    # shellcheck disable=SC2086
    DISPLAY=$display xdotool key --delay 150 $k
    sleep 1
  done
fi
mkdir -p "$(dirname "$out")"
DISPLAY=$display import -window root "$out"
grep -v -e 'session bus' -e 'dbus-launch' "$tmp/stderr" >&2 || true
echo "wrote $out (${width}x${height}, $theme${lang:+, $lang})"
