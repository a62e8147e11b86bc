#!/usr/bin/env bash
# `npm run setup:system`: installs the Debian packages the tests need (the same list CI uses,
# .ci/apt-packages.txt): PostgreSQL, Mosquitto, ffmpeg, Chromium, GStreamer's RTSP server, pcscd with
# vsmartcard-vpcd, qrencode, socat, nginx-light (the load-balancer tests)… `npm start` needs none of them. Run as root, or with sudo available.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBIAN_FRONTEND=noninteractive
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup:system: run as root (or install sudo): it installs Debian packages" >&2; exit 1; }
  SUDO="sudo"
fi
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
for p in $(sed 's/#.*//' .ci/apt-packages.txt); do have "$p" || need+=("$p"); done
if [ ${#need[@]} -eq 0 ]; then
  echo "setup:system: every package in .ci/apt-packages.txt is installed"
  exit 0
fi
echo "setup:system: installing ${need[*]}"
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
echo "setup:system: done"
