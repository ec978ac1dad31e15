#!/bin/sh
# The full verdict corpus (tests/check_verdict_corpus*.c at a larger size):
# PROBLEMS seeded random problems for each of chapters 1, 3 and 5, run with
# and without every --bug, each verdict against the truth derived in the
# test; and every chapter's default run for --seed 1 … 100, chapter 6 too.
# `make check` runs the same suite with 40 problems and 3 seeds of chapter 6.
#   tests/verdict_corpus.sh [BUILD_DIR [PROBLEMS]]   defaults: build 400
# About a minute on two cores. The counts go to stderr; the exit status is
# that of the suite (0 when every assertion held).
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
problems=${2:-400}
make -s BUILD="$build" all "$build/run_tests"
# Check's per-test timeouts (120 s) are for the small corpus.
# Two suites: chapters 1, 3 and 5 (check_verdict_corpus.c); chapters 4 and 2
# and the default runs (check_verdict_corpus_extra.c).
for suite in verdict_corpus verdict_corpus_extra; do
    VERDICT_CORPUS_PROBLEMS=$problems VERDICT_CORPUS_SEEDS=100 VERDICT_CORPUS_CH6_SEEDS=100 CK_TIMEOUT_MULTIPLIER=20 \
        CK_RUN_SUITE=$suite "$build/run_tests"
done
