#!/usr/bin/env bash
# Installs the built project into a temporary prefix, then builds and runs
# tests/install/consumer.c against it twice: with find_package(irqsim) and
# with pkg-config. Run by ctest as `install_consumer`; the environment comes
# from CMakeLists.txt (BUILD_DIR, SRC_DIR, CMAKE_COMMAND, CC, PKG_CONFIG,
# IRQ_LIBDIR, IRQ_SANITIZE). Exit status 77 = skipped.
set -euo pipefail

: "${BUILD_DIR:?}" "${SRC_DIR:?}"
CMAKE_COMMAND=${CMAKE_COMMAND:-cmake}
CC=${CC:-cc}
PKG_CONFIG=${PKG_CONFIG:-pkg-config}
IRQ_LIBDIR=${IRQ_LIBDIR:-lib}

case "${IRQ_SANITIZE:-0}" in
1 | ON | on | TRUE | true)
    echo "install_consumer: skipped in the sanitizer build"
    exit 77
    ;;
esac

tmp=$(mktemp -d "${TMPDIR:-/tmp}/irqsim-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
case "$IRQ_LIBDIR" in
/*) libdir=$IRQ_LIBDIR ;;
*) libdir=$prefix/$IRQ_LIBDIR ;;
esac

step() { printf '\n== %s\n' "$*"; }

step "install into $prefix"
"$CMAKE_COMMAND" --install "$BUILD_DIR" --prefix "$prefix"
for f in "$prefix/include/irqsim/irqsim.h" "$prefix/bin/irqsim" "$libdir/libirqsim.a" \
    "$libdir/pkgconfig/irqsim.pc" "$libdir/cmake/irqsim/irqsimConfig.cmake" \
    "$libdir/cmake/irqsim/irqsimConfigVersion.cmake"; do
    [ -e "$f" ] || { echo "missing after install: $f" >&2; exit 1; }
done
ls "$libdir"/libirqsim.so* >/dev/null
"$prefix/bin/irqsim" --version
# the man page, the shell completions, the example scenarios and the docs
for f in "$prefix/share/man/man1/irqsim.1" "$prefix/share/bash-completion/completions/irqsim" \
    "$prefix/share/zsh/site-functions/_irqsim" "$prefix/share/irqsim/README.md" \
    "$prefix/share/irqsim/docs/design-review.md" "$prefix/share/irqsim/docs/models.md"; do
    [ -s "$f" ] || { echo "missing after install: $f" >&2; exit 1; }
done
"$prefix/bin/irqsim" validate "$prefix"/share/irqsim/scenarios/*.yaml
bash -n "$prefix/share/bash-completion/completions/irqsim"

step "consumer via find_package(irqsim)"
"$CMAKE_COMMAND" -S "$SRC_DIR/tests/install" -B "$tmp/cmake-build" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$CC" -DCMAKE_BUILD_TYPE=Release
"$CMAKE_COMMAND" --build "$tmp/cmake-build"
"$tmp/cmake-build/consumer"         # shared: found through the build RPATH
"$tmp/cmake-build/consumer_static"
if ldd "$tmp/cmake-build/consumer_static" | grep -q libirqsim; then
    echo "consumer_static is linked against libirqsim.so" >&2
    exit 1
fi

step "consumer via pkg-config"
export PKG_CONFIG_PATH="$libdir/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
cflags=$("$PKG_CONFIG" --cflags irqsim)
libs=$("$PKG_CONFIG" --libs irqsim)
static_libs=$("$PKG_CONFIG" --static --libs irqsim)
echo "cflags: $cflags"
echo "libs:   $libs"
echo "static: $static_libs"
# shellcheck disable=SC2086  # word splitting of the flags is intended
"$CC" -std=c11 -Wall -Wextra -Wpedantic -Werror -o "$tmp/consumer-pc" \
    "$SRC_DIR/tests/install/consumer.c" $cflags $libs
LD_LIBRARY_PATH="$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$tmp/consumer-pc"

# The static archive with the flags `pkg-config --static` adds (yaml, m).
# shellcheck disable=SC2086
"$CC" -std=c11 -o "$tmp/consumer-pc-static" "$SRC_DIR/tests/install/consumer.c" $cflags \
    "$libdir/libirqsim.a" ${static_libs//-lirqsim/}
"$tmp/consumer-pc-static"

step "install_consumer: ok"
