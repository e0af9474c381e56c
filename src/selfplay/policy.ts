// The policy as the self-play loop sees it: text in, sampled text out, and one update
// from scored responses. The loop knows nothing of tensors, tokenizers or optimizers;
// `TransformerPolicy` adapts src/model (Transformer + CharTokenizer + sampler + Trainer)
// to this narrow shape, and anything else with the same two methods (a scripted policy in
// a test, a remote one) can drive the same loop.
import { SPECIAL_TOKENS, TOK } from '../core/tasks.ts';
import type { Config } from '../core/config.ts';
import { modelConfig, type ModelConfig } from '../model/config.ts';
import { CharTokenizer } from '../model/tokenizer.ts';
import { Transformer } from '../model/transformer.ts';
import { generate } from '../model/sampler.ts';
import { Trainer, responseLogprobs, type PgBatch } from '../model/train.ts';
import { captureCheckpoint, modelFromCheckpoint, parseCheckpoint, restoreCheckpoint, CheckpointError, type CheckpointFiles } from '../model/checkpoint.ts';

export interface GenerateOptions {
  /** Most response tokens per prompt. */
  maxTokens: number;
  /** 0 = greedy. */
  temperature: number;
  topP: number;
  /** Same prompts + options + seed + weights ⇒ same responses (on one backend). */
  seed: number;
}

export interface Generation {
  /** The response as text, `<eos>` included when the model wrote it (the parsers need it). */
  text: string;
  /** Response token ids, the stop token included. */
  tokens: number[];
  /** The sampler's log-prob of each response token (the PPO "old" log-probs). */
  logprobs: number[];
}

export interface UpdateItem {
  prompt: string;
  /** Response tokens and their log-probs, as `generate` returned them. */
  tokens: number[];
  logprobs: number[];
  /** One advantage per response, broadcast to its tokens. */
  advantage: number;
}

export interface UpdateStats {
  loss: number;
  entropy: number;
  clipFrac: number;
  gradNorm: number;
  approxKl: number;
  /** Response tokens trained on. */
  tokens: number;
}

export interface Policy {
  generate(prompts: string[], opts: GenerateOptions): Promise<Generation[]>;
  update(items: UpdateItem[]): Promise<UpdateStats>;
  /** Length of a prompt in the policy's tokens (the loop skips prompts over its budget). */
  promptTokens(prompt: string): number;
}

export class PolicyError extends Error {
  override name = 'PolicyError';
}

/** Rows sampled in one batch: bounds the attention memory of the prefill. */
const SAMPLE_ROWS = 64;
/** Rows per forward/backward in an update (gradients are accumulated over them). */
const TRAIN_ROWS = 16;

/** The model shape a run config asks for: its size, and a context that fits the longest prompt plus a full response. */
export function modelConfigFor(config: Config, tokenizer: CharTokenizer): ModelConfig {
  return modelConfig(config.modelSize, tokenizer.vocabSize, { contextLength: config.maxPromptTokens + config.maxResponseTokens });
}

export function taskTokenizer(): CharTokenizer {
  return new CharTokenizer([...SPECIAL_TOKENS]);
}

/** The run-config fields the optimizer and the PPO loss read. */
export type TrainSettings = Pick<Config, 'lr' | 'weightDecay' | 'gradClip' | 'clipEps' | 'entropyCoef' | 'klCoef'>;

/** src/model behind the Policy interface; also what a checkpoint saves and restores. */
export class TransformerPolicy implements Policy {
  /** Null for a policy loaded only to sample (evaluation): no optimizer state is allocated. */
  readonly trainer: Trainer | null;
  private readonly eos: number;
  private readonly pad: number;
  /** The frozen starting policy for the KL penalty (only when klCoef > 0). */
  private reference: Transformer | null = null;

  constructor(
    readonly model: Transformer,
    readonly tokenizer: CharTokenizer,
    train: TrainSettings | null,
  ) {
    this.eos = tokenizer.id(TOK.eos);
    this.pad = tokenizer.id(TOK.pad);
    this.trainer = train
      ? new Trainer(model, {
          lr: train.lr,
          weightDecay: train.weightDecay,
          gradClip: train.gradClip,
          clipEps: train.clipEps,
          entropyCoef: train.entropyCoef,
          klCoef: train.klCoef,
          microBatch: TRAIN_ROWS,
        })
      : null;
    if (train && train.klCoef > 0) this.reference = model.clone();
  }

  /** A freshly initialised policy for a run config (weights seeded by config.seed). */
  static create(config: Config): TransformerPolicy {
    const tokenizer = taskTokenizer();
    return new TransformerPolicy(new Transformer(modelConfigFor(config, tokenizer), config.seed), tokenizer, config);
  }

  /**
   * A policy from checkpoint files: weights, and the optimizer state when the files hold
   * it. With `reference` (a second checkpoint), the KL penalty's reference weights too;
   * without it, the reference is the checkpoint itself (a run starting from it).
   */
  static fromCheckpoint(files: CheckpointFiles, config: TrainSettings & Pick<Config, 'maxPromptTokens' | 'maxResponseTokens'>, reference?: CheckpointFiles): TransformerPolicy {
    const parsed = parseCheckpoint(files);
    const tokenizer = CharTokenizer.fromJSON(parsed.config.tokenizer);
    if (JSON.stringify(tokenizer.specials) !== JSON.stringify(SPECIAL_TOKENS)) {
      throw new CheckpointError(`the checkpoint's tokenizer has specials ${JSON.stringify(tokenizer.specials)}, self-play needs ${JSON.stringify(SPECIAL_TOKENS)}`);
    }
    const need = config.maxPromptTokens + config.maxResponseTokens;
    if (parsed.config.model.contextLength < need) {
      throw new CheckpointError(`the checkpoint's context length is ${parsed.config.model.contextLength} tokens; this config needs ${need} (maxPromptTokens + maxResponseTokens)`);
    }
    const model = new Transformer(parsed.config.model, 0);
    let policy: TransformerPolicy | null = null;
    try {
      policy = new TransformerPolicy(model, tokenizer, config);
      restoreCheckpoint(parsed, { model: model.config, variables: model.namedVariables(), tokenizer, trainer: policy.trainer! });
      if (policy.reference) {
        const ref = policy.reference;
        if (reference) restoreCheckpoint(reference, { model: ref.config, variables: ref.namedVariables(), tokenizer });
        else ref.copyFrom(model);
      }
      return policy;
    } catch (e) {
      if (policy) policy.dispose();
      else model.dispose();
      throw e;
    }
  }

  /** A policy that only samples, from checkpoint files (evaluation); `update` is refused. */
  static forInference(files: CheckpointFiles): TransformerPolicy {
    const { model, tokenizer } = modelFromCheckpoint(files);
    if (JSON.stringify(tokenizer.specials) !== JSON.stringify(SPECIAL_TOKENS)) {
      model.dispose();
      throw new CheckpointError(`the checkpoint's tokenizer has specials ${JSON.stringify(tokenizer.specials)}, the task prompts need ${JSON.stringify(SPECIAL_TOKENS)}`);
    }
    return new TransformerPolicy(model, tokenizer, null);
  }

  get hasReference(): boolean {
    return this.reference !== null;
  }

  promptTokens(prompt: string): number {
    return this.tokenizer.encode(prompt).length;
  }

  async generate(prompts: string[], opts: GenerateOptions): Promise<Generation[]> {
    const ids = prompts.map((p) => this.tokenizer.encode(p));
    const room = this.model.config.contextLength;
    ids.forEach((p, i) => {
      if (p.length + opts.maxTokens > room) throw new PolicyError(`prompt ${i} has ${p.length} tokens; with ${opts.maxTokens} response tokens it exceeds the context length ${room}`);
    });
    // Rows sorted by prompt length, then cut into chunks: less left padding per chunk.
    // The order and each chunk's seed depend only on the inputs, so sampling stays seeded.
    const order = ids.map((_, i) => i).sort((a, b) => ids[a].length - ids[b].length || a - b);
    const out = new Array<Generation>(prompts.length);
    for (let c = 0; c * SAMPLE_ROWS < order.length; c++) {
      const rows = order.slice(c * SAMPLE_ROWS, (c + 1) * SAMPLE_ROWS);
      const samples = await generate(
        this.model,
        this.tokenizer,
        rows.map((i) => ids[i]),
        { maxTokens: opts.maxTokens, temperature: opts.temperature, topP: opts.topP, seed: (opts.seed + c * 0x9e3779b1) >>> 0, stopTokens: [this.eos], padToken: this.pad },
      );
      rows.forEach((i, k) => {
        const s = samples[k];
        out[i] = { text: this.tokenizer.decode(s.tokens), tokens: s.tokens, logprobs: s.logprobs };
      });
    }
    return out;
  }

  async update(items: UpdateItem[]): Promise<UpdateStats> {
    if (!this.trainer) throw new PolicyError('this policy was loaded for sampling only; it cannot be updated');
    const used = items.filter((it) => it.tokens.length > 0);
    if (used.length === 0) throw new PolicyError('update needs at least one response with tokens');
    const prompts = used.map((it) => this.tokenizer.encode(it.prompt));
    const batch: PgBatch = {
      sequences: used.map((it, i) => [...prompts[i], ...it.tokens]),
      promptLengths: prompts.map((p) => p.length),
      advantages: used.map((it) => it.advantage),
      oldLogprobs: used.map((it) => it.logprobs),
    };
    if (this.reference) batch.refLogprobs = await responseLogprobs(this.reference, batch.sequences, batch.promptLengths);
    const s = await this.trainer.pgStep(batch);
    return { loss: s.loss, entropy: s.entropy, clipFrac: s.clipFrac, gradNorm: s.gradNorm, approxKl: s.approxKl, tokens: s.tokens };
  }

  /** Checkpoint files of the current weights and optimizer state, with `meta`. */
  save(meta: Record<string, unknown> = {}): Promise<CheckpointFiles> {
    return captureCheckpoint({
      model: this.model.config,
      tokenizer: this.tokenizer,
      variables: this.model.namedVariables(),
      ...(this.trainer ? { optimizer: this.trainer.optimizerState() } : {}),
      meta,
    });
  }

  /** The KL reference's weights as checkpoint files, or null when there is none. */
  async saveReference(): Promise<CheckpointFiles | null> {
    if (!this.reference) return null;
    return captureCheckpoint({ model: this.reference.config, tokenizer: this.tokenizer, variables: this.reference.namedVariables(), meta: { role: 'kl-reference' } });
  }

  /** Every weight, flattened per variable (for tests comparing two runs). */
  async weights(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.model.namedVariables()) out.set(name, (await v.data()) as Float32Array);
    return out;
  }

  dispose(): void {
    this.trainer?.dispose();
    this.model.dispose();
    this.reference?.dispose();
    this.reference = null;
  }
}
