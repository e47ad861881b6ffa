#!/usr/bin/env bash
# Builds the API reference of the public headers (include/ivschat/, detail
# excluded) with Doxygen into build/docs/html. Every public declaration must
# be documented: any Doxygen warning fails the build (docs/Doxyfile).
#   scripts/docs.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v doxygen >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends doxygen
  else
    echo "docs: doxygen is missing; run: sudo apt-get install -y doxygen" >&2
    exit 1
  fi
fi
# ivschat/version.hpp is configured by CMake from project(VERSION).
[[ -f build/include/ivschat/version.hpp ]] || cmake --preset release >/dev/null
rm -rf build/docs
doxygen docs/Doxyfile
echo "docs: build/docs/html/index.html"
