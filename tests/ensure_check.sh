#!/bin/sh
# Makes sure the Check unit-test library (and pkg-config, which finds it) is
# installed: installs Debian's packages when it can (root or password-less
# sudo), otherwise stops with the one command to run.
if command -v pkg-config >/dev/null 2>&1 && pkg-config --exists check 2>/dev/null; then
    exit 0
fi
CMD="apt-get update && apt-get install -y check pkg-config"
if [ "$(id -u)" = 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo"
else
    echo "error: the Check unit-test library is missing; run: sudo sh -c '$CMD'" >&2
    exit 1
fi
echo "Check is missing: installing Debian's check and pkg-config ..." >&2
if $SUDO apt-get update -qq >&2 &&
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq check pkg-config >&2 &&
    pkg-config --exists check; then
    exit 0
fi
echo "error: could not install Check; run: sudo sh -c '$CMD'" >&2
exit 1
