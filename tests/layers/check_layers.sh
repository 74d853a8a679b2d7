#!/bin/sh
# check_layers.sh CXX SRC_DIR BIN_DIR  (see CMakeLists.txt beside it)
set -u
cxx=$1 src=$2 bin=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0

closure() { sed -n "s/^$1: //p" "$bin/closures"; }
in_list() { case " $2 " in *" $1 "*) return 0 ;; esac; return 1; }

# The design's data path (docs/architecture.md): a module on it may know the
# ones before it and none after it; types and arch are side by side.
chain="expr types arch compile tracefs capture output engine commands"
rank() {
    case $1 in
    expr) echo 1 ;; types | arch) echo 2 ;; compile) echo 3 ;; tracefs) echo 4 ;;
    capture) echo 5 ;; output) echo 6 ;; engine) echo 7 ;; commands) echo 8 ;;
    *) echo 0 ;;
    esac
}
modules=$(sed 's/:.*//' "$bin/closures")
for m in $modules; do
    rm=$(rank "$m")
    for n in $(closure "$m"); do
        rn=$(rank "$n")
        if [ "$n" != "$m" ] && [ "$rm" -gt 0 ] && [ "$rn" -ge "$rm" ]; then
            echo "FAIL: the DAG lets $m know $n, which is not before it on the data path ($chain)"
            fail=1
        fi
        # util knows nothing; nothing but commands knows listing.
        if [ "$m" = util ] && [ "$n" != util ]; then echo "FAIL: util knows $n"; fail=1; fi
        if [ "$n" = listing ] && [ "$m" != listing ] && [ "$m" != commands ]; then
            echo "FAIL: $m knows listing (only commands may)"; fail=1
        fi
    done
done

# No include may step around the roots with a relative path.
if grep -rn '#include "\.\./' "$src"; then
    echo "FAIL: relative includes bypass the module include roots"
    fail=1
fi

# Each module's real flags find exactly the headers of the modules it may know.
checked=0
for m in $modules; do
    flags=$(sed '/^$/d; s/^/-I/' "$bin/flags/$m" | tr '\n' ' ')
    allowed=$(closure "$m")
    for n in $modules; do
        header=$(cd "$src/$n" && ls ./*.h 2>/dev/null | head -n 1)
        [ -n "$header" ] || continue
        header=${header#./}
        printf '#include "%s/%s"\n' "$n" "$header" >"$work/t.cpp"
        # shellcheck disable=SC2086 # flags is a list of -I options
        if "$cxx" -std=c++23 -E -o /dev/null $flags "$work/t.cpp" 2>"$work/err"; then
            found=yes
        else
            found=no
        fi
        checked=$((checked + 1))
        if in_list "$n" "$allowed"; then
            if [ $found = no ]; then
                echo "FAIL: $m may include $n/$header but cannot:"
                head -n 3 "$work/err"
                fail=1
            fi
        elif [ $found = yes ]; then
            echo "FAIL: $m includes $n/$header although it may not know $n"
            fail=1
        elif ! grep -q "No such file" "$work/err"; then
            echo "FAIL: $m including $n/$header failed for another reason:"
            head -n 3 "$work/err"
            fail=1
        fi
    done
done
echo "checked $checked module pairs"
[ $checked -gt 0 ] || fail=1
exit $fail
