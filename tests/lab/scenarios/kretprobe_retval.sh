# r with $retval typed from BTF: do_sys_openat2 returns long, so a failed
# open shows fd=-2 and the filter fd==-2 compares it as signed.
# lab-timeout: 90
. /lab/lib.sh

expr='r do_sys_openat2 fd=$retval f:fd==-2'
need_show "kretprobes with \$retval" "$expr"
catch_one "kretprobe arming" "$expr" cat /nonexistent-lab-file
has 'fd=-2([^0-9]|$)' || fail "\$retval is not shown as the signed -2"
state_same before "$expr"
pass
