#!/bin/sh
# /lab/job.sh of Dom0 in a LAVA job (scripts/lava/lab.sh packs it in place of dom0-group.sh):
# run by the lab's /init (dom0-init.sh) once Xen's tools are up, it gives LAVA the shell it
# waits for (prompt "dom0# ") on the console; LAVA's test shell then runs /lab/lava-group.sh.
# LAVA ends the job by stopping QEMU.
echo "SMCLAT-LAVA: shell"
PS1='dom0# '
export PS1
exec sh -i
