#!/bin/sh
# Install the Debian packages listed in tools/debian-packages.txt (as root, or through sudo).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
pkgs=$(grep -v '^#' "$here/debian-packages.txt" | tr '\n' ' ')
if [ "$(id -u)" -eq 0 ]; then run=""; else run="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$run apt-get update -q
# shellcheck disable=SC2086
$run apt-get install -y -q --no-install-recommends $pkgs
