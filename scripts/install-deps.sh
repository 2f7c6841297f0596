#!/usr/bin/env bash
# Installs the Debian 12 packages fleetgate needs to build, test and benchmark; only what is missing.
set -euo pipefail
packages=(
  g++ cmake ninja-build ccache pkg-config
  libboost1.81-dev libboost-json1.81-dev libyaml-cpp-dev libcli11-dev libspdlog-dev libfmt-dev
  libssl-dev libgtest-dev libgmock-dev libsqlite3-dev libre2-dev tzdata
  clang clang-format curl openssl nodejs npm
)
if [[ "${1:-}" == "--bench" ]]; then packages+=(wrk nginx-light supervisor libbenchmark-dev); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# A node from elsewhere (nvm, NodeSource) is fine: only install Debian's when there is none.
if command -v node >/dev/null && command -v npm >/dev/null; then
  missing=("${missing[@]/nodejs}"); missing=("${missing[@]/npm}")
fi
read -r -a missing <<<"${missing[*]:-}"
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" </dev/null
fi
