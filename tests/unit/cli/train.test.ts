// `azr train` as a user runs it: a child process over bin/azr.mjs, real QuickJS and tfjs.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseRunLog } from '../../../src/selfplay/runlog.ts';
import { parseTaskFile } from '../../../src/core/taskfile.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'azr-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

function start(args: string[]): { child: ChildProcess; done: Promise<Run>; stderr: () => string } {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/azr.mjs', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const done = new Promise<Run>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - t0 }));
  });
  return { child, done, stderr: () => stderr };
}

const azr = (...args: string[]) => start(args).done;

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Tasks that end the seeding phase of `smoke` (2 unique triplets), so the runs below train. */
const SEED_TASKS = file(
  'seed.jsonl',
  [
    { id: 'double', program: 'function f(x) { return x * 2; }', input: '3', output: '6' },
    { id: 'len', program: 'function f(s) { return s.length; }', input: '"abc"', output: '3' },
  ]
    .map((t) => JSON.stringify(t))
    .join('\n') + '\n',
);

function lastJson(stdout: string): Record<string, unknown> {
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

/** Run-log lines without the fields that measure time. */
function untimed(text: string): unknown[] {
  return parseRunLog(text).map(({ t: _t, wallMs: _w, time: _time, sampledTokensPerSec: _s, trainedTokensPerSec: _r, cpuSeconds: _c, ...rest }) => rest);
}

describe('azr train', () => {
  it('`train --preset smoke --out DIR` finishes within a minute and writes the run directory', async () => {
    const out = join(dir, 'smoke');
    const r = await azr('train', '--preset', 'smoke', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    expect(r.ms).toBeLessThan(60_000);
    expect(r.stderr).toMatch(/step 10\/10/);
    const lines = parseRunLog(readFileSync(join(out, 'run.jsonl'), 'utf8'));
    expect(lines.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(Object.keys(lines[0]).slice(0, 3)).toEqual(['step', 't', 'configHash']);
    expect(readdirSync(join(out, 'checkpoint')).sort()).toEqual(['config.json', 'optimizer.safetensors', 'weights.safetensors']);
    for (const type of ['deduction', 'abduction', 'induction']) expect(existsSync(join(out, 'buffers', `${type}.jsonl`))).toBe(true);
    // The buffer export is a task file the importer reads back; the identity triplet is in it.
    const ded = parseTaskFile(readFileSync(join(out, 'buffers', 'deduction.jsonl'), 'utf8'));
    expect(ded[0]).toMatchObject({ program: 'function f(a) { return a; }', type: 'deduction' });
  }, 90_000);

  it('refuses to overwrite another run or a non-empty directory, and leaves them as they were', async () => {
    const out = join(dir, 'kept');
    const first = await azr('train', '--preset', 'smoke', '--out', out, '--steps', '1');
    expect(first.code, first.stderr).toBe(0);
    const log = readFileSync(join(out, 'run.jsonl'), 'utf8');
    const mtime = statSync(join(out, 'checkpoint', 'weights.safetensors')).mtimeMs;

    const again = await azr('train', '--preset', 'smoke', '--out', out, '--steps', '1');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/RunDirError: --out .* holds another run .*--resume/);
    expect(readFileSync(join(out, 'run.jsonl'), 'utf8')).toBe(log);
    expect(statSync(join(out, 'checkpoint', 'weights.safetensors')).mtimeMs).toBe(mtime);

    const other = join(dir, 'other');
    mkdirSync(other);
    writeFileSync(join(other, 'notes.txt'), 'mine');
    const r = await azr('train', '--preset', 'smoke', '--out', other, '--steps', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/RunDirError: --out .* is not empty \(notes\.txt\)/);
    expect(readdirSync(other)).toEqual(['notes.txt']);
  }, 90_000);

  it('bad flags: exit 2 with a message naming the flag', async () => {
    const cases: [string[], RegExp][] = [
      [['--steps', '0'], /--steps must be an integer >= 1, got "0"/],
      [['--bogus'], /Unknown option '--bogus'/],
      [['--preset', 'nope'], /PresetError: unknown preset "nope"; valid presets: smoke/],
      [['--backend', 'tpu'], /--backend must be one of/],
      [['--resume', join(dir, 'x'), '--preset', 'smoke'], /--preset cannot be combined with --resume/],
      [['--resume', join(dir, 'x'), '--init', 'random'], /--init cannot be combined with --resume/],
      [['--eval-every', '2'], /--eval-every and --eval-tasks go together/],
      [['--resume', join(dir, 'missing')], /RunDirError: --resume .*missing: no such directory/],
    ];
    for (const [args, message] of cases) {
      const r = await azr('train', ...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
    }
  }, 120_000);

  it('bad config file and bad task files: exit 2 with a named error, nothing written', async () => {
    const notJson = file('bad.json', '{"batch": 2,');
    const badFields = file('fields.json', JSON.stringify({ batch: 0, lr: 'fast', colour: 'red' }));
    const badTasks = file('bad.jsonl', JSON.stringify({ id: 'a', program: 'function f(x) { return x; }', input: '1', output: '1' }) + '\n' + JSON.stringify({ id: 'b', input: '1', output: '1' }) + '\n');
    const cases: [string[], RegExp][] = [
      [['--config', notJson], /InputError: config file .*bad\.json: not valid JSON/],
      [['--config', badFields], /ConfigError: invalid config: .*batch must be >= 1.*lr must be a number.*colour is not a known field/],
      [['--config', join(dir, 'nowhere.json')], /InputError: cannot read config file/],
      [['--tasks', badTasks], /InputError: task file .*bad\.jsonl: TaskFileError: line 2: "program" is missing/],
      [['--eval-every', '1', '--eval-tasks', badTasks], /InputError: eval task file .*TaskFileError: line 2/],
    ];
    for (const [args, message] of cases) {
      const out = join(dir, `never-${cases.findIndex((c) => c[0] === args)}`);
      const r = await azr('train', '--preset', 'smoke', '--out', out, ...args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(existsSync(out)).toBe(false);
    }
  }, 120_000);

  it('--resume continues exactly: 3 steps, then resume to 5, equals 5 straight steps', async () => {
    const straight = join(dir, 'straight');
    const split = join(dir, 'split');
    const common = ['--preset', 'smoke', '--seed', '3', '--tasks', SEED_TASKS];
    const a = await azr('train', ...common, '--out', straight, '--steps', '5');
    expect(a.code, a.stderr).toBe(0);
    const b1 = await azr('train', ...common, '--out', split, '--steps', '3', '--save-every', '100');
    expect(b1.code, b1.stderr).toBe(0);
    const b2 = await azr('train', '--resume', split, '--steps', '5', '--json');
    expect(b2.code, b2.stderr).toBe(0);
    expect(b2.stderr).toMatch(/resuming run .*step 3 of 5/);
    // The run keeps where its weights started (the shipped base: smoke is the base's size).
    expect(lastJson(b2.stdout)).toMatchObject({ steps: 5, target: 5, interrupted: false, init: 'base' });
    const la = untimed(readFileSync(join(straight, 'run.jsonl'), 'utf8'));
    const lb = untimed(readFileSync(join(split, 'run.jsonl'), 'utf8'));
    expect(lb).toEqual(la);
    expect((la as { update: { updated: boolean } }[]).every((l) => l.update.updated)).toBe(true);
    // Same weights, byte for byte, and the same buffers.
    expect(readFileSync(join(split, 'checkpoint', 'weights.safetensors')).equals(readFileSync(join(straight, 'checkpoint', 'weights.safetensors')))).toBe(true);
    for (const type of ['deduction', 'abduction', 'induction']) {
      expect(readFileSync(join(split, 'buffers', `${type}.jsonl`), 'utf8')).toBe(readFileSync(join(straight, 'buffers', `${type}.jsonl`), 'utf8'));
    }
  }, 120_000);

  it('Ctrl-C saves at the end of the current step and exits; --resume picks up from there', async () => {
    const out = join(dir, 'interrupted');
    const run = start(['train', '--preset', 'smoke', '--tasks', SEED_TASKS, '--out', out, '--steps', '1000', '--save-every', '1000']);
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (/step 2\/1000/.test(run.stderr())) {
          clearInterval(timer);
          run.child.kill('SIGINT');
          resolve();
        }
      }, 50);
      run.done.then(() => {
        clearInterval(timer);
        reject(new Error(`exited before step 2: ${run.stderr()}`));
      }, reject);
    });
    const r = await run.done;
    expect(r.code, r.stderr).toBe(130);
    const saved = Number(/saved at step (\d+); continue with: azr train --resume/.exec(r.stderr)?.[1]);
    expect(saved).toBeGreaterThanOrEqual(2);
    expect(parseRunLog(readFileSync(join(out, 'run.jsonl'), 'utf8')).map((l) => l.step)).toEqual(Array.from({ length: saved }, (_, i) => i + 1));
    const resumed = await azr('train', '--resume', out, '--steps', String(saved + 1));
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(parseRunLog(readFileSync(join(out, 'run.jsonl'), 'utf8')).map((l) => l.step)).toEqual(Array.from({ length: saved + 1 }, (_, i) => i + 1));
  }, 120_000);
  it('--eval-every K --eval-tasks FILE: an evaluation in the run log every K steps', async () => {
    const out = join(dir, 'evaluated');
    const bench = file('bench.jsonl', [
      JSON.stringify({ id: 'add', program: 'function f(a, b) { return a + b; }', input: '1, 2', output: '3', tier: 1, examples: [{ input: '0, 0', output: '0' }] }),
      JSON.stringify({ id: 'neg', program: 'function f(x) { return -x; }', input: '2', output: '-2', tier: 2 }),
    ].join('\n') + '\n');
    const r = await azr('train', '--preset', 'smoke', '--tasks', SEED_TASKS, '--out', out, '--steps', '2', '--eval-every', '2', '--eval-tasks', bench, '--json');
    expect(r.code, r.stderr).toBe(0);
    const lines = parseRunLog(readFileSync(join(out, 'run.jsonl'), 'utf8'));
    expect(lines[0].eval).toBeUndefined();
    expect(lines[1].eval).toMatchObject({ n: { deduction: 2, abduction: 2, induction: 1 }, byTier: { '1': {}, '2': {} } });
    expect(lastJson(r.stdout).eval).toEqual(lines[1].eval);
    expect(r.stderr).toMatch(/eval deduction/);
  }, 90_000);

  it('with a KL penalty the reference is saved once and a resumed run trains exactly as a straight one', async () => {
    const kl = file('kl.json', JSON.stringify({ klCoef: 0.5 }));
    const common = ['--preset', 'smoke', '--config', kl, '--tasks', SEED_TASKS];
    const straight = join(dir, 'kl-straight');
    const split = join(dir, 'kl-split');
    const a = await azr('train', ...common, '--out', straight, '--steps', '3');
    expect(a.code, a.stderr).toBe(0);
    expect(readdirSync(join(straight, 'reference')).sort()).toEqual(['config.json', 'weights.safetensors']);
    expect((await azr('train', ...common, '--out', split, '--steps', '2')).code).toBe(0);
    const b = await azr('train', '--resume', split, '--steps', '3');
    expect(b.code, b.stderr).toBe(0);
    expect(untimed(readFileSync(join(split, 'run.jsonl'), 'utf8'))).toEqual(untimed(readFileSync(join(straight, 'run.jsonl'), 'utf8')));
    expect(readFileSync(join(split, 'checkpoint', 'weights.safetensors')).equals(readFileSync(join(straight, 'checkpoint', 'weights.safetensors')))).toBe(true);
  }, 120_000);

  it('--init starts from a checkpoint\'s weights; a directory that is not one is a named error', async () => {
    const base = join(dir, 'init-base');
    expect((await azr('train', '--preset', 'smoke', '--out', base, '--steps', '1')).code).toBe(0);
    const r = await azr('train', '--preset', 'smoke', '--init', join(base, 'checkpoint'), '--out', join(dir, 'init-run'), '--steps', '1');
    expect(r.code, r.stderr).toBe(0);
    const bad = await azr('train', '--preset', 'smoke', '--init', join(dir, 'nowhere'), '--out', join(dir, 'init-bad'), '--steps', '1');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/CheckpointError: no checkpoint at/);
    expect(existsSync(join(dir, 'init-bad'))).toBe(false);
  }, 90_000);

  it('without --init a run starts from the shipped base when the config names its size; --init random opts out', async () => {
    const baseWeights = readFileSync(join(ROOT, 'public/checkpoints/base/weights.safetensors'));
    // Step 1 of smoke without seed tasks is seeding (no update): the saved weights are the start's.
    const fromBase = join(dir, 'start-base');
    const a = await azr('train', '--preset', 'smoke', '--out', fromBase, '--steps', '1', '--json');
    expect(a.code, a.stderr).toBe(0);
    expect(lastJson(a.stdout)).toMatchObject({ steps: 1, init: 'base' });
    expect(a.stderr).toMatch(/starting run \w+ in .*: step 0 of 1, model tiny from the shipped base, batch 2/);
    expect(readFileSync(join(fromBase, 'checkpoint', 'weights.safetensors')).equals(baseWeights)).toBe(true);

    const fromRandom = join(dir, 'start-random');
    const b = await azr('train', '--preset', 'smoke', '--init', 'random', '--out', fromRandom, '--steps', '1', '--json');
    expect(b.code, b.stderr).toBe(0);
    expect(lastJson(b.stdout)).toMatchObject({ steps: 1, init: 'random' });
    expect(b.stderr).toMatch(/model tiny from random weights/);
    expect(readFileSync(join(fromRandom, 'checkpoint', 'weights.safetensors')).equals(baseWeights)).toBe(false);
  }, 90_000);

  it('a config of another size than the base: random weights without --init, saying why; --init base is a named error', async () => {
    const small = file('small-model.json', JSON.stringify({ modelSize: 'small' }));
    const out = join(dir, 'start-small');
    const r = await azr('train', '--preset', 'smoke', '--config', small, '--out', out, '--steps', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/no --init: preset smoke with --config .*small-model\.json runs a small model, the shipped base is tiny: starting from random weights/);
    expect(r.stderr).toMatch(/model small from random weights/);
    expect(lastJson(r.stdout)).toMatchObject({ init: 'random' });

    const bad = join(dir, 'start-small-base');
    const e = await azr('train', '--preset', 'smoke', '--config', small, '--init', 'base', '--out', bad, '--steps', '1');
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/CheckpointError: preset smoke with --config .*small-model\.json runs a small model, --init base is tiny: pass a config whose modelSize is tiny, or --init random/);
    expect(existsSync(bad)).toBe(false);
  }, 90_000);

  it("--preset fixed-set --init base: the paper's baseline trains on data/fixed-tasks.jsonl alone (the default without --tasks), from the shipped base", async () => {
    const out = join(dir, 'fixed-set');
    // The fixed-set preset at smoke sizes (the base is tiny; its context fits 1024 + 48 tokens).
    const small = file('fixed-small.json', JSON.stringify({ batch: 2, groupSize: 2, maxResponseTokens: 48 }));
    const r = await azr('train', '--preset', 'fixed-set', '--config', small, '--init', 'base', '--out', out, '--steps', '2', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/no --tasks: a run without a proposer trains on .*data\/fixed-tasks\.jsonl/);
    const lines = parseRunLog(readFileSync(join(out, 'run.jsonl'), 'utf8'));
    expect(lines.map((l) => l.step)).toEqual([1, 2]);
    for (const l of lines) {
      expect(l.seeding).toBe(false);
      expect(l.proposals.total).toBe(0);
      expect(l.update.updated).toBe(true);
      expect(l.solve.deduction.samples + l.solve.abduction.samples + l.solve.induction.samples).toBeGreaterThan(0);
    }
    // Nothing was proposed, so the buffers are the task file's (plus the identity triplet), unchanged.
    expect(lines[1].buffers).toEqual(lines[0].buffers);
    expect(lines[0].buffers.deduction).toBeGreaterThan(50);
    expect(lines[0].buffers.induction).toBeGreaterThan(0);
    // --init base is the shipped checkpoint, and the preset's model size (tiny) is the base's.
    const model = JSON.parse(readFileSync(join(out, 'checkpoint', 'config.json'), 'utf8')).model;
    expect(model).toMatchObject(JSON.parse(readFileSync(join(ROOT, 'public/checkpoints/base/config.json'), 'utf8')).model);
  }, 180_000);

  it('--minutes M / --cpu-minutes M stop once the run\'s own clock or its CPU time reaches M minutes, and say so', async () => {
    const out = join(dir, 'minutes');
    // 0.001 min = 60 ms: less than one smoke step, so exactly one step runs.
    const r = await azr('train', '--preset', 'smoke', '--minutes', '0.001', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(summary).toMatchObject({ steps: 1, timeUp: true, interrupted: false });
    expect(summary.elapsedSeconds).toBeGreaterThan(0.06);
    expect(r.stderr).toMatch(/time budget of 0\.001 min reached at step 1/);
    expect(parseRunLog(readFileSync(join(out, 'run.jsonl'), 'utf8')).map((l) => l.step)).toEqual([1]);
    // --cpu-minutes counts the process's CPU time inside the steps, logged on every line.
    const cpuOut = join(dir, 'cpu-minutes');
    const c = await azr('train', '--preset', 'smoke', '--cpu-minutes', '0.001', '--out', cpuOut, '--json');
    expect(c.code, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout.trim().split('\n').pop()!)).toMatchObject({ steps: 1, timeUp: true });
    expect(c.stderr).toMatch(/CPU budget of 0\.001 min reached at step 1/);
    const [line] = parseRunLog(readFileSync(join(cpuOut, 'run.jsonl'), 'utf8'));
    expect(line.cpuSeconds).toBeGreaterThan(0.06);
    // The budget is saved with the run: a resume with no limit of its own keeps it (spent,
    // so no step runs and it says what to do), and --steps replaces it.
    const again = await azr('train', '--resume', cpuOut, '--json');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/the run's CPU budget of 0\.001 min is already used \(step 1.*continue with a larger --cpu-minutes/);
    expect(lastJson(again.stdout)).toMatchObject({ steps: 1, timeUp: true });
    expect(parseRunLog(readFileSync(join(cpuOut, 'run.jsonl'), 'utf8')).map((l) => l.step)).toEqual([1]);
    const more = await azr('train', '--resume', cpuOut, '--steps', '2', '--json');
    expect(more.code, more.stderr).toBe(0);
    expect(lastJson(more.stdout)).toMatchObject({ steps: 2, target: 2, timeUp: false });
    const bad = await azr('train', '--preset', 'smoke', '--minutes', 'soon', '--out', join(dir, 'minutes-bad'));
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--minutes must be a number > 0, got "soon"/);
  }, 150_000);
});
