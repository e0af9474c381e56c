import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { modelConfig, type ModelConfig } from '../../../src/model/config.ts';
import { CharTokenizer, JsTokenizer, tokenizerFromJSON } from '../../../src/model/tokenizer.ts';
import { Transformer } from '../../../src/model/transformer.ts';
import { Trainer } from '../../../src/model/train.ts';
import {
  bundleCheckpoint, captureCheckpoint, CheckpointError, crc32, modelFromCheckpoint, parseCheckpoint, restoreCheckpoint,
  unbundleCheckpoint, validateCheckpoint, type CheckpointFiles,
} from '../../../src/model/checkpoint.ts';
import { loadCheckpointDir, loadCheckpointPath, saveCheckpointBundle, saveCheckpointDir } from '../../../src/model/checkpoint-node.ts';
import { encodeSafetensors, decodeSafetensors } from '../../../src/model/safetensors.ts';

const tokenizer = new CharTokenizer(['<pad>', '<bos>', '<eos>']);
const cfg: ModelConfig = modelConfig('tiny', tokenizer.vocabSize, { contextLength: 24, nLayer: 2 });
let dir: string;
let a: Transformer;
let b: Transformer;
let filesA: CheckpointFiles;
let filesOther: CheckpointFiles;

/** Raw bytes of every variable: the bit-level identity checkpoints promise. */
async function rawBytes(m: Transformer): Promise<Map<string, Buffer>> {
  const out = new Map<string, Buffer>();
  for (const [name, v] of m.namedVariables()) {
    const d = (await v.data()) as Float32Array;
    out.set(name, Buffer.from(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength)));
  }
  return out;
}

function sameBytes(x: Map<string, Buffer>, y: Map<string, Buffer>): boolean {
  return x.size === y.size && [...x].every(([k, v]) => y.get(k)?.equals(v));
}

/** The same files with new weights bytes and config.json's digest updated to match: a
 *  consistently written but wrong checkpoint, so the deeper checks are what must fire. */
function withWeights(files: CheckpointFiles, weights: Uint8Array): CheckpointFiles {
  const config = JSON.parse(files.config);
  config.files['weights.safetensors'] = { bytes: weights.length, crc32: crc32(weights) };
  return { ...files, config: JSON.stringify(config), weights };
}

function withConfig(files: CheckpointFiles, edit: (c: any) => void): CheckpointFiles {
  const config = JSON.parse(files.config);
  edit(config);
  return { ...files, config: JSON.stringify(config) };
}

/** Rewrite one header entry of a safetensors file (the data section is kept). */
function editHeader(bytes: Uint8Array, edit: (h: any) => void): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'));
  edit(header);
  const json = Buffer.from(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + bytes.length - 8 - n);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(bytes.subarray(8 + n), 8 + json.length);
  return out;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'azr-ckpt-'));
  a = new Transformer(cfg, 1);
  b = new Transformer(cfg, 2);
  filesA = await captureCheckpoint({ model: a.config, tokenizer, variables: a.namedVariables(), meta: { step: 7 } });
  filesOther = await captureCheckpoint({ model: b.config, tokenizer, variables: b.namedVariables() });
});

afterAll(() => {
  a?.dispose();
  b?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('checkpoint round trip', () => {
  test('save to a directory, load into another model: bit-identical weights', async () => {
    const bytesA = await rawBytes(a);
    expect(sameBytes(bytesA, await rawBytes(b))).toBe(false); // different seeds: the test can fail
    const path = await saveCheckpointDir(join(dir, 'rt'), filesA);
    expect(readdirSync(path).sort()).toEqual(['config.json', 'weights.safetensors']);
    const { files } = await loadCheckpointDir(path);
    const parsed = restoreCheckpoint(files, { model: b.config, variables: b.namedVariables(), tokenizer });
    expect(parsed.config.meta).toEqual({ step: 7 });
    expect(sameBytes(bytesA, await rawBytes(b))).toBe(true);
  });

  test('config.json describes the model, tokenizer and files; the weights follow the safetensors layout', () => {
    const c = JSON.parse(filesA.config);
    expect(c).toMatchObject({ format: 'azr-checkpoint', version: 1, model: cfg, tokenizer: tokenizer.toJSON() });
    expect(c.files['weights.safetensors']).toEqual({ bytes: filesA.weights.length, crc32: crc32(filesA.weights) });
    // Independent reading of the header: names and shapes are the model's variables.
    const w = filesA.weights;
    const n = Number(new DataView(w.buffer, w.byteOffset).getBigUint64(0, true));
    const header = JSON.parse(Buffer.from(w.subarray(8, 8 + n)).toString('utf8'));
    const { __metadata__, ...tensors } = header;
    expect(__metadata__).toEqual({ format: 'azr-checkpoint' });
    const vars = a.namedVariables();
    expect(Object.keys(tensors).sort()).toEqual([...vars.keys()].sort());
    for (const [name, v] of vars) expect(tensors[name]).toMatchObject({ dtype: 'F32', shape: v.shape });
  });

  test('modelFromCheckpoint rebuilds a model that computes the same logits', async () => {
    const { model, tokenizer: tok } = modelFromCheckpoint(filesA);
    try {
      expect(tok.toJSON()).toEqual(tokenizer.toJSON());
      const ids = tf.tensor2d([tokenizer.encode('<bos>f(1)=2;')], undefined, 'int32');
      const la = a.logits(ids);
      const lm = model.logits(ids);
      expect(Buffer.from(((await la.data()) as Float32Array).buffer).equals(Buffer.from(((await lm.data()) as Float32Array).buffer))).toBe(true);
      tf.dispose([ids, la, lm]);
    } finally {
      model.dispose();
    }
  });

  test('a js tokenizer round-trips: capture → parse → modelFromCheckpoint gives a JsTokenizer with the same specials', async () => {
    const js = new JsTokenizer(['<pad>', '<bos>', '<eos>']);
    const m = new Transformer(modelConfig('tiny', js.vocabSize, { contextLength: 24, nLayer: 2 }), 5);
    try {
      const files = await captureCheckpoint({ model: m.config, tokenizer: js, variables: m.namedVariables() });
      const parsed = parseCheckpoint(files);
      expect(parsed.config.tokenizer).toEqual({ kind: 'js', version: 1, specials: ['<pad>', '<bos>', '<eos>'] });
      const back = tokenizerFromJSON(parsed.config.tokenizer);
      expect(back).toBeInstanceOf(JsTokenizer);
      expect(back.specials).toEqual(js.specials);
      const built = modelFromCheckpoint(files);
      try {
        expect(built.tokenizer).toBeInstanceOf(JsTokenizer);
        expect(built.tokenizer.encode('<bos>const f = (x) => x;')).toEqual(js.encode('<bos>const f = (x) => x;'));
      } finally {
        built.model.dispose();
      }
      restoreCheckpoint(files, { model: m.config, variables: m.namedVariables(), tokenizer: js });
      // Same specials, other piece table: the ids past the alphabet would mean something else.
      expect(() => restoreCheckpoint(files, { model: m.config, variables: m.namedVariables(), tokenizer: new CharTokenizer(['<pad>', '<bos>', '<eos>']) })).toThrow(/tokenizer mismatch: the checkpoint's tokenizer is js v1, the model's char v1/);
      // A char checkpoint still reads as one.
      expect(tokenizerFromJSON(parseCheckpoint(filesA).config.tokenizer)).toBeInstanceOf(CharTokenizer);
    } finally {
      m.dispose();
    }
  });

  test('optimizer state round-trips: resuming gives the same next step as never stopping', async () => {
    const batch = { sequences: ['<bos>f(1)=2;', '<bos>g(x)=x*3;'].map((t) => tokenizer.encode(t)) };
    const src = new Transformer(cfg, 11);
    const dst = new Transformer(cfg, 12);
    const tSrc = new Trainer(src, { lr: 1e-2 });
    const tDst = new Trainer(dst, { lr: 1e-2 });
    try {
      await tSrc.ceStep(batch);
      await tSrc.ceStep(batch);
      const files = await captureCheckpoint({ model: src.config, tokenizer, variables: src.namedVariables(), optimizer: tSrc.optimizerState() });
      const path = await saveCheckpointDir(join(dir, 'opt'), files);
      expect(readdirSync(path).sort()).toEqual(['config.json', 'optimizer.safetensors', 'weights.safetensors']);
      const r = restoreCheckpoint((await loadCheckpointDir(path)).files, { model: dst.config, variables: dst.namedVariables(), trainer: tDst });
      expect(r.optimizerRestored).toBe(true);
      expect(r.optimizer!.meta).toEqual({ kind: 'adamw', step: '2' });
      expect(tDst.optimizerState().step).toBe(2);
      const moments = async (t: Trainer) => {
        const out = new Map<string, Buffer>();
        for (const [k, v] of t.optimizerState().tensors) out.set(k, Buffer.from(((await v.data()) as Float32Array).buffer.slice(0)));
        return out;
      };
      expect(sameBytes(await moments(tSrc), await moments(tDst))).toBe(true);
      // The third step from the restored state equals the third step of the original run.
      await tSrc.ceStep(batch);
      await tDst.ceStep(batch);
      expect(sameBytes(await rawBytes(src), await rawBytes(dst))).toBe(true);
    } finally {
      tSrc.dispose();
      tDst.dispose();
      src.dispose();
      dst.dispose();
    }
  });

  test('optimizer state that does not fit is refused before weights or moments change', async () => {
    const src = new Transformer(cfg, 13);
    const dst = new Transformer(cfg, 14);
    const tDst = new Trainer(dst);
    const tSrc = new Trainer(src);
    try {
      const state = { step: 3, tensors: new Map([...tSrc.optimizerState().tensors].filter(([k]) => k !== 'v.lnf.g')) };
      const files = await captureCheckpoint({ model: src.config, tokenizer, variables: src.namedVariables(), optimizer: state });
      const before = await rawBytes(dst);
      expect(() => restoreCheckpoint(files, { model: dst.config, variables: dst.namedVariables(), trainer: tDst })).toThrow(/optimizer\.safetensors: missing tensor "v\.lnf\.g"/);
      expect(sameBytes(before, await rawBytes(dst))).toBe(true);
      expect(tDst.optimizerState().step).toBe(0);
    } finally {
      tDst.dispose();
      tSrc.dispose();
      src.dispose();
      dst.dispose();
    }
  });
});

describe('a bad checkpoint is refused before any weight changes', () => {
  // A model whose weights differ from the checkpoint's, so a partial write would show.
  let c: Transformer;
  beforeAll(async () => {
    c = new Transformer(cfg, 3);
    expect(sameBytes(await rawBytes(c), await rawBytes(a))).toBe(false);
  });
  afterAll(() => c.dispose());
  const good = () => filesA;
  const wte = () => a.namedVariables().get('wte')!;
  const cases: [string, () => CheckpointFiles, RegExp, ModelConfig?][] = [
    ['truncated weights', () => ({ ...good(), weights: good().weights.subarray(0, good().weights.length - 100) }), /weights\.safetensors: .*recorded .*\(truncated\)/],
    ['a weights file from another checkpoint', () => ({ ...good(), weights: filesOther.weights }), /checksum .* does not match .*belongs to another checkpoint/],
    ['a flipped bit', () => { const w = good().weights.slice(); w[w.length - 5] ^= 0x10; return { ...good(), weights: w }; }, /checksum .* does not match/],
    ['weights cut consistently (digest rewritten)', () => withWeights(good(), good().weights.subarray(0, good().weights.length - 4)), /weights\.safetensors: truncated: tensors need/],
    ['bad header', () => { const w = good().weights.slice(); w.fill(0x5b, 8, 16); return withWeights(good(), w); }, /weights\.safetensors: bad header: not UTF-8 JSON/],
    ['wrong dtype', () => withWeights(good(), editHeader(good().weights, (h) => { h['lnf.b'].dtype = 'I32'; })), /tensor "lnf\.b" has dtype I32; checkpoints hold F32 only/],
    ['missing tensor', () => withWeights(good(), encodeSafetensors(decodeSafetensors(good().weights).tensors.filter((t) => t.name !== 'h.1.mlp.bfc'))), /missing tensor "h\.1\.mlp\.bfc"/],
    ['extra tensor', () => withWeights(good(), encodeSafetensors([...decodeSafetensors(good().weights).tensors, { name: 'h.9.x', shape: [1], data: new Float32Array(1) }])), /unexpected tensor "h\.9\.x"/],
    ['wrong shape', () => withWeights(good(), editHeader(good().weights, (h) => { h.wte.shape = [...wte().shape].reverse(); })), /tensor "wte" has shape \[80,\d+\] but the model needs \[\d+,80\]/],
    ['config mismatch', () => withConfig(good(), (c) => { c.model.contextLength = 32; }), /config mismatch: contextLength is 32 in the checkpoint but 24 in the model/],
    ['invalid model config', () => withConfig(good(), (c) => { c.model.nHead = 7; }), /config\.json: .*dModel \(80\) must be divisible by nHead \(7\)/],
    ['tokenizer/vocab disagreement', () => withConfig(good(), (c) => { c.tokenizer.specials.push('<sep>'); }), /tokenizer has \d+ ids but the model config says vocabSize/],
    ['config.json not JSON', () => ({ ...good(), config: '{"format": ' }), /config\.json: not valid JSON/],
    ['not our format', () => withConfig(good(), (c) => { c.format = 'something-else'; }), /format is "something-else", expected "azr-checkpoint"/],
    ['future version', () => withConfig(good(), (c) => { c.version = 2; }), /format version 2 is not supported/],
    ['optimizer listed but absent', () => withConfig(good(), (c) => { c.files['optimizer.safetensors'] = { bytes: 8, crc32: '00000000' }; }), /optimizer\.safetensors is listed in config\.json but missing/],
  ];

  // What the page checks without tfjs (no tensor decoded): every problem a file can have on
  // its own, as opposed to not fitting a given model.
  const fileLevel = cases.filter(([label]) => !['missing tensor', 'extra tensor', 'wrong shape', 'config mismatch'].includes(label));
  test.each(fileLevel)('validateCheckpoint (no tensor decoded) names it too: %s', (_label, make, message) => {
    expect(() => validateCheckpoint(make())).toThrow(CheckpointError);
    expect(() => validateCheckpoint(make())).toThrow(message);
  });

  test('validateCheckpoint passes a good checkpoint and gives the config parseCheckpoint gives', () => {
    expect(validateCheckpoint(good())).toEqual(parseCheckpoint(good()).config);
  });

  test.each(cases)('%s', async (_label, make, message) => {
    const before = await rawBytes(c);
    const files = make();
    let err: unknown;
    try {
      restoreCheckpoint(files, { model: c.config, variables: c.namedVariables() });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CheckpointError);
    expect((err as Error).message).toMatch(message);
    expect(sameBytes(before, await rawBytes(c))).toBe(true);
  });

  test('a model of another size is refused with every differing field named', async () => {
    const other = new Transformer(modelConfig('tiny', tokenizer.vocabSize, { contextLength: 24, nLayer: 3 }), 3);
    try {
      const before = await rawBytes(other);
      expect(() => restoreCheckpoint(filesA, { model: other.config, variables: other.namedVariables() })).toThrow(/config mismatch: nLayer is 2 in the checkpoint but 3 in the model/);
      expect(sameBytes(before, await rawBytes(other))).toBe(true);
    } finally {
      other.dispose();
    }
  });

  test('a tokenizer with other specials is refused', async () => {
    const tok = new CharTokenizer(['<pad>', '<eos>', '<bos>']);
    const before = await rawBytes(c);
    expect(() => restoreCheckpoint(filesA, { model: c.config, variables: c.namedVariables(), tokenizer: tok })).toThrow(/tokenizer mismatch/);
    expect(sameBytes(before, await rawBytes(c))).toBe(true);
  });

  test('a directory without weights, or no directory at all, is a named error', async () => {
    const p = join(dir, 'half');
    mkdirSync(p);
    writeFileSync(join(p, 'config.json'), filesA.config);
    await expect(loadCheckpointDir(p)).rejects.toThrow(/weights\.safetensors is missing/);
    await expect(loadCheckpointDir(join(dir, 'nothing-here'))).rejects.toThrow(/no checkpoint at/);
  });
});

describe('atomic saves', () => {
  let filesB: CheckpointFiles;
  beforeAll(async () => {
    filesB = await captureCheckpoint({ model: b.config, tokenizer, variables: b.namedVariables(), meta: { step: 8 } });
  });

  test.each(['written', 'moved-aside'] as const)('a save interrupted after "%s" leaves the previous checkpoint loadable', async (stage) => {
    const path = join(dir, `atomic-${stage}`);
    await saveCheckpointDir(path, filesA);
    await expect(saveCheckpointDir(path, filesB, {
      afterStage: (s) => {
        if (s === stage) throw new Error('simulated crash');
      },
    })).rejects.toThrow('simulated crash');
    const loaded = await loadCheckpointDir(path);
    expect(loaded.path).toBe(stage === 'moved-aside' ? `${path}.previous` : path);
    expect(Buffer.from(loaded.files.weights).equals(Buffer.from(filesA.weights))).toBe(true);
    expect(loaded.files.config).toBe(filesA.config);
    // The next save completes and cleans up.
    await saveCheckpointDir(path, filesB);
    const after = await loadCheckpointDir(path);
    expect(after.path).toBe(path);
    expect(Buffer.from(after.files.weights).equals(Buffer.from(filesB.weights))).toBe(true);
    expect(existsSync(`${path}.previous`)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith(`atomic-${stage}.partial`))).toEqual([]);
  });
});

describe('single-file bundle (ustar)', () => {
  test('bundle → unbundle gives the same files', () => {
    const bundle = bundleCheckpoint(filesA, 1_700_000_000);
    expect(bundle.length % 512).toBe(0);
    const back = unbundleCheckpoint(bundle);
    expect(back.config).toBe(filesA.config);
    expect(Buffer.from(back.weights).equals(Buffer.from(filesA.weights))).toBe(true);
    expect(back.optimizer).toBeUndefined();
  });

  test('the system tar reads the bundle, and re-tarred files load again', async (ctx) => {
    if (spawnSync('tar', ['--version']).status !== 0) ctx.skip(); // no tar here: the round trip above still runs
    const file = await saveCheckpointBundle(join(dir, 'dl', 'model.ckpt.tar'), filesA);
    const list = spawnSync('tar', ['-tf', file], { encoding: 'utf8' });
    expect(list.status, list.stderr).toBe(0);
    expect(list.stdout.trim().split('\n')).toEqual(['config.json', 'weights.safetensors']);
    const out = join(dir, 'untarred');
    mkdirSync(out);
    expect(spawnSync('tar', ['-xf', file, '-C', out]).status).toBe(0);
    expect(readFileSync(join(out, 'weights.safetensors')).equals(Buffer.from(filesA.weights))).toBe(true);
    // The other way: a folder packed by tar loads as a bundle.
    const repacked = join(dir, 'repacked.tar');
    expect(spawnSync('tar', ['--format=ustar', '-cf', repacked, '-C', dir, 'untarred']).status).toBe(0);
    const { files } = await loadCheckpointPath(repacked);
    expect(parseCheckpoint(files).config.meta).toEqual({ step: 7 });
  });

  test('damaged bundles are named errors', () => {
    const bundle = bundleCheckpoint(filesA);
    expect(() => unbundleCheckpoint(bundle.subarray(0, 1000))).toThrow(/bundle: truncated/);
    const bad = bundle.slice();
    bad[3] ^= 1;
    expect(() => unbundleCheckpoint(bad)).toThrow(/checksum mismatch/);
    expect(() => unbundleCheckpoint(new Uint8Array(1024).fill(7))).toThrow(/not a tar archive/);
    expect(() => unbundleCheckpoint(new Uint8Array(1024))).toThrow(/config\.json is missing/);
  });
});
