# p do_sys_openat2 with the file name (a user pointer) as a string and a comm
# filter: cat's open of /proc/version is caught, head's of /proc/cmdline not.
# lab-timeout: 90
. /lab/lib.sh

expr='p do_sys_openat2 name=%1 f:comm==cat'
need_show "kprobe with a string argument and a filter" "$expr"
catch_one "kprobe arming" "$expr" sh -c 'head -c 1 /proc/cmdline; cat /proc/version'
has '/proc/version' || fail "no event naming /proc/version"
has '/proc/cmdline' && fail "the filter comm==cat let head's open through"
state_same before "$expr"
pass
