# r with a member chain on $retval (surftrace loses both): getname returns
# struct filename *, whose ->name is the kernel's copy of the path.
# lab-timeout: 90
. /lab/lib.sh

grep -qw getname /proc/kallsyms || skip "this kernel has no getname symbol"
# execve takes its file name through getname too, so cat's exec may come
# first: any absolute path shows the chain works.
expr='r getname path=$retval->name'
need_show "member chains on \$retval" "$expr"
catch_one "kretprobe arming" "$expr" cat /proc/version
has 'path="?/' || fail "\$retval->name is not a path"
state_same before "$expr"
pass
