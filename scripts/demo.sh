#!/usr/bin/env bash
# Sets everything up, builds, and runs the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh release
# Until the client and the emulator exist, the demo signs a CreateChatToken
# request; without credentials in the environment it uses the documented
# example key pair.
export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-AKIDEXAMPLE}
export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY}
build/bin/sign_request
