#!/usr/bin/env bash
# Installs what the PyTorch peer benchmark (`npe bench edit --peer`) needs, from Debian's packages
# only: PyTorch (python3-torch) and OpenBLAS. Nothing is installed with pip, and the system's BLAS
# choice is left alone: the benchmark points PyTorch at OpenBLAS in its own environment.
set -euo pipefail
packages=(python3-torch python3-numpy libopenblas0-pthread)
if dpkg -s "${packages[@]}" >/dev/null 2>&1; then echo "Already installed: ${packages[*]}"; exit 0; fi
sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${packages[@]}"
