// The narrow interface the self-play loop sees: prompts in (text, special tokens
// written as their names, see src/core/tasks.ts), rollouts out; rollouts plus one
// advantage each in, training statistics out. Token ids, tensors, caches, the
// optimizer and the reference policy for the KL penalty stay behind it.
import { type PgBatch, type PgStats, type TrainerOptions, Trainer, responseLogprobs, TrainError } from './train.ts';
import { generate } from './sampler.ts';
import type { Tokenizer } from './tokenizer.ts';
import type { Transformer } from './transformer.ts';
import { Rng } from '../core/rng.ts';

export interface GenerateOptions {
  maxTokens: number;
  /** 0 = greedy. */
  temperature: number;
  topP: number;
  seed: number;
  /** Special tokens (by name) that end a response; default ['<eos>'] when the tokenizer has it. */
  stop?: string[];
  /** Additive logit mask per step, row-major [seqs.length × V] (see
   *  SampleOptions.logitMask). Prompts are sampled in batches, so `rows[k]` tells which
   *  prompt (index into `prompts`) the response so far `seqs[k]` belongs to. */
  logitMask?: (step: number, seqs: number[][], rows: number[]) => Float32Array | null;
  useCache?: boolean;
}

export interface Rollout {
  /** The prompt's token ids. */
  prompt: number[];
  /** Response token ids (the stop token included when `stopped`). */
  tokens: number[];
  /** Untempered, unmasked model log-prob per response token (what PPO's ratio needs). */
  logprobs: number[];
  /** Response text, special tokens written as their names, without the final stop token. */
  text: string;
  stopped: boolean;
}

export interface PolicyBatch {
  rollouts: Rollout[];
  /** One advantage per rollout, broadcast to its response tokens. */
  advantages: number[];
  /** Per rollout: the weight of its KL penalty (default 1 for all; see train.ts). */
  klWeights?: number[];
}

export interface PolicyStats extends PgStats {
  /** Rollouts without a response token (nothing to train on), left out of the step. */
  skipped: number;
}

export interface Policy {
  readonly tokenizer: Tokenizer;
  /** Prompt length in tokens (the loop skips prompts longer than its budget). */
  countTokens(prompt: string): number;
  generate(prompts: string[], opts: GenerateOptions): Promise<Rollout[]>;
  update(batch: PolicyBatch): Promise<PolicyStats>;
}

export interface PolicyOptions extends Partial<TrainerOptions> {
  /** Most rows sampled in one batch (the KV cache grows with rows × length); larger
   *  requests are split. Default 64. */
  maxBatch?: number;
}

export class PolicyError extends Error {
  override name = 'PolicyError';
}

export class TransformerPolicy implements Policy {
  readonly model: Transformer;
  readonly tokenizer: Tokenizer;
  readonly trainer: Trainer;
  private readonly maxBatch: number;
  /** Frozen copy of the weights at construction (or at resetReference), for the KL
   *  penalty; null when klCoef is 0. */
  private reference: Transformer | null = null;

  constructor(model: Transformer, tokenizer: Tokenizer, opts: PolicyOptions = {}) {
    if (tokenizer.vocabSize !== model.config.vocabSize) {
      throw new PolicyError(`tokenizer has ${tokenizer.vocabSize} ids but the model ${model.config.vocabSize}`);
    }
    const { maxBatch = 64, ...trainerOpts } = opts;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new PolicyError(`maxBatch must be an integer >= 1, got ${maxBatch}`);
    this.model = model;
    this.tokenizer = tokenizer;
    this.maxBatch = maxBatch;
    this.trainer = new Trainer(model, trainerOpts);
    if (this.trainer.opts.klCoef > 0) this.reference = model.clone();
  }

  countTokens(prompt: string): number {
    return this.tokenizer.encode(prompt).length;
  }

  /** Makes the current weights the KL reference (e.g. after loading a base checkpoint). */
  resetReference(): void {
    if (!this.reference) return;
    this.reference.copyFrom(this.model);
  }

  async generate(prompts: string[], opts: GenerateOptions): Promise<Rollout[]> {
    if (!Array.isArray(prompts) || prompts.length === 0) throw new PolicyError('prompts must be a non-empty array of strings');
    if (!Number.isSafeInteger(opts.seed)) throw new PolicyError(`seed must be an integer, got ${opts.seed}`);
    const encoded = prompts.map((p) => this.tokenizer.encode(p));
    const stopNames = opts.stop ?? (this.tokenizer.specials.includes('<eos>') ? ['<eos>'] : []);
    const stopTokens = stopNames.map((n) => this.tokenizer.id(n));
    const padToken = this.tokenizer.specials.includes('<pad>') ? this.tokenizer.id('<pad>') : 0;
    // Rows of similar length share a batch (less padding); each batch gets its own seed
    // drawn from the caller's, so the result depends only on the inputs and the seed.
    const order = encoded.map((_, i) => i).sort((a, b) => encoded[a].length - encoded[b].length || a - b);
    const seeds = new Rng(opts.seed);
    const out = new Array<Rollout>(prompts.length);
    for (let start = 0; start < order.length; start += this.maxBatch) {
      const rows = order.slice(start, start + this.maxBatch);
      const mask = opts.logitMask;
      const samples = await generate(this.model, this.tokenizer, rows.map((i) => encoded[i]), {
        maxTokens: opts.maxTokens,
        temperature: opts.temperature,
        topP: opts.topP,
        stopTokens,
        padToken,
        seed: seeds.int(0, 2 ** 31),
        useCache: opts.useCache,
        logitMask: mask ? (step, seqs) => mask(step, seqs, rows) : undefined,
      });
      samples.forEach((s, k) => {
        out[rows[k]] = { prompt: encoded[rows[k]], ...s };
      });
    }
    return out;
  }

  async update(batch: PolicyBatch): Promise<PolicyStats> {
    const { rollouts, advantages, klWeights } = batch;
    if (!Array.isArray(rollouts) || !Array.isArray(advantages) || rollouts.length !== advantages.length) {
      throw new PolicyError('update needs one advantage per rollout');
    }
    if (klWeights !== undefined && (!Array.isArray(klWeights) || klWeights.length !== rollouts.length)) {
      throw new PolicyError('update needs one KL weight per rollout when klWeights is given');
    }
    const keep = rollouts.map((_, i) => i).filter((i) => rollouts[i].tokens.length > 0);
    if (keep.length === 0) throw new TrainError('no rollout has a response token to train on');
    const pg: PgBatch = {
      sequences: keep.map((i) => [...rollouts[i].prompt, ...rollouts[i].tokens]),
      promptLengths: keep.map((i) => rollouts[i].prompt.length),
      advantages: keep.map((i) => advantages[i]),
      oldLogprobs: keep.map((i) => rollouts[i].logprobs),
      ...(klWeights ? { klWeights: keep.map((i) => klWeights[i]) } : {}),
    };
    if (this.reference) {
      // In the trainer's micro-batches: the reference forward is as large as the policy's.
      const step = this.trainer.opts.microBatch || pg.sequences.length;
      pg.refLogprobs = [];
      for (let i = 0; i < pg.sequences.length; i += step) {
        pg.refLogprobs.push(...(await responseLogprobs(this.reference, pg.sequences.slice(i, i + step), pg.promptLengths.slice(i, i + step))));
      }
    }
    const stats = await this.trainer.pgStep(pg);
    return { ...stats, skipped: rollouts.length - keep.length };
  }

  dispose(): void {
    this.trainer.dispose();
    this.reference?.dispose();
    this.reference = null;
  }
}
