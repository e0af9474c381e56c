#!/usr/bin/env node
// Learning curves and result tables from `azr train` run directories, for docs/RESULTS.md.
//
//   node scripts/plot-runs.mjs --out docs/results [--base base-eval.json] LABEL=DIR [LABEL=DIR ...]
//
// LABEL groups runs (e.g. default=runs/default-s1 default=runs/default-s2): curves are drawn
// per run, in the label's colour; tables give the mean and the spread over a label's runs.
// --base is the JSON that `azr eval --checkpoint base --json` printed: the point at t = 0 of
// every curve and the "base" row of every table. Writes LABEL-free SVGs (no library: plain
// SVG text is enough for line charts and keeps this script dependency-free) and prints the
// markdown tables on stdout.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TYPES = ['deduction', 'abduction', 'induction'];
// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#F0E442', '#000000'];

function usage(msg) {
  process.stderr.write(`${msg}\nusage: node scripts/plot-runs.mjs --out DIR [--base FILE] LABEL=DIR [LABEL=DIR ...]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let outDir = null;
let baseFile = null;
const runs = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a === '--out') outDir = args[++i];
  else if (a === '--base') baseFile = args[++i];
  else if (a.includes('=')) {
    const [label, dir] = [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)];
    runs.push({ label, dir });
  } else usage(`unexpected argument ${JSON.stringify(a)}`);
}
if (!outDir || runs.length === 0) usage('need --out and at least one LABEL=DIR');

function readLog(dir) {
  const file = join(dir, 'run.jsonl');
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    usage(`cannot read ${file}: ${e.message}`);
  }
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l, i) => {
      try {
        return JSON.parse(l);
      } catch {
        usage(`${file} line ${i + 1} is not JSON`);
      }
    });
}

function readEval(file) {
  const text = readFileSync(file, 'utf8').trim().split('\n').pop();
  return JSON.parse(text);
}

/** Mean accuracy over the three types (of a whole eval, or of one tier). */
function meanAcc(acc) {
  const xs = TYPES.map((t) => acc[t]).filter((x) => typeof x === 'number');
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
}

const base = baseFile ? readEval(baseFile) : null;
const labels = [...new Set(runs.map((r) => r.label))];
const colour = (label) => PALETTE[labels.indexOf(label) % PALETTE.length];
for (const r of runs) r.lines = readLog(r.dir);
// Runs made with --cpu-minutes log the CPU time of their steps: on a machine shared with other
// work that, not the wall clock, is the budget two runs can be compared at.
const useCpu = runs.every((r) => r.lines.every((l) => typeof l.cpuSeconds === 'number'));
const minutesOf = (l) => (useCpu ? l.cpuSeconds : l.t) / 60;
const X_LABEL = useCpu ? 'CPU minutes of training' : 'training minutes (wall clock)';
for (const r of runs) r.evals = r.lines.filter((l) => l.eval).map((l) => ({ step: l.step, minutes: minutesOf(l), examples: l.examples, eval: l.eval, inDistribution: l.inDistribution, heldOutNll: l.heldOutNll }));

// ---- SVG line chart -----------------------------------------------------------------------
function chart({ title, xLabel, yLabel, series, yMax = null, yPercent = false }) {
  const W = 640;
  const H = 360;
  const m = { l: 56, r: 190, t: 34, b: 44 };
  const pts = series.flatMap((s) => s.points);
  // Axis ends on a round tick (1, 2 or 5 × 10^k per quarter), so the labels read as numbers.
  const niceTop = (v) => {
    const raw = Math.max(v, 1e-9) / 4;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((k) => k >= raw);
    return step * 4;
  };
  const xMax = niceTop(Math.max(...pts.map((p) => p[0])));
  const yTop = yMax ?? niceTop(Math.max(...pts.map((p) => p[1])));
  const x = (v) => m.l + (v / xMax) * (W - m.l - m.r);
  const y = (v) => H - m.b - (v / yTop) * (H - m.t - m.b);
  const fmt = (v) => (yPercent ? `${Number((v * 100).toFixed(1))}%` : Number(v.toPrecision(3)).toString());
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`];
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${m.l}" y="20" font-size="14" font-weight="600">${esc(title)}</text>`);
  for (let k = 0; k <= 4; k++) {
    const v = (yTop * k) / 4;
    out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(v)}" y2="${y(v)}" stroke="#e3e6ea"/>`);
    out.push(`<text x="${m.l - 6}" y="${y(v) + 4}" text-anchor="end" fill="#555">${fmt(v)}</text>`);
    const xv = (xMax * k) / 4;
    out.push(`<text x="${x(xv)}" y="${H - m.b + 16}" text-anchor="middle" fill="#555">${Number(xv.toPrecision(3))}</text>`);
  }
  out.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="#888"/>`);
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 8}" text-anchor="middle">${esc(xLabel)}</text>`);
  out.push(`<text transform="translate(14 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  const legend = [];
  series.forEach((s) => {
    if (s.points.length === 0) return;
    const d = s.points.map((p, i) => `${i ? 'L' : 'M'}${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
    out.push(`<path d="${d}" fill="none" stroke="${s.colour}" stroke-width="2" ${s.dash ? `stroke-dasharray="${s.dash}"` : ''} opacity="0.9"/>`);
    for (const p of s.points) out.push(`<circle cx="${x(p[0]).toFixed(1)}" cy="${y(p[1]).toFixed(1)}" r="2.5" fill="${s.colour}"/>`);
    if (s.legend && !legend.some((l) => l.text === s.legend)) legend.push({ text: s.legend, colour: s.colour, dash: s.dash });
  });
  legend.forEach((l, i) => {
    const ly = m.t + 8 + i * 18;
    out.push(`<line x1="${W - m.r + 12}" x2="${W - m.r + 34}" y1="${ly}" y2="${ly}" stroke="${l.colour}" stroke-width="2" ${l.dash ? `stroke-dasharray="${l.dash}"` : ''}/>`);
    out.push(`<text x="${W - m.r + 40}" y="${ly + 4}">${esc(l.text)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

mkdirSync(outDir, { recursive: true });
const basePoint = (f) => (base ? [[0, f(base)]] : []);

// Tier-1 mean accuracy, and the mean over all tiers, against self-play minutes.
const evalSeries = (f, dash) =>
  runs.map((r) => ({ legend: r.label, colour: colour(r.label), dash, points: [...basePoint(f), ...r.evals.map((e) => [e.minutes, f(e.eval)])].filter((p) => p[1] !== null) }));
const tier1 = (ev) => (ev.byTier?.['1'] ? meanAcc(ev.byTier['1'].accuracy) : null);
writeFileSync(join(outDir, 'tier1-accuracy.svg'), chart({ title: 'Built-in benchmark, tier 1: mean accuracy over the three task types', xLabel: X_LABEL, yLabel: 'accuracy (greedy)', series: evalSeries(tier1), yPercent: true }));
const tier0 = (ev) => (ev.byTier?.['0'] ? meanAcc(ev.byTier['0'].accuracy) : null);
if (runs.some((r) => r.evals.some((e) => tier0(e.eval) !== null))) {
  writeFileSync(join(outDir, 'tier0-accuracy.svg'), chart({ title: 'Built-in benchmark, tier 0: mean accuracy over the three task types', xLabel: X_LABEL, yLabel: 'accuracy (greedy)', series: evalSeries(tier0), yPercent: true }));
}
for (const type of TYPES) {
  writeFileSync(
    join(outDir, `${type}-accuracy.svg`),
    chart({ title: `Built-in benchmark, all tiers: ${type}`, xLabel: X_LABEL, yLabel: 'accuracy (greedy)', series: evalSeries((ev) => ev.accuracy[type]), yPercent: true }),
  );
}

// Training dynamics from every step's report: the collapse the design notes warn of shows
// as distinct answers per task falling towards 1. Logs without self-play reports (the
// supervised yardstick, scripts/supervised-ceiling.ts) have no points here.
const stepSeries = (f) => runs.map((r) => ({ legend: r.label, colour: colour(r.label), points: r.lines.map((l) => [minutesOf(l), f(l)]).filter((p) => Number.isFinite(p[1])) }));
const smooth = (series, k = 5) =>
  series.map((s) => ({ ...s, points: s.points.map((p, i, a) => [p[0], a.slice(Math.max(0, i - k + 1), i + 1).reduce((acc, q) => acc + q[1], 0) / Math.min(k, i + 1)]) }));
writeFileSync(join(outDir, 'validity.svg'), chart({ title: 'Proposal validity (moving mean of 5 steps)', xLabel: X_LABEL, yLabel: 'valid / proposed', series: smooth(stepSeries((l) => l.proposals?.total ? l.proposals.valid / l.proposals.total : NaN)), yPercent: true }));
writeFileSync(
  join(outDir, 'solve-rate.svg'),
  chart({
    title: 'Solver batch solve rate, all types (moving mean of 5 steps)',
    xLabel: X_LABEL,
    yLabel: 'correct / samples',
    series: smooth(stepSeries((l) => {
      if (!l.solve) return NaN;
      const s = TYPES.map((t) => l.solve[t]).filter((x) => x.samples > 0);
      const n = s.reduce((a, x) => a + x.samples, 0);
      return n ? s.reduce((a, x) => a + x.solveRate * x.samples, 0) / n : NaN;
    })),
    yPercent: true,
  }),
);
writeFileSync(
  join(outDir, 'distinct-answers.svg'),
  chart({
    title: 'Distinct answers per solver task (entropy; moving mean of 5 steps)',
    xLabel: X_LABEL,
    yLabel: 'distinct answers of a group',
    series: smooth(stepSeries((l) => {
      if (!l.solve) return NaN;
      const s = TYPES.map((t) => l.solve[t]).filter((x) => x.tasks > 0);
      return s.length ? s.reduce((a, x) => a + x.distinctAnswers, 0) / s.length : NaN;
    })),
  }),
);

// The proposer's own level: the mean solve rate r̄ of its valid new tasks (learnability
// rollouts), weighted by tasks, per step — beside the benchmark, the gap is the transfer.
const ownLevel = (l) => {
  if (!l.learnability) return NaN;
  const xs = TYPES.map((t) => l.learnability[t]).filter((x) => x && x.tasks > 0);
  const n = xs.reduce((a, x) => a + x.tasks, 0);
  return n ? xs.reduce((a, x) => a + x.meanSolveRate * x.tasks, 0) / n : NaN;
};
writeFileSync(join(outDir, 'own-level-solve.svg'), chart({ title: "Proposer's own level: solve rate of its valid new tasks (moving mean of 10 steps)", xLabel: X_LABEL, yLabel: 'mean r̄', series: smooth(stepSeries(ownLevel), 10), yPercent: true }));

// The curriculum: each level's share of the valid new tasks, per label (its runs pooled into
// bins of 10 steps), one line per level.
const LEVELS = ['L0', 'L1', 'L2', 'L3'];
const LEVEL_COLOUR = { L0: '#56B4E9', L1: '#0072B2', L2: '#CC79A7', L3: '#000000' };
const levelCharts = [];
for (const label of labels) {
  const rs = runs.filter((r) => r.label === label && r.lines.some((l) => l.levels));
  if (rs.length === 0) continue;
  const bins = new Map();
  for (const r of rs) {
    for (const l of r.lines) {
      if (!l.levels) continue;
      const b = Math.floor((l.step - 1) / 10);
      const acc = bins.get(b) ?? { minutes: [], counts: { L0: 0, L1: 0, L2: 0, L3: 0 } };
      acc.minutes.push(minutesOf(l));
      for (const k of LEVELS) acc.counts[k] += l.levels[k]?.valid ?? 0;
      bins.set(b, acc);
    }
  }
  const ordered = [...bins.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
  // A run without a proposer (fixed-set) has no valid new tasks: no curriculum to draw.
  if (ordered.every((v) => LEVELS.every((k) => v.counts[k] === 0))) continue;
  const series = LEVELS.map((k) => ({
    legend: k,
    colour: LEVEL_COLOUR[k],
    points: ordered
      .map((v) => {
        const total = LEVELS.reduce((a, x) => a + v.counts[x], 0);
        return [v.minutes.reduce((a, m) => a + m, 0) / v.minutes.length, total ? v.counts[k] / total : NaN];
      })
      .filter((p) => Number.isFinite(p[1])),
  }));
  const name = `level-mix-${label.replace(/[^\w.-]+/g, '_')}.svg`;
  writeFileSync(join(outDir, name), chart({ title: `${label}: level mix of valid new tasks (${rs.length} run${rs.length > 1 ? 's' : ''} pooled, bins of 10 steps)`, xLabel: X_LABEL, yLabel: 'share of valid new tasks', series, yMax: 1, yPercent: true }));
  levelCharts.push(name);
}

// ---- Tables: final evaluation per label (mean ± half-range over its runs) -------------------
const pct = (x) => (x === null || x === undefined ? '–' : `${(100 * x).toFixed(1)}`);
/** Mean ± half-range of the numbers among `xs`, as percentages (default) or as they are. */
function cell(xs, { scale = 100, digits = 1 } = {}) {
  const v = xs.filter((x) => typeof x === 'number');
  if (v.length === 0) return '–';
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const fmt = (x) => (scale * x).toFixed(digits);
  if (v.length === 1) return fmt(m);
  return `${fmt(m)} ± ${fmt((Math.max(...v) - Math.min(...v)) / 2)}`;
}
/** "149", or "140–149" over several runs. */
const span = (xs, digits) => {
  const [lo, hi] = [Math.min(...xs).toFixed(digits), Math.max(...xs).toFixed(digits)];
  return lo === hi ? lo : `${lo}–${hi}`;
};
const finals = labels.map((label) => {
  const rs = runs.filter((r) => r.label === label);
  return { label, rs, last: rs.map((r) => r.evals.at(-1)).filter(Boolean) };
});
const tiers = [...new Set(runs.flatMap((r) => r.evals.flatMap((e) => Object.keys(e.eval.byTier ?? {}))))].sort();
const lines = [];
lines.push(`| run | seeds | steps | ${useCpu ? 'CPU min' : 'minutes'} | ` + TYPES.join(' | ') + " | mean | tier-1 mean | own level (last 20 steps' r̄) |");
lines.push('|---|---|---|---|' + TYPES.map(() => '---').join('|') + '|---|---|---|');
if (base) lines.push(`| base | – | 0 | 0 | ${TYPES.map((t) => pct(base.accuracy[t])).join(' | ')} | ${pct(meanAcc(base.accuracy))} | ${pct(tier1(base))} | – |`);
/** A run's own-level solve rate over its last 20 steps (valid tasks pooled), or null. */
const ownLast = (r) => {
  const xs = r.lines.slice(-20).map(ownLevel).filter(Number.isFinite);
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null;
};
for (const f of finals) {
  const steps = f.rs.map((r) => r.lines.at(-1)?.step ?? 0);
  const mins = f.rs.map((r) => (r.lines.at(-1) ? minutesOf(r.lines.at(-1)) : 0));
  lines.push(
    `| ${f.label} | ${f.rs.length} | ${span(steps, 0)} | ${span(mins, 1)} | ` +
      TYPES.map((t) => cell(f.last.map((e) => e.eval.accuracy[t]))).join(' | ') +
      ` | ${cell(f.last.map((e) => meanAcc(e.eval.accuracy)))} | ${cell(f.last.map((e) => tier1(e.eval)))} | ${cell(f.rs.map(ownLast))} |`,
  );
}
for (const type of TYPES) {
  lines.push('', `**${type}** (accuracy %, last evaluation, by tier)`, '', '| run | ' + tiers.map((t) => `tier ${t}`).join(' | ') + ' |', '|---|' + tiers.map(() => '---').join('|') + '|');
  if (base) lines.push(`| base | ${tiers.map((t) => pct(base.byTier[t]?.accuracy[type])).join(' | ')} |`);
  for (const f of finals) lines.push(`| ${f.label} | ${tiers.map((t) => cell(f.last.map((e) => e.eval.byTier[t]?.accuracy[type]))).join(' | ')} |`);
}
// The yardstick's own measures (scripts/supervised-ceiling.ts): accuracy on held-out programs
// of its training levels, and the held-out answer loss in nats per answer — which moves before
// answers come out right and compares tokenizers and model sizes.
const yardCharts = [];
if (runs.some((r) => r.evals.some((e) => e.heldOutNll || e.inDistribution))) {
  const natsCell = (xs) => cell(xs, { scale: 1, digits: 2 });
  lines.push('', '**in-distribution accuracy (%) and held-out answer loss (nats per answer), last evaluation**', '');
  lines.push('| run | examples | in-dist. ' + TYPES.join(' / ') + ' | in-dist. mean | nats/answer ' + TYPES.join(' / ') + ' | nats/answer, all |');
  lines.push('|---|---|---|---|---|---|');
  for (const f of finals) {
    const id = (t) => cell(f.last.map((e) => e.inDistribution?.accuracy?.[t]));
    lines.push(
      `| ${f.label} | ${span(f.last.map((e) => e.examples ?? 0), 0)} | ${TYPES.map(id).join(' / ')} | ${cell(f.last.map((e) => (e.inDistribution ? meanAcc(e.inDistribution.accuracy) : null)))} | ` +
        `${TYPES.map((t) => natsCell(f.last.map((e) => e.heldOutNll?.[t]))).join(' / ')} | ${natsCell(f.last.map((e) => e.heldOutNll?.all))} |`,
    );
  }
  const yardSeries = (f) => runs.map((r) => ({ legend: r.label, colour: colour(r.label), points: r.evals.map((e) => [e.minutes, f(e)]).filter((p) => Number.isFinite(p[1])) }));
  writeFileSync(join(outDir, 'heldout-nll.svg'), chart({ title: 'Held-out answer loss (nats per answer, all types)', xLabel: X_LABEL, yLabel: 'nats per answer', series: yardSeries((e) => e.heldOutNll?.all ?? NaN) }));
  writeFileSync(join(outDir, 'in-dist-accuracy.svg'), chart({ title: 'Held-out programs of the training levels: mean accuracy over the three types', xLabel: X_LABEL, yLabel: 'accuracy (greedy)', series: yardSeries((e) => (e.inDistribution ? meanAcc(e.inDistribution.accuracy) : NaN)), yPercent: true }));
  yardCharts.push('heldout-nll.svg', 'in-dist-accuracy.svg');
}
process.stdout.write(lines.join('\n') + '\n');
process.stderr.write(`wrote ${['tier0-accuracy', 'tier1-accuracy', ...TYPES.map((t) => `${t}-accuracy`), 'validity', 'solve-rate', 'distinct-answers', 'own-level-solve'].map((n) => n + '.svg').concat(levelCharts, yardCharts).join(', ')} to ${outDir}\n`);
