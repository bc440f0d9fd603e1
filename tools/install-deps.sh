#!/bin/sh
# Installs the Debian 12 packages oscarviz needs to build, run and test.
# Run as root (or through sudo). Extra groups: "bench" adds what the
# benchmarks and the demo-model training need (PyTorch, scikit-learn,
# matplotlib); "screenshot" what tools/screenshot.sh needs (ImageMagick,
# xdotool for --keys, and for --lang the German and Chinese locales and a
# CJK font); "fuzz" adds clang with libFuzzer and the sanitizer runtimes,
# and valgrind (tests/fuzz/README.md). dbus-daemon gives the window test a
# private session bus.
set -eu

packages="
  build-essential meson ninja-build pkg-config gettext
  libglib2.0-dev libjson-glib-dev libopenblas-dev libzip-dev zlib1g-dev libdeflate-dev
  libjpeg62-turbo-dev libpng-dev liblcms2-dev libcairo2-dev libpango1.0-dev libfontconfig-dev
  libfftw3-dev
  libgtk-4-dev libadwaita-1-dev
  appstream desktop-file-utils
  xvfb xauth dbus-daemon
  fonts-dejavu-core poppler-utils
"
for group in "$@"; do
  case "$group" in
    bench) packages="$packages python3-torch python3-numpy python3-sklearn python3-matplotlib libjpeg-turbo-progs time" ;;
    screenshot) packages="$packages imagemagick xdotool xcompmgr locales fonts-noto-cjk" ;;
    fuzz) packages="$packages clang libclang-rt-14-dev valgrind" ;;
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
case " $* " in
  *" screenshot "*)
    # The locales the translations in po/ are looked at in.
    for l in de_DE zh_CN; do
      $SUDO sed -i "s/^# *\($l\.UTF-8 UTF-8\)/\1/" /etc/locale.gen
      grep -q "^$l\.UTF-8 UTF-8" /etc/locale.gen \
        || echo "$l.UTF-8 UTF-8" | $SUDO tee -a /etc/locale.gen >/dev/null
    done
    $SUDO locale-gen >/dev/null
    ;;
esac
