#!/usr/bin/env bash
# After run.sh and yardstick.sh: every run's final checkpoint on all four tiers (greedy), the
# curves and tables (scripts/plot-runs.mjs), and the logs copied next to this script.
set -u
cd "$(dirname "$0")/../../../.."
D=docs/results/logs/round6
for dir in runs/r6/sp-s? runs/r6/fs-s? runs/r6/vo-s? runs/r6/spg-s? runs/r6/spb-s?; do
  [ -d "$dir/checkpoint" ] || continue
  [ -s "$dir/final-eval.json" ] && continue
  node bin/azr.mjs eval --checkpoint "$dir/checkpoint" --tasks public/bench/azr-bench.jsonl --json 2>/dev/null | tail -n 1 > "$dir/final-eval.json"
done
for dir in runs/r6/sp-s? runs/r6/fs-s? runs/r6/vo-s? runs/r6/spg-s? runs/r6/spb-s? runs/r6/yard-s?; do
  [ -d "$dir" ] || continue
  name=$(basename "$dir"); mkdir -p "$D/$name"
  cp "$dir"/run.jsonl "$D/$name/" 2>/dev/null; cp "$dir"/meta.json "$dir"/final-eval.json "$D/$name/" 2>/dev/null
  cp "runs/r6/$name.log" "$D/$name/train.log" 2>/dev/null
done
