#!/usr/bin/env bash
# Installs the Debian packages the project needs (when missing), then
# configures and builds one CMake preset (default: release, into build/):
# everything, or only the given targets.
#   scripts/setup.sh [preset [target...]]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
targets=("${@:2}")

packages=(
  cmake ninja-build g++ pkg-config ccache libhiredis-dev redis-server
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev openssl catch2 libbenchmark-dev libspdlog-dev
  python3
)
# The fuzz preset builds with clang 14 and its libFuzzer/sanitizer runtimes.
if [[ $preset == fuzz ]]; then packages+=(clang-14 libclang-rt-14-dev); fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -eq 0 ]]; then
    echo "setup: installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  else
    echo "setup: missing packages; run:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

# ccache (CMakeLists.txt uses it when present) keys on paths relative to the
# checkout, so every clone of the repository shares one cache.
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$PWD} CCACHE_NOHASHDIR=1
cmake --preset "$preset" >/dev/null
if ((${#targets[@]})); then
  cmake --build --preset "$preset" --target "${targets[@]}"
else
  cmake --build --preset "$preset"
fi
