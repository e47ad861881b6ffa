#!/usr/bin/env bash
# Sets everything up, builds a preset and runs its tests.
#   scripts/test.sh [preset [ctest options...]]   (release | asan | tsan; default release)
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-release}
scripts/setup.sh "$preset"
ctest --preset "$preset" "${@:2}"
