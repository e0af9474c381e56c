#!/usr/bin/env bash
# After run.sh: which tier-0/1 programs the L0+L1 generator writes (scripts/bench-overlap.ts),
# every run's final checkpoint on tier 1 split into those programs and the rest (greedy), the
# curves and tables (scripts/plot-runs.mjs), and the logs copied next to this script.
set -u
cd "$(dirname "$0")/../../../.."
D=docs/results/logs/round7
npx tsx scripts/bench-overlap.ts --levels 0,1 --out-dir runs/overlap > "$D/overlap.txt"
split_eval() { # checkpoint → "written unwritten" JSON lines
  for part in written unwritten; do
    node bin/azr.mjs eval --checkpoint "$1" --tasks runs/overlap/tier1-$part.jsonl --json 2>/dev/null | tail -n 1
  done
}
[ -s "$D/base-tier1-split.jsonl" ] || split_eval base > "$D/base-tier1-split.jsonl"
# The fifth round's 30-CPU-minute yardstick checkpoints (docs/results/logs/round5, commands there).
for r in S3-muon-s1 S3-muon-da-s1; do
  [ -d "runs/r5/$r/checkpoint" ] && { [ -s "$D/r5-$r-tier1-split.jsonl" ] || split_eval "runs/r5/$r/checkpoint" > "$D/r5-$r-tier1-split.jsonl"; }
done
for dir in runs/r7/*-s?; do
  name=$(basename "$dir"); mkdir -p "$D/$name"
  # From random weights the answers are not yet programs or values, and a worked answer is
  # judged by its last line, which `azr eval` does not do: no split for those.
  case "$name" in rand-*|worked-*) ;; *) [ -d "$dir/checkpoint" ] && { [ -s "$D/$name/tier1-split.jsonl" ] || split_eval "$dir/checkpoint" > "$D/$name/tier1-split.jsonl"; } ;; esac
  cp "$dir"/run.jsonl "$dir"/meta.json "$D/$name/" 2>/dev/null
  cp "runs/r7/$name.log" "$D/$name/train.log" 2>/dev/null
done
P="node scripts/plot-runs.mjs"
args() { for a in "$@"; do for d in runs/r7/$a-s?; do [ -f "$d/run.jsonl" ] && echo "$a=$d"; done; done; }
$P --out docs/results/round7/base-init $(args ref cos short wide worked) > "$D/base-init-table.md"
$P --out docs/results/round7/random-init $(args rand-char rand-js rand-small) > "$D/random-init-table.md"
node "$D/split-table.mjs" ref cos short wide > "$D/tier1-split-table.md"
