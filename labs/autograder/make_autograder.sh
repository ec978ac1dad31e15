#!/bin/sh
# make autograder: one Gradescope autograder per lab, OUT/labN/ and
# OUT/labN.zip. Gradescope unpacks the zip into /autograder/source, so its
# top holds setup.sh and run_autograder beside the sources they build
# (Makefile, include/, src/, labs/) and LAB, the lab's number.
# Usage: labs/autograder/make_autograder.sh OUT "LAB_NUMS"
set -eu
out=$1 labs=$2
for lab in $labs; do
    dir=$out/lab$lab
    rm -rf "$dir" "$out/lab$lab.zip"
    mkdir -p "$dir"
    cp labs/autograder/setup.sh labs/autograder/run_autograder "$dir/"
    chmod +x "$dir/setup.sh" "$dir/run_autograder"
    cp -R Makefile include src labs "$dir/"
    if [ -e LICENSE ]; then cp LICENSE "$dir/"; fi
    echo "$lab" > "$dir/LAB"
    (cd "$dir" && zip -qr ../"lab$lab.zip" .)
    echo "$out/lab$lab.zip"
done
