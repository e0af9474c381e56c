#!/usr/bin/env bash
# The self-play round: self-play, the validity-only proposer and the fixed-set baseline, three
# seeds each, 10 CPU-minutes from the shipped base, tiers 0+1 evaluated every 10 steps.
# Two runs at a time (tfjs wasm is single-threaded in Node: one core each).
set -u
cd "$(dirname "$0")/../../../.."
D=docs/results/logs/round6
grep -E '"tier":(0|1)[,}]' public/bench/azr-bench.jsonl > runs/tier01.jsonl
jobs=()
for seed in 1 2 3; do
  jobs+=("default $D/sp.json sp-s$seed $seed")
  jobs+=("fixed-set $D/fixed-set.json fs-s$seed $seed")
  jobs+=("default $D/validity-only.json vo-s$seed $seed")
done
printf '%s\n' "${jobs[@]}" | xargs -P 2 -L 1 bash -c 'node bin/azr.mjs train --preset $0 --config $1 --init base --seed $3 --cpu-minutes 10 --eval-every 10 --eval-tasks runs/tier01.jsonl --save-every 50 --out runs/r6/$2 > runs/r6/$2.log 2>&1'
