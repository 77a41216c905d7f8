#!/bin/sh
# Build the libpri test peers (pripeer, pribench) into OUTDIR.
#
#   testbench/peers/build.sh OUTDIR
#
# Needs gcc and Debian's libpri-dev (libpri.h, -lpri). Every binary is first
# linked under a temporary name and then renamed, so concurrent builds into
# the same OUTDIR never expose a half-written file.
set -eu

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 64
fi
OUT=$1
HERE=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-gcc}

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "error: C compiler '$CC' not found: apt-get install gcc" >&2
    exit 1
fi
if ! printf '#include <libpri.h>\n' | "$CC" -E -x c - >/dev/null 2>&1; then
    echo "error: libpri-dev is not installed: apt-get install libpri-dev" >&2
    exit 1
fi

mkdir -p "$OUT"
for prog in pripeer pribench; do
    tmp="$OUT/.$prog.tmp.$$"
    if ! "$CC" -O2 -g -Wall -Wextra -Werror -std=gnu11 -o "$tmp" "$HERE/$prog.c" -lpri; then
        rm -f "$tmp"
        echo "error: building $prog failed" >&2
        exit 1
    fi
    mv -f "$tmp" "$OUT/$prog"
done
