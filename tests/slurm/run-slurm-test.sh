#!/bin/bash
# End-to-end test of examples/slurm on a real single-host Slurm cluster with two nodes.
#
# Installs slurm-wlm and munge with apt when missing (needs root), starts a private munged,
# slurmctld and two slurmd (n1, n2) from a temporary folder, submits examples/slurm/submit.sh
# with a small run, waits for the array and the merge, checks that every array task and the
# merge COMPLETED, and compares the merged files with a single-process run (cmp). Everything
# it started is stopped and its folder removed on exit, failed or not.
#
#   tests/slurm/run-slurm-test.sh            # after cargo build --release (or cargo test --release)
#   KEEP=1 tests/slurm/run-slurm-test.sh     # keep the temporary folder for inspection
#
# Settings (environment): LEADSIM (default target/release/leadsim), SHARDS (4),
# REPLICATIONS (6), SEED (7), TIMEOUT seconds for the jobs (90).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LEADSIM=${LEADSIM:-$repo/target/release/leadsim}
SHARDS=${SHARDS:-4}
REPLICATIONS=${REPLICATIONS:-6}
SEED=${SEED:-7}
TIMEOUT=${TIMEOUT:-90}
start=$SECONDS

say() { printf '[slurm-test %3ds] %s\n' $((SECONDS - start)) "$*"; }
fail() { say "FAIL: $*"; exit 1; }

if [[ ! -x "$LEADSIM" ]]; then
    say "building leadsim"
    (cd "$repo" && cargo build --release --quiet)
fi

# ---- install --------------------------------------------------------------------------------
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
    [[ $(id -u) == 0 ]] || fail "slurm-wlm and munge are not installed and this is not root"
    say "installing slurm-wlm and munge"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq slurm-wlm munge >/dev/null ||
        { apt-get update -qq && apt-get install -y -qq slurm-wlm munge >/dev/null; }
fi
[[ $(id -u) == 0 ]] || fail "the test cluster runs its daemons as root"
id munge >/dev/null 2>&1 || fail "no munge user (is munge installed?)"

# ---- a private cluster in a temporary folder ----------------------------------------------
work=$(mktemp -d /tmp/leadsim-slurm.XXXXXX)
chmod 755 "$work"
mkdir -p "$work"/{etc,log,run,spool/ctld,spool/n1,spool/n2,munge,jobs}
export SLURM_CONF=$work/etc/slurm.conf
munge_pid=$work/munge/munged.pid
munge_socket=$work/munge/munge.socket

cleanup() {
    local status=$?
    set +e
    if [[ $status != 0 && -d "$work" ]]; then
        say "logs of the failed run:"
        tail -n 30 "$work"/log/*.log 2>/dev/null
        tail -n 30 "$work"/jobs/out/logs/* 2>/dev/null
    fi
    # scontrol shutdown stops slurmctld and every slurmd; give them a few seconds, then end
    # whatever is left by the pids in their pid files.
    [[ -f "$work/run/slurmctld.pid" ]] && scontrol shutdown >/dev/null 2>&1
    for _ in $(seq 50); do
        alive=0
        for f in "$work"/run/*.pid; do
            [[ -f $f ]] && kill -0 "$(cat "$f")" 2>/dev/null && alive=1
        done
        [[ $alive == 0 ]] && break
        sleep 0.2
    done
    for f in "$work"/run/*.pid; do
        [[ -f $f ]] && kill -9 "$(cat "$f")" 2>/dev/null
    done
    [[ -f "$munge_pid" ]] && kill "$(cat "$munge_pid")" 2>/dev/null
    if [[ "${KEEP:-0}" == 1 ]]; then
        say "kept $work"
    else
        rm -rf "$work"
    fi
    say "$([[ $status == 0 ]] && echo PASS || echo FAIL) after $((SECONDS - start)) s"
    exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# munge: its own key, socket and pid file, run as the munge user.
dd if=/dev/urandom of="$work/munge/munge.key" bs=1024 count=1 status=none
chown -R munge: "$work/munge"
chmod 755 "$work/munge"
chmod 400 "$work/munge/munge.key"
runuser -u munge -- munged --key-file="$work/munge/munge.key" --socket="$munge_socket" \
    --pid-file="$munge_pid" --log-file="$work/munge/munged.log" --seed-file="$work/munge/seed"
munge -s ok -S "$munge_socket" | unmunge -S "$munge_socket" >/dev/null || fail "munge does not work"

host=$(hostname -s)
base=$((20000 + RANDOM % 20000))
cat >"$SLURM_CONF" <<CONF
ClusterName=leadsimtest
SlurmctldHost=${host}(127.0.0.1)
SlurmctldPort=${base}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=${munge_socket}
SlurmUser=root
SlurmdUser=root
StateSaveLocation=${work}/spool/ctld
SlurmdSpoolDir=${work}/spool/%n
SlurmctldPidFile=${work}/run/slurmctld.pid
SlurmdPidFile=${work}/run/slurmd-%n.pid
SlurmctldLogFile=${work}/log/slurmctld.log
SlurmdLogFile=${work}/log/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=n1 NodeHostname=${host} NodeAddr=127.0.0.1 Port=$((base + 1)) CPUs=2 State=UNKNOWN
NodeName=n2 NodeHostname=${host} NodeAddr=127.0.0.1 Port=$((base + 2)) CPUs=2 State=UNKNOWN
PartitionName=test Nodes=n1,n2 Default=YES MaxTime=INFINITE State=UP
CONF

say "starting slurmctld and slurmd n1, n2 (ports ${base}-$((base + 2)))"
slurmctld
slurmd -N n1
slurmd -N n2
for _ in $(seq 150); do
    idle=$(sinfo -h -N -o '%N %t' 2>/dev/null | grep -c ' idle' || true)
    [[ $idle == 2 ]] && break
    sleep 0.2
done
[[ $idle == 2 ]] || fail "the two nodes did not come up: $(sinfo -N 2>&1)"

# ---- the example, as a researcher submits it ----------------------------------------------
say "submitting examples/slurm/submit.sh: ${SHARDS} shards, ${REPLICATIONS} replications"
out=$work/jobs/out
submitted=$(cd "$work/jobs" && LEADSIM="$LEADSIM" SCENARIO="$repo/data/scenarios/handover.toml" \
    OUT="$out" SHARDS="$SHARDS" SEED="$SEED" REPLICATIONS="$REPLICATIONS" \
    "$repo/examples/slurm/submit.sh")
echo "$submitted"
array=$(sed -n 's/.*array_job=\([0-9]*\).*/\1/p' <<<"$submitted")
merge=$(sed -n 's/.*merge_job=\([0-9]*\).*/\1/p' <<<"$submitted")
[[ -n $array && -n $merge ]] || fail "could not read the job ids"

deadline=$((SECONDS + TIMEOUT))
while [[ -n $(squeue -h -j "$array,$merge" 2>/dev/null) ]]; do
    ((SECONDS < deadline)) || fail "jobs still queued after ${TIMEOUT} s: $(squeue -j "$array,$merge" 2>&1)"
    # A failed task leaves the merge pending forever (DependencyNeverSatisfied): stop now.
    bad=$(scontrol -o show job "$array" 2>/dev/null | grep -oE 'JobState=[A-Z_]+' |
        grep -vE '=(PENDING|CONFIGURING|RUNNING|COMPLETING|COMPLETED)$' || true)
    [[ -z $bad ]] || fail "array tasks ended badly: $(sort <<<"$bad" | uniq -c | tr '\n' ' ')"
    sleep 0.5
done
say "jobs left the queue"

# Every array task, by index, and the merge must be COMPLETED (no accounting: scontrol).
tasks=$(scontrol -o show job "$array")
for i in $(seq "$SHARDS"); do
    line=$(grep -E "ArrayTaskId=${i}( |$)" <<<"$tasks" || true)
    [[ -n $line ]] || fail "array task ${i} not found: ${tasks}"
    state=$(grep -o 'JobState=[A-Z_]*' <<<"$line")
    [[ $state == JobState=COMPLETED ]] || fail "array task ${i}: ${state}"
done
[[ $(grep -c 'ArrayTaskId=' <<<"$tasks") == "$SHARDS" ]] || fail "expected ${SHARDS} array tasks: ${tasks}"
state=$(scontrol -o show job "$merge" | grep -o 'JobState=[A-Z_]*')
[[ $state == JobState=COMPLETED ]] || fail "merge job: ${state}"
nodes=$(grep -oE ' NodeList=[^ ]+' <<<"$tasks" | sort | uniq -c | tr -s ' \n' ' ')
say "all ${SHARDS} array tasks and the merge COMPLETED; tasks per node:${nodes}"
[[ $nodes == *NodeList=n1* && $nodes == *NodeList=n2* ]] || fail "the array did not use both nodes"

# ---- the merge equals one process --------------------------------------------------------
"$LEADSIM" simulate "$repo/data/scenarios/handover.toml" --seed "$SEED" \
    --replications "$REPLICATIONS" --out "$work/single" --quiet >/dev/null
for f in summary.csv replications.csv summary.json; do
    cmp "$work/single/$f" "$out/merged/$f" || fail "$f differs from the single-process run"
done
if [[ -f "$work/single/report.html" ]]; then
    cmp "$work/single/report.html" "$out/merged/report.html" || fail "report.html differs"
fi
say "merged output is byte for byte the single-process output"
