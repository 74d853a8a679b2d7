#!/bin/sh
# One lab scenario's ctest test: report what the lab run (run-lab.sh) found.
#   result.sh RESULTS_DIR NAME
# Exit 0 pass, 1 fail (with the scenario's output), 77 skip (with the reason).
res=$1
name=$2
if [ -e "$res/SKIP-ALL" ]; then
    echo "SKIP: $(cat "$res/SKIP-ALL")"
    exit 77
fi
if [ -e "$res/ONLY" ] && ! grep -qw -- "$name" "$res/ONLY"; then
    echo "SKIP: not among KSURF_LAB_ONLY=$(cat "$res/ONLY")"
    exit 77
fi
if [ ! -e "$res/$name.result" ]; then
    [ -e "$res/$name.out" ] && cat "$res/$name.out"
    echo "FAIL: the lab run reported no result for $name (see console.log beside results/)"
    exit 1
fi
read -r status reason <"$res/$name.result"
cat "$res/$name.out" 2>/dev/null
case $status in
PASS) exit 0 ;;
SKIP) echo "SKIP: $reason"; exit 77 ;;
*) echo "FAIL: $reason"; exit 1 ;;
esac
