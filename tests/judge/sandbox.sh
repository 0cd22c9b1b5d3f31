#!/usr/bin/env bash
# sandbox.sh: run a student's code with nothing of the teacher's in view.
#
#   WORKBOOK_SUBMISSION=DIR sandbox.sh /sub/bin/worker_07   a worker (remote.h)
#   WORKBOOK_SUBMISSION=DIR sandbox.sh --compile CC ARGS... compile in DIR
#   sandbox.sh --probe                  can a sandbox be made on this machine?
#
# The sandbox (bubblewrap) sees the toolchain (/usr) read-only, the
# submission's folder DIR as /sub, read-only (its bin/ writable when
# compiling), a private /tmp of 64 MiB, and /dev/null, /dev/zero and
# /dev/urandom alone (no terminal, no /dev/shm): no home, no /etc, no
# teacher's file, no network, no other process (a PID namespace: whatever the code
# starts dies with it), no way back to root (a user namespace, every
# capability dropped). Run as root, it first becomes an unprivileged user
# (WORKBOOK_SANDBOX_UID, default 2000000000: not in /etc/passwd, owns
# nothing). Limits: CPU seconds, address space, file size, processes, no
# core files. A worker is exec'd, not forked: bubblewrap's parent is the
# judge's test process, and --die-with-parent ends the sandbox with it.
# As root, a submission's sandboxes also share a control group (confine).
# Without bubblewrap, or where it cannot make a user namespace, it says so
# and exits 125; with WORKBOOK_TRUSTED=1 (./build.sh grade --trusted) it
# runs the code with the limits alone. WORKBOOK_BWRAP names another
# bubblewrap program (the red team checks the refusal with `false`).
set -euo pipefail
bwrap=${WORKBOOK_BWRAP:-bwrap}

cpu=120 memory_kib=$((1 << 20)) file_kib=$((64 << 10)) processes=256
mode=run
case ${1:-} in
    --probe) mode=probe ;;
    --compile) mode=compile; cpu=60 memory_kib=$((2 << 20)); shift ;;
    '') echo "sandbox.sh: expected a program to run (see its first lines)" >&2; exit 2 ;;
esac

uid=$(id -u)
as_user=()
if [ "$uid" -eq 0 ]; then
    sandbox_uid=${WORKBOOK_SANDBOX_UID:-2000000000}
    as_user=(setpriv --reuid="$sandbox_uid" --regid="$sandbox_uid"
             --clear-groups --inh-caps=-all --bounding-set=-all --)
else
    # RLIMIT_NPROC counts every process of this user: leave room for those
    # already running.
    processes=$(($(ps -U "$uid" -o pid= | wc -l) + processes))
fi

view=(--unshare-all --unshare-user --disable-userns --die-with-parent --new-session
      --cap-drop ALL --clearenv --setenv PATH /usr/bin:/bin
      --setenv HOME /tmp --setenv LC_ALL C --ro-bind /usr /usr
      --ro-bind-try /etc/alternatives /etc/alternatives --proc /proc
      --size $((64 << 10)) --tmpfs /dev --dev-bind /dev/null /dev/null
      --dev-bind /dev/zero /dev/zero --dev-bind /dev/urandom /dev/urandom
      --remount-ro /dev --size $((64 << 20)) --tmpfs /tmp)
for top in bin lib lib32 lib64 libx32 sbin; do
    if [ -L "/$top" ]; then
        view+=(--symlink "$(readlink "/$top")" "/$top")
    elif [ -d "/$top" ]; then
        view+=(--ro-bind "/$top" "/$top")
    fi
done

if [ $mode = probe ]; then
    command -v "$bwrap" >/dev/null || { echo "bubblewrap ($bwrap) is not installed"; exit 125; }
    if ! out=$("${as_user[@]}" "$bwrap" "${view[@]}" /bin/true 2>&1); then
        echo "bubblewrap cannot make a sandbox here: ${out:-it failed and said nothing}" | head -n 1
        exit 125
    fi
    exit 0
fi

sub=${WORKBOOK_SUBMISSION:?WORKBOOK_SUBMISSION names the submission\'s folder}
view+=(--ro-bind "$sub" /sub --chdir /sub)
if [ $mode = compile ]; then
    view+=(--bind "$sub/bin" /sub/bin)
    exec </dev/null # the compiler reads nothing of the caller's (#include "/proc/self/fd/0")
fi

# As root, where the cgroup file system allows, a submission's sandboxes
# (all that run as its user) share one control group: one core of CPU at
# most, 2 GiB of memory (its /tmp included) and 128 processes, whatever they
# do (a fork loop whose children each start a session of their own would
# otherwise get a share of the CPU each, and slow the other students'
# grading). WORKBOOK_SANDBOX_UID names the group; build.sh removes it.
confine() {
    local root=/sys/fs/cgroup name=workbook-$1 dir
    if [ -f "$root/cgroup.controllers" ]; then # cgroup v2
        dir=$root/$name
        mkdir -p "$dir" 2>/dev/null && echo "100000 100000" >"$dir/cpu.max" &&
            echo 128 >"$dir/pids.max" && echo $((2 << 30)) >"$dir/memory.max" &&
            echo $$ >"$dir/cgroup.procs"
    elif [ -d "$root/cpu" ] && [ -d "$root/pids" ] && [ -d "$root/memory" ]; then
        mkdir -p "$root/cpu/$name" "$root/pids/$name" "$root/memory/$name" 2>/dev/null &&
            echo 100000 >"$root/cpu/$name/cpu.cfs_quota_us" &&
            echo 128 >"$root/pids/$name/pids.max" &&
            echo $((2 << 30)) >"$root/memory/$name/memory.limit_in_bytes" &&
            echo $$ >"$root/cpu/$name/cgroup.procs" &&
            echo $$ >"$root/pids/$name/cgroup.procs" &&
            echo $$ >"$root/memory/$name/cgroup.procs"
    else
        return 1
    fi
} 2>/dev/null

# Nothing of the caller's but standard input, output and error goes in.
for fd in /proc/$$/fd/*; do
    fd=${fd##*/}
    [ "$fd" -le 2 ] || eval "exec $fd>&-"
done
ulimit -c 0 -t "$cpu" -v "$memory_kib" -f "$file_kib" -u "$processes"
[ "$uid" -ne 0 ] || confine "$sandbox_uid" || true
if [ "${WORKBOOK_TRUSTED:-0}" = 1 ]; then
    # No sandbox (the teacher said the code is trusted): the same paths,
    # through a symlink /sub would need root, so run from the folder itself.
    cd "$sub"
    [ $mode = compile ] && exec "$@"
    exec "$sub${1#/sub}"
fi
exec "${as_user[@]}" "$bwrap" "${view[@]}" -- "$@"
