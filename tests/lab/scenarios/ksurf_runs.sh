# The ksurf binary, with the libraries it links, runs inside the lab.
. /lab/lib.sh

kx 30 --version
[ "$KX_RC" = 127 ] && fail "ksurf cannot start (missing library or loader?)"
skip_if_not_impl "--version"
expect_rc0 "ksurf --version"
[ -s "$KX_OUT" ] || fail "ksurf --version printed nothing"
kx 30 --help
skip_if_not_impl "--help"
expect_rc0 "ksurf --help"
pass "$(head -n 1 "$PWD/kx.1.out")"
