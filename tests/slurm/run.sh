#!/usr/bin/env bash
# SLURM end-to-end test: start a one-node SLURM cluster on localhost, run the tiny world with
# `--executor slurm` (snakemake-executor-plugin-slurm), check that every table equals the local
# run's, and stop the daemons this script started. Called from .ci/run after `make test`.
#
# Needs root and apt (Debian's slurm-wlm and munge); where they are not usable it says so and
# exits 0 (skipped), so machines without apt still pass. Set YRD_SLURM_REQUIRED=1 to fail instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
PY="$ROOT/.venv/bin/python"
skip() { echo "SLURM test SKIPPED: $*"; if [ "${YRD_SLURM_REQUIRED:-0}" = 1 ]; then exit 1; fi; exit 0; }

[ -x "$PY" ] || skip "no .venv (run make test first)"
if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  [ "$(id -u)" = 0 ] || skip "not root, cannot install slurm-wlm and munge with apt"
  command -v apt-get >/dev/null || skip "apt-get not available"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q slurm-wlm munge >/tmp/yrd-slurm-apt.log 2>&1 \
    || { apt-get update -q >>/tmp/yrd-slurm-apt.log 2>&1 && apt-get install -y -q slurm-wlm munge >>/tmp/yrd-slurm-apt.log 2>&1; } \
    || skip "apt-get install slurm-wlm munge failed (see /tmp/yrd-slurm-apt.log)"
fi
[ "$(id -u)" = 0 ] || skip "not root, cannot start munged and slurmd"

WORK=$(mktemp -d /tmp/yrd-slurm.XXXXXX)
PIDS=()
CREATED_CONF=0
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  if [ "$CREATED_CONF" = 1 ]; then rm -f /etc/slurm/slurm.conf; fi
}
trap cleanup EXIT

# munge: key from the package (create one if missing), daemon as the munge user
if [ ! -s /etc/munge/munge.key ]; then
  mkdir -p /etc/munge
  dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key status=none
  chown munge:munge /etc/munge/munge.key; chmod 400 /etc/munge/munge.key
fi
mkdir -p /run/munge /var/lib/munge /var/log/munge
chown munge:munge /run/munge /var/lib/munge /var/log/munge
runuser -u munge -- /usr/sbin/munged --pid-file=/run/munge/yrd-munged.pid --force
sleep 1
PIDS+=("$(cat /run/munge/yrd-munged.pid)")
munge -n | unmunge >/dev/null || { echo "munge does not work"; exit 1; }

# a minimal one-node cluster: no accounting, proctrack/linuxproc
HOST=$(hostname -s)
CPUS=$(nproc)
MEM=$(slurmd -C | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p')
mkdir -p "$WORK/state" "$WORK/spool"
# Job steps (srun inside a batch job) read the default /etc/slurm/slurm.conf, not SLURM_CONF, so
# the test cluster's config goes there; an existing one (a real cluster) is never touched.
if [ -e /etc/slurm/slurm.conf ] && ! grep -q "ClusterName=yrdtest" /etc/slurm/slurm.conf; then
  skip "/etc/slurm/slurm.conf exists (a real SLURM setup?): not overwriting it"
fi
mkdir -p /etc/slurm
export SLURM_CONF=/etc/slurm/slurm.conf
CREATED_CONF=1
cat > "$SLURM_CONF" <<CONF
ClusterName=yrdtest
SlurmctldHost=$HOST
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
ReturnToService=2
MpiDefault=none
StateSaveLocation=$WORK/state
SlurmdSpoolDir=$WORK/spool
SlurmctldPidFile=$WORK/slurmctld.pid
SlurmdPidFile=$WORK/slurmd.pid
SlurmctldLogFile=$WORK/slurmctld.log
SlurmdLogFile=$WORK/slurmd.log
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
NodeName=$HOST CPUs=$CPUS RealMemory=$MEM State=UNKNOWN
PartitionName=debug Nodes=$HOST Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -f "$SLURM_CONF" -i
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 30); do [ -s "$WORK/slurmctld.pid" ] && [ -s "$WORK/slurmd.pid" ] && break; sleep 1; done
PIDS+=("$(cat "$WORK/slurmd.pid")" "$(cat "$WORK/slurmctld.pid")")
for _ in $(seq 1 30); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 1; done
sinfo
echo "SLURM cluster up (conf $SLURM_CONF)"

# the tiny world twice: locally and through SLURM, each in its own copy of the workflow
for run in local slurm; do
  mkdir -p "$WORK/$run"
  cp -r Snakefile config workflow profiles environment.yml "$WORK/$run/"
  mkdir -p "$WORK/$run/resources"
  for d in resources/*; do [ "$(basename "$d")" = raw ] || cp -r "$d" "$WORK/$run/resources/"; done
done
# Side by side: the SLURM run's jobs spend most of their time queued and polled, so the local
# reference run overlaps them instead of adding its own minutes.
(cd "$WORK/local" && "$PY" -m snakemake --cores 2 --configfile config/tiny.yaml >"$WORK/local.log" 2>&1) &
LOCAL=$!
(cd "$WORK/slurm" && "$PY" -m snakemake --profile profiles/slurm --configfile config/tiny.yaml \
   --slurm-no-account --slurm-status-command squeue --slurm-init-seconds-before-status-checks 2 \
   --default-resources slurm_partition=debug --jobs 4 >"$WORK/slurm.log" 2>&1) \
  || { tail -80 "$WORK/slurm.log"; tail -30 "$WORK/slurmctld.log"; wait "$LOCAL" || true; exit 1; }
wait "$LOCAL" || { tail -50 "$WORK/local.log"; exit 1; }
grep -c "slurm" "$WORK/slurm.log" >/dev/null

# The tiny world's point K-densities (one job per year; config/tiny.yaml enables them) and its
# distance scenarios (one job per scenario) ran as SLURM jobs of their own.
for rule in kdensity_points_year scenario; do
  grep -q "slurm_logs/rule_$rule/" "$WORK/slurm.log" || { echo "rule $rule did not run through SLURM"; exit 1; }
done
# The Snakefile's localrules (light rules) ran on this node, not as SLURM jobs.
for rule in provenance fig_c1_concentration; do
  if grep -q "slurm_logs/rule_$rule/" "$WORK/slurm.log"; then echo "local rule $rule went to SLURM"; exit 1; fi
done
"$PY" tests/slurm/compare_runs.py "$WORK/local" "$WORK/slurm"
echo "SLURM test PASSED"
