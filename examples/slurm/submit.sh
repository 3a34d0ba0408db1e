#!/bin/bash
# Submits a sharded leadsim run to Slurm: an array job of SHARDS tasks (simulate-array.sbatch),
# then the merge (merge.sbatch), which starts only once every task has succeeded
# (--dependency=afterok). Set the paths below (or the same names in the environment) and run:
#   ./submit.sh
# Extra arguments go to both sbatch calls, e.g. ./submit.sh --partition=long --account=mylab
set -euo pipefail

# ---- settings ----------------------------------------------------------------------------
LEADSIM=${LEADSIM:-$HOME/bin/leadsim}                   # the leadsim binary
SCENARIO=${SCENARIO:-$HOME/leadsim/handover.toml}      # the scenario file
OUT=${OUT:-$HOME/leadsim/results}                      # results folder (shared file system)
SHARDS=${SHARDS:-8}                                    # number of shards (array tasks)
SEED=${SEED:-42}                                       # one seed for every shard
REPLICATIONS=${REPLICATIONS:-}                         # empty: the file's replications
# -------------------------------------------------------------------------------------------

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[[ -x "$LEADSIM" ]] || { echo "error: LEADSIM=$LEADSIM is not an executable" >&2; exit 1; }
[[ -f "$SCENARIO" ]] || { echo "error: SCENARIO=$SCENARIO does not exist" >&2; exit 1; }
# Absolute paths: jobs may start in another directory.
LEADSIM=$(realpath "$LEADSIM")
SCENARIO=$(realpath "$SCENARIO")
OUT=$(realpath -m "$OUT")
if compgen -G "$OUT/shard-*" >/dev/null; then
    echo "error: $OUT already holds shards of an earlier run; choose another OUT or remove them" >&2
    exit 1
fi
mkdir -p "$OUT/logs"
export LEADSIM SCENARIO OUT SEED REPLICATIONS

array=$(sbatch --parsable --array="1-${SHARDS}" --export=ALL \
    --output="$OUT/logs/%x-%A_%a.out" "$@" "$here/simulate-array.sbatch")
array=${array%%;*}
merge=$(sbatch --parsable --dependency="afterok:${array}" --export=ALL \
    --output="$OUT/logs/%x-%j.out" "$@" "$here/merge.sbatch")
merge=${merge%%;*}
echo "submitted: ${SHARDS} shards as array job ${array}, merge as job ${merge}; results in $OUT/merged"
echo "array_job=${array} merge_job=${merge}"
