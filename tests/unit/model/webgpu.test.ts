// The model on WebGPU (Dawn in Node; SwiftShader where there is no GPU) against the cpu
// backend: forward, gradients of both losses, optimizer steps and sampling. Catches a
// kernel that WebGPU lacks or miscompiles (e.g. tf.addN with many inputs exceeds the
// storage-buffer limit and silently yields garbage). Correctness only: SwiftShader is
// a CPU emulation, never a speed reference.
import { describe, expect, test } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { BackendError } from '../../../src/model/backend.ts';
import { initBackend } from '../../../src/model/backend-node.ts';
import { modelConfig } from '../../../src/model/config.ts';
import { CharTokenizer } from '../../../src/model/tokenizer.ts';
import { Transformer } from '../../../src/model/transformer.ts';
import { generate } from '../../../src/model/sampler.ts';
import { ceLoss, packCe, packPg, pgLoss, Trainer } from '../../../src/model/train.ts';

const tok = new CharTokenizer(['<pad>', '<bos>', '<eos>']);
const SEQS = [tok.encode('<bos>f(1)=2<eos>'), tok.encode('<bos>ab<eos>'), tok.encode('<bos>x=>x*3<eos>')];
const PL = [3, 1, 2];
const pgBatch = () => ({
  sequences: SEQS,
  promptLengths: PL,
  advantages: [1, -1, 0.5],
  oldLogprobs: SEQS.map((s, b) => new Array(s.length - PL[b]).fill(-4)),
  refLogprobs: SEQS.map((s, b) => new Array(s.length - PL[b]).fill(-3)),
});

interface Run {
  values: Map<string, Float32Array>;
  tokens: Map<string, number[][]>;
  leaked: number;
}

async function runAll(): Promise<Run> {
  const values = new Map<string, Float32Array>();
  const tokens = new Map<string, number[][]>();
  let leaked = 0;
  for (const positions of ['learned', 'rotary'] as const) {
    const m = new Transformer(
      modelConfig('tiny', tok.vocabSize, { nLayer: 2, nHead: 2, dModel: 16, dMlp: 32, contextLength: 32, initStd: 0.3, positions }),
      1,
    );
    const ce = packCe(m, { sequences: SEQS });
    const pg = packPg(m, pgBatch(), undefined, true);
    const losses = {
      ce: () => ceLoss(m, ce, 20),
      pg: () => {
        const q = pgLoss(m, pg, 20, 0.2, 0.1, 0.3);
        tf.dispose([q.clipped, q.entropy, q.kl, q.refKl]);
        return q.loss;
      },
    };
    for (const [kind, f] of Object.entries(losses)) {
      const { value, grads } = tf.variableGrads(f, [...m.namedVariables().values()]);
      values.set(`${positions}:${kind}:loss`, (await value.data()) as Float32Array);
      for (const [name, v] of m.namedVariables()) values.set(`${positions}:${kind}:grad:${name}`, (await grads[v.name].data()) as Float32Array);
      tf.dispose([value, ...Object.values(grads)]);
    }
    const prompts = [tok.encode('<bos>q'), tok.encode('<bos>'), tok.encode('<bos>abc')];
    for (const useCache of [true, false]) {
      const s = await generate(m, tok, prompts, { maxTokens: 8, temperature: 0, topP: 1, stopTokens: [], seed: 1, useCache });
      tokens.set(`${positions}:greedy:${useCache}`, s.map((x) => x.tokens));
      values.set(`${positions}:logprobs:${useCache}`, new Float32Array(s.flatMap((x) => x.logprobs)));
    }
    const t = new Trainer(m, { lr: 1e-3, klCoef: 0.3, entropyCoef: 0.1 });
    const stats: number[] = [];
    const s1 = await t.ceStep({ sequences: SEQS });
    stats.push(s1.loss, s1.gradNorm);
    const count = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) {
      const s = await t.pgStep(pgBatch());
      stats.push(s.loss, s.gradNorm, s.entropy, s.refKl);
    }
    leaked += tf.memory().numTensors - count;
    values.set(`${positions}:steps`, new Float32Array(stats));
    t.dispose();
    m.dispose();
  }
  return { values, tokens, leaked };
}

describe('the model on webgpu (Dawn in Node) matches cpu', () => {
  test('forward, CE and PPO(+KL) gradients, AdamW steps, greedy sampling with and without cache', async (ctx) => {
    await initBackend('cpu');
    const cpu = await runAll();
    try {
      await initBackend('webgpu');
    } catch (e) {
      if (e instanceof BackendError && /no adapter/.test(e.message)) ctx.skip(`Dawn found no WebGPU adapter here: ${e.message}`);
      throw e;
    }
    let gpu: Run;
    try {
      gpu = await runAll();
    } finally {
      await initBackend('cpu');
    }
    expect(gpu.leaked).toBe(0);
    expect(cpu.leaked).toBe(0);
    for (const [k, t] of cpu.tokens) expect(gpu.tokens.get(k), k).toEqual(t);
    // float32 on both, different kernels and summation order: values of order 1–10
    // agree to a few 1e-6 (relative 1e-5 below is ~100× that, and far below the error
    // of any wrong or missing kernel).
    for (const [k, c] of cpu.values) {
      const g = gpu.values.get(k)!;
      expect(g.length, k).toBe(c.length);
      for (let i = 0; i < c.length; i++) expect(Math.abs(g[i] - c[i]), `${k}[${i}]`).toBeLessThan(1e-4 + 1e-5 * Math.abs(c[i]));
    }
  });
});
