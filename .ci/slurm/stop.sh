#!/usr/bin/env bash
# Stop the single-node SLURM cluster started by .ci/slurm/start.sh (daemons by their pid files).
set -uo pipefail

STATE="${TEICHAKU_SLURM_STATE:-/tmp/teichaku-slurm}"

stop_pidfile() {
    local pidfile=$1 pid
    [[ -s "$pidfile" ]] || return 0
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null || true
}

scancel --user="$(id -un)" 2>/dev/null || true
stop_pidfile "$STATE/run/slurmd.pid"
stop_pidfile "$STATE/run/slurmctld.pid"
if [[ "${1:-}" != "--keep-munge" ]]; then
    stop_pidfile /run/munge/munged.pid
fi
exit 0
