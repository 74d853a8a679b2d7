# r with a member chain on $retval (surftrace loses both): getname returns
# struct filename *, whose ->name is the kernel's copy of the path.
# lab-timeout: 90
. /lab/lib.sh

grep -qw getname /proc/kallsyms || skip "this kernel has no getname symbol"
expr='r getname path=$retval->name f:comm==cat'
need_show "member chains on \$retval" "$expr"
catch_one "kretprobe arming" "$expr" cat /proc/version
has '/proc/version' || fail "\$retval->name is not the path /proc/version"
state_same before "$expr"
pass
