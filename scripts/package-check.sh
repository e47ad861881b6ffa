#!/usr/bin/env bash
# Proves the installed package (issue 14): a separate project
# (tests/package/) built and run against it through find_package and through
# pkg-config, static and shared, creating a room and a chat token on the
# installed ivschat-emulator; and ivschat as a subproject, where only the
# library builds.
#   scripts/package-check.sh
# Static: installs the existing release build (build/, as scripts/test.sh
# leaves it; only the installed targets are brought up to date). Shared: a
# library-only build with BUILD_SHARED_LIBS=ON into build-shared/. The
# subproject build goes to build-subproject/; the other consumer builds and
# the prefixes live in a temporary folder.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
work=$(mktemp -d)
emulator=
cleanup() {
  if [[ -n $emulator ]]; then kill "$emulator" 2>/dev/null || true; wait "$emulator" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
# The shared and the subproject builds compile the same library sources:
# with paths relative to the repository and no working directory in ccache's
# hash, the second one finds the first one's objects.
export CCACHE_BASEDIR=$root CCACHE_NOHASHDIR=true
step() { printf '\n== %s\n' "$*"; }
fail() { echo "package-check: $*" >&2; exit 1; }

step "static: install build/ into a temporary prefix"
[[ -f build/build.ninja ]] || cmake --preset release >/dev/null
cmake --build build --target ivschat ivschat-emulator ivschat_cli
cmake --install build --prefix "$work/static" >/dev/null
# Every build here uses the release build's compiler (and so ccache's objects).
compiler=$(sed -n 's/^CMAKE_CXX_COMPILER:[A-Z]*=//p' build/CMakeCache.txt)
for f in bin/ivschat bin/ivschat-emulator lib/libivschat.a include/ivschat/client.hpp include/ivschat/version.hpp \
         lib/cmake/ivschat/ivschatConfig.cmake lib/cmake/ivschat/ivschatConfigVersion.cmake \
         lib/pkgconfig/ivschat.pc share/doc/ivschat/LICENSE; do
  [[ -e $work/static/$f ]] || fail "the install has no $f"
done
# The CLI's bash completion, where bash-completion looks for it: a script that
# parses and registers a completion for ivschat.
completion=$work/static/share/bash-completion/completions/ivschat
[[ -s $completion ]] || fail "the install has no bash completion (or an empty one) at share/bash-completion/completions/ivschat"
bash -n "$completion" || fail "the installed bash completion is not valid bash"
grep -q '^complete .* ivschat$' "$completion" || fail "the installed bash completion does not register a completion for ivschat"
"$work/static/bin/ivschat-emulator" --version

# The installed emulator over TLS with a generated CA; prints the endpoint,
# then "ca-bundle: PATH".
"$work/static/bin/ivschat-emulator" --tls --port 0 >"$work/emulator.out" &
emulator=$!
for _ in $(seq 100); do
  [[ $(wc -l <"$work/emulator.out") -ge 2 ]] && break
  sleep 0.1
done
endpoint=$(sed -n 1p "$work/emulator.out")
ca_bundle=$(sed -n 's/^ca-bundle: //p' "$work/emulator.out")
[[ $endpoint == https://* && -f $ca_bundle ]] || fail "the emulator did not start: $(cat "$work/emulator.out")"

# Runs a consumer program against the emulator with the documented example
# key pair and nothing from the user's AWS configuration.
run_consumer() {
  env -i PATH="$PATH" HOME="$work" \
    AWS_ENDPOINT_URL_IVSCHAT="$endpoint" AWS_CA_BUNDLE="$ca_bundle" AWS_REGION=us-west-2 \
    AWS_ACCESS_KEY_ID=AKIDEXAMPLE AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY \
    AWS_CONFIG_FILE="$work/none" AWS_SHARED_CREDENTIALS_FILE="$work/none" AWS_EC2_METADATA_DISABLED=true \
    "$1"
}
# Builds tests/package with CMake against a prefix and runs both programs.
consumer_find_package() {
  local prefix=$1 dir=$2
  cmake -S tests/package -B "$dir" -G Ninja -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
  cmake --build "$dir"
  run_consumer "$dir/consumer"
  run_consumer "$dir/consumer_no_deprecated"
}

step "static: find_package(ivschat) consumer (deprecated Asio API on and off, a shared plugin of the whole static library)"
consumer_find_package "$work/static" "$work/consumer-static"
[[ -f $work/consumer-static/libconsumer_plugin.so ]] || fail "the consumer's shared plugin was not built"

step "static: pkg-config consumer"
export PKG_CONFIG_PATH="$work/static/lib/pkgconfig"
# shellcheck disable=SC2046  # pkg-config prints several words on purpose
"$compiler" -O1 tests/package/consumer.cpp -o "$work/consumer-pc-static" \
  $(pkg-config --cflags ivschat) $(pkg-config --static --libs ivschat)
run_consumer "$work/consumer-pc-static"

step "shared: a library-only build with BUILD_SHARED_LIBS=ON (build-shared/), installed into another prefix"
cmake --preset release -B build-shared -DBUILD_SHARED_LIBS=ON \
  -DIVSCHAT_BUILD_TESTS=OFF -DIVSCHAT_BUILD_BENCHMARKS=OFF -DIVSCHAT_BUILD_EXAMPLES=OFF -DIVSCHAT_BUILD_TOOLS=OFF >/dev/null
cmake --build build-shared
cmake --install build-shared --prefix "$work/shared" >/dev/null
library=$work/shared/lib/libivschat.so.0
[[ -L $work/shared/lib/libivschat.so && -e $library ]] || fail "the shared install has no libivschat.so -> libivschat.so.0"
[[ ! -e $work/shared/lib/libivschat.a ]] || fail "the shared install also has the static library"
readelf -d "$library" | grep -F '(SONAME)' | grep -F '[libivschat.so.0]' >/dev/null || fail "SONAME is not libivschat.so.0"
exported=$(nm -D --defined-only "$library" | awk '{print $3}')
ivschat_symbols=$(grep -c '7ivschat' <<<"$exported" || true)
# Symbols of namespace boost::asio itself (functions, data, vtables, typeinfo,
# guards, thread-local wrappers): the library's Asio stays inside, except the
# thread-local call stacks it shares with the consumer's Asio (src/libivschat.map).
asio_symbols=$(grep -E '^_Z(Z|GV|TV|TI|TS|TH|TW)?N?K?5boost4asio' <<<"$exported" |
  grep -vE '^_Z(GV)?N5boost4asio6detail(10call_stackI|15keyword_tss_ptrINS1_10call_stackI)' || true)
echo "libivschat.so.0 exports $(wc -l <<<"$exported") symbols, $ivschat_symbols of ivschat, $(grep -c . <<<"$asio_symbols" || true) of boost::asio"
((ivschat_symbols > 0)) || fail "libivschat.so exports no ivschat symbol"
[[ -z $asio_symbols ]] || fail "libivschat.so exports Asio internals: $(head -5 <<<"$asio_symbols" | c++filt)"

step "shared: find_package(ivschat) consumer"
consumer_find_package "$work/shared" "$work/consumer-shared"
ldd "$work/consumer-shared/consumer" | grep "libivschat.so.0 => $library" >/dev/null || fail "the consumer is not linked to $library"

step "shared: pkg-config consumer"
export PKG_CONFIG_PATH="$work/shared/lib/pkgconfig"
# shellcheck disable=SC2046
"$compiler" -O1 tests/package/consumer.cpp -o "$work/consumer-pc-shared" \
  $(pkg-config --cflags ivschat) $(pkg-config --libs ivschat) -Wl,-rpath,"$work/shared/lib"
ldd "$work/consumer-pc-shared" | grep "libivschat.so.0 => $library" >/dev/null || fail "the pkg-config consumer is not linked to $library"
run_consumer "$work/consumer-pc-shared"

step "subproject: add_subdirectory(ivschat) builds the library and nothing else of it"
# In build-subproject/ beside build/, so that ccache recognizes the library's
# objects.
cmake -S tests/package -B build-subproject -G Ninja -DCMAKE_CXX_COMPILER="$compiler" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DIVSCHAT_SOURCE_DIR="$root" >/dev/null
targets=$(cmake --build build-subproject --target help)
for unwanted in ivschat-emulator ivschat_cli ivschat-bench quickstart test_unit_ ivschat_test_support; do
  ! grep -q "$unwanted" <<<"$targets" || fail "as a subproject ivschat defines $unwanted"
done
cmake --build build-subproject --target consumer
[[ ! -d build-subproject/bin ]] || fail "the subproject wrote into the parent's bin/"
run_consumer build-subproject/consumer

echo
echo "package-check: ok"
