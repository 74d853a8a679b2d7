#!/bin/sh
# install_test.sh layout|man CMAKE BUILD_DIR VERSION
set -u
what=$1 cmake=$2 build=$3 version=$4
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
fail=0
check() { # DESCRIPTION COMMAND...
    d=$1
    shift
    if "$@"; then echo "ok: $d"; else echo "FAIL: $d"; fail=1; fi
}

if ! "$cmake" --install "$build" --prefix "$prefix" >"$prefix.log" 2>&1; then
    cat "$prefix.log"
    rm -f "$prefix.log"
    echo "FAIL: cmake --install"
    exit 1
fi
rm -f "$prefix.log"
man1=$prefix/share/man/man1/ksurf.1
completion=$prefix/share/bash-completion/completions/ksurf

case $what in
layout)
    check "bin/ksurf is executable" test -x "$prefix/bin/ksurf"
    check "ksurf --version prints $version" \
        sh -c '[ "$("$1" --version | head -n 1)" = "ksurf $2" ]' sh "$prefix/bin/ksurf" "$version"
    check "share/man/man1/ksurf.1 is installed" test -s "$man1"
    check "the man page carries the version" grep -q "ksurf $version" "$man1"
    check "no placeholder is left in the man page" sh -c '! grep -q "@[A-Z_]*@" "$1"' sh "$man1"
    check "the bash completion is installed" test -s "$completion"
    if command -v bash >/dev/null 2>&1; then
        check "the completion registers itself for ksurf" \
            bash -c '. "$1" && complete -p ksurf | grep -q _ksurf' bash "$completion"
    fi
    ;;
man)
    if ! command -v man >/dev/null 2>&1; then
        echo "SKIP: man(1) is not installed (scripts/setup deps installs man-db)"
        exit 77
    fi
    out=$(MANWIDTH=80 man --warnings -l "$man1" 2>"$prefix/warnings")
    check "man -l renders the page" test -n "$out"
    check "the rendered page has its sections" \
        sh -c 'for s in NAME SYNOPSIS DESCRIPTION COMMANDS EXPRESSIONS "EXIT STATUS" EXAMPLES; do
                   printf "%s\n" "$1" | grep -q "^$s" || { echo "missing $s"; exit 1; }; done' sh "$out"
    if [ -s "$prefix/warnings" ]; then
        cat "$prefix/warnings"
        echo "FAIL: man --warnings complained"
        fail=1
    else
        echo "ok: no warnings"
    fi
    ;;
esac
exit $fail
