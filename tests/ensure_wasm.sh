#!/bin/sh
# Makes sure make wasm can build: clang, wasm-ld (lld-14), wasi-libc and the
# wasm32 compiler runtime. Installs Debian's packages when it can (root or
# password-less sudo), like tests/ensure_check.sh; otherwise stops with the
# one command to run.
pkgs="clang lld-14 wasi-libc libclang-rt-14-dev-wasm32"
missing=""
for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
[ -z "$missing" ] && exit 0
CMD="apt-get update && apt-get install -y$missing"
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "error: make wasm needs$missing; run: sudo sh -c '$CMD'" >&2
    exit 1
fi
echo "make wasm: installing Debian's$missing ..." >&2
if $SUDO apt-get update -qq >&2 &&
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >&2; then
    exit 0
fi
echo "error: could not install$missing; run: sudo sh -c '$CMD'" >&2
exit 1
