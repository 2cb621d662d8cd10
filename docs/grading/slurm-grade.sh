#!/bin/bash
# slurm-grade.sh — grade a class as a Slurm job array: task K of N grades
# shard K/N of the class; a second job merges the books once all succeed.
#
#   jobid=$(sbatch --parsable --array=1-8 docs/grading/slurm-grade.sh)
#   sbatch --dependency=afterok:$jobid --wrap \
#       "build/harness/dmm-grade merge -o grades/grades.csv grades/shard-*/grades.csv"
#
# Run from the dmm tree, on a filesystem every node shares. Settings, by
# environment (sbatch --export=ALL,GRADE_CONFIG=... passes them on):
#   GRADE_CONFIG  the configuration     (default docs/grading/sample.conf)
#   SUBMISSIONS   the class's folder    (default submissions)
#   GRADE_OUT     where the books go    (default grades)
#   DMM_GRADE     the dmm-grade to run  (default build/harness/dmm-grade)
# Each task uses the CPUs Slurm gives it (-j), and measures its own
# reference: a node's speed never enters another node's ratios.
#
# tests/tools/grade_class.py runs this script as Slurm would, with
# SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT set, then the merge.
#SBATCH --job-name=dmm-grade
#SBATCH --cpus-per-task=2
#SBATCH --time=01:00:00
#SBATCH --output=slurm-dmm-grade-%A_%a.out
set -euo pipefail
: "${SLURM_ARRAY_TASK_ID:?run as a job array: sbatch --array=1-N}"
: "${SLURM_ARRAY_TASK_COUNT:?run as a job array: sbatch --array=1-N}"
config=${GRADE_CONFIG:-docs/grading/sample.conf}
submissions=${SUBMISSIONS:-submissions}
out=${GRADE_OUT:-grades}
grade=${DMM_GRADE:-build/harness/dmm-grade}
k=$SLURM_ARRAY_TASK_ID
n=$SLURM_ARRAY_TASK_COUNT
exec "$grade" -q -j "${SLURM_CPUS_PER_TASK:-1}" -c "$config" -o "$out/shard-$k" \
    --shard "$k/$n" "$submissions"
