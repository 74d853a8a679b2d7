# A member chain through two pointers with a signed format letter: the new
# task's comm and its mm->mm_users, in wake_up_new_task.
# lab-timeout: 90
. /lab/lib.sh

expr='p wake_up_new_task comm=%0->comm users=S%0->mm->mm_users f:comm==sh'
need_show "member chains" "$expr"
catch_one "kprobe arming" "$expr" sh -c '/bin/true & wait'
has 'comm="?sh' || fail "comm is not shown as the string sh"
has 'users=[1-9][0-9]*' || fail "mm->mm_users is not a positive number"
state_same before "$expr"
pass
