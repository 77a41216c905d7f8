#!/bin/sh
# Build the C test peers into OUTDIR: the libpri peers (pripeer, pribench),
# the libss7 peers (ss7peer, ss7bench) and the spandsp media reference
# (spandspbench).
#
#   testbench/peers/build.sh OUTDIR [PROGRAM...]
#
# With no PROGRAM, builds all of them. Needs gcc, and Debian's libpri-dev
# (libpri.h, -lpri) for pripeer/pribench, libss7-dev (libss7.h, -lss7) for
# ss7peer/ss7bench and libspandsp-dev (spandsp.h, -lspandsp) for spandspbench; only the libraries of the programs asked for
# are required. Every binary is first linked under a temporary name and
# then renamed, so concurrent builds into the same OUTDIR never expose a
# half-written file.
set -eu

if [ $# -lt 1 ]; then
    echo "usage: $0 OUTDIR [pripeer|pribench|ss7peer|ss7bench|spandspbench]..." >&2
    exit 64
fi
OUT=$1
shift
PROGS=${*:-pripeer pribench ss7peer ss7bench spandspbench}
HERE=$(cd "$(dirname "$0")" && pwd)
CC=${CC:-gcc}

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "error: C compiler '$CC' not found: apt-get install gcc" >&2
    exit 1
fi

# has_header HEADER: the compiler finds HEADER.
has_header() {
    printf '#include <%s>\n' "$1" | "$CC" -E -x c - >/dev/null 2>&1
}

mkdir -p "$OUT"
for prog in $PROGS; do
    case $prog in
    pripeer | pribench)
        if ! has_header libpri.h; then
            echo "error: libpri-dev is not installed (needed for $prog): apt-get install libpri-dev" >&2
            exit 1
        fi
        libs=-lpri
        ;;
    ss7peer | ss7bench)
        if ! has_header libss7.h; then
            echo "error: libss7-dev is not installed (needed for $prog): apt-get install libss7-dev" >&2
            exit 1
        fi
        libs=-lss7
        ;;
    spandspbench)
        if ! has_header spandsp.h; then
            echo "error: libspandsp-dev is not installed (needed for $prog): apt-get install libspandsp-dev" >&2
            exit 1
        fi
        libs="-lspandsp -lm"
        ;;
    *)
        echo "error: unknown program '$prog' (pripeer, pribench, ss7peer, ss7bench, spandspbench)" >&2
        exit 64
        ;;
    esac
    tmp="$OUT/.$prog.tmp.$$"
    # shellcheck disable=SC2086 # $libs is a list of flags
    if ! "$CC" -O2 -g -Wall -Wextra -Werror -std=gnu11 -o "$tmp" "$HERE/$prog.c" $libs; then
        rm -f "$tmp"
        echo "error: building $prog failed" >&2
        exit 1
    fi
    mv -f "$tmp" "$OUT/$prog"
done
