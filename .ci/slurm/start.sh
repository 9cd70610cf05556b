#!/usr/bin/env bash
# Start a single-node SLURM cluster on this machine (for the SLURM integration test and for
# trying `snakemake --profile profiles/slurm simulation` locally). Needs root and the Debian
# packages slurm-wlm and munge (pass --install to install them with apt-get).
#
#   .ci/slurm/start.sh [--install]     start munged, slurmctld and slurmd; wait for the node
#   .ci/slurm/stop.sh                  stop them again
#
# No accounting database is set up: use the executor's `--slurm-status-command squeue`
# and `--slurm-no-account` (profiles/slurm does). The node is described from `slurmd -C`,
# process tracking uses /proc (cgroups are often unavailable in containers), and every piece
# of state lives under $TEICHAKU_SLURM_STATE (default /tmp/teichaku-slurm).
set -euo pipefail

STATE="${TEICHAKU_SLURM_STATE:-/tmp/teichaku-slurm}"
CONF=/etc/slurm/slurm.conf
MARKER="# written by teichaku .ci/slurm/start.sh"

if [[ $(id -u) -ne 0 ]]; then
    echo "start.sh: SLURM daemons need root; run as root (or skip the SLURM test)" >&2
    exit 2
fi

if [[ "${1:-}" == "--install" ]]; then
    if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends slurm-wlm munge >/dev/null
    fi
fi

for tool in munged slurmctld slurmd sinfo; do
    command -v "$tool" >/dev/null || {
        echo "start.sh: $tool not found; install slurm-wlm and munge (or pass --install)" >&2
        exit 2
    }
done

if [[ -e "$CONF" ]] && ! grep -qF "$MARKER" "$CONF"; then
    echo "start.sh: $CONF exists and was not written by this script; refusing to replace it" >&2
    exit 2
fi

host=$(hostname -s)
mkdir -p "$STATE"/{ctld,d,log,run} /etc/slurm

# --- munge: authentication between the daemons and the client commands -------------------
install -d -o munge -g munge -m 0755 /run/munge
install -d -o munge -g munge -m 0700 /var/lib/munge /var/log/munge /etc/munge
if [[ ! -s /etc/munge/munge.key ]]; then
    dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
fi
chown munge:munge /etc/munge/munge.key
chmod 0400 /etc/munge/munge.key
if ! munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; then
    runuser -u munge -- /usr/sbin/munged
    for _ in $(seq 50); do
        munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1 && break
        sleep 0.1
    done
fi
munge -n </dev/null | unmunge >/dev/null || { echo "start.sh: munged did not start" >&2; exit 1; }

# --- slurm.conf: one node (this host), one partition ---------------------------------------
# The node line comes from `slurmd -C` minus its UpTime line; memory is reported 5% lower so
# that a slightly smaller measurement later does not drain the node. Daemons talk over the
# loopback address, so the host name need not resolve.
node=$(slurmd -C | head -n 1)
mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$node")
node=$(sed "s/RealMemory=[0-9]*/RealMemory=$((mem * 95 / 100))/" <<<"$node")

cat >"$CONF" <<CONF
$MARKER
ClusterName=teichaku
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
SchedulerType=sched/backfill
ReturnToService=2
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
# Keep finished jobs visible to squeue for a while: the executor polls squeue, not sacct.
MinJobAge=600
SlurmctldPidFile=$STATE/run/slurmctld.pid
SlurmdPidFile=$STATE/run/slurmd.pid
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/d
SlurmctldLogFile=$STATE/log/slurmctld.log
SlurmdLogFile=$STATE/log/slurmd.log
SlurmctldPort=6817
SlurmdPort=6818
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
# slurmctld refuses to start without a cgroup.conf on some builds even with task/none.
[[ -e /etc/slurm/cgroup.conf ]] || printf '%s\nCgroupPlugin=autodetect\n' "$MARKER" \
    >/etc/slurm/cgroup.conf

# --- daemons ---------------------------------------------------------------------------------
pgrep -F "$STATE/run/slurmctld.pid" >/dev/null 2>&1 || slurmctld -c
pgrep -F "$STATE/run/slurmd.pid" >/dev/null 2>&1 || slurmd -c

for _ in $(seq 60); do
    state=$(sinfo -h -n "$host" -o '%T' 2>/dev/null || true)
    case "$state" in
        idle*|mixed*|allocated*) echo "start.sh: SLURM node $host is $state"; exit 0 ;;
        drain*|down*) scontrol update NodeName="$host" State=RESUME 2>/dev/null || true ;;
    esac
    sleep 0.5
done
echo "start.sh: SLURM node $host did not become idle (state: ${state:-none})" >&2
tail -n 20 "$STATE"/log/*.log >&2 || true
exit 1
