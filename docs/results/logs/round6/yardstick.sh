#!/usr/bin/env bash
# The supervised yardstick beside the self-play round: the same 10 CPU-minutes from the shipped
# base, L0+L1 executed examples, Muon 2e-3 (the fifth round's best recipe), seeds 2 and 3
# (seed 1 is docs/results/logs/round5/S3-muon-s1 at its 10-minute evaluation).
set -u
cd "$(dirname "$0")/../../../.."
grep -E '"tier":(0|1)[,}]' public/bench/azr-bench.jsonl > runs/tier01.jsonl
[ -f runs/r5/id-L01.jsonl ] || npx tsx scripts/supervised-ceiling.ts --make-tasks runs/r5/id-L01.jsonl --levels 0,1 --n 90
for seed in 2 3; do
  npx tsx scripts/supervised-ceiling.ts --eval-tasks runs/tier01.jsonl --levels 0,1 --id-tasks runs/r5/id-L01.jsonl \
    --cpu-minutes 10 --eval-every 5 --lr 2e-3 --warmup 20 --optimizer muon --seed $seed --out runs/r6/yard-s$seed > runs/r6/yard-s$seed.log 2>&1 &
done
wait
