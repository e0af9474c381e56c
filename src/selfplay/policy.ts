// The policy as the self-play loop sees it: text in, sampled text out, and one update
// from scored responses. The loop knows nothing of tensors, token ids or optimizers;
// `TransformerPolicy` adapts src/model's policy (sampling in length-bucketed batches, the
// PPO step, the KL reference) to this narrow shape and adds what a run needs around it:
// creation from a run config, checkpoints with optimizer state, and the response text
// with its `<eos>` (the task parsers read it as the end of an answer). Anything else with
// the same three methods (a scripted policy in a test) can drive the same loop.
import { SPECIAL_TOKENS, TOK } from '../core/tasks.ts';
import type { Config } from '../core/config.ts';
import { modelConfig, type ModelConfig } from '../model/config.ts';
import { makeTokenizer, tokenizerFromJSON, type Tokenizer, type TokenizerKind } from '../model/tokenizer.ts';
import { Transformer } from '../model/transformer.ts';
import { TransformerPolicy as ModelPolicy } from '../model/policy.ts';
import { responseLogprobs, type Trainer } from '../model/train.ts';
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

/** A response the policy sampled: its tokens and their log-probs, as `generate` returned them. */
export interface SampledItem {
  prompt: string;
  tokens: number[];
  logprobs: number[];
  /** One advantage per response, broadcast to its tokens. */
  advantage: number;
  /** Weight of this response's KL penalty to the reference (default 1; config.klRoles). */
  klWeight?: number;
}

/**
 * A response the policy did not sample (the executor's answer, config.executorAnswers): its text,
 * tokenized by the policy, whose "old" log-probs are the current weights' own — the ratio is 1,
 * so the PPO term is the answer's cross-entropy times the advantage.
 */
export interface GivenItem {
  prompt: string;
  /** The response text, `<eos>` included. */
  answer: string;
  advantage: number;
  klWeight?: number;
}

export type UpdateItem = SampledItem | GivenItem;

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
export function modelConfigFor(config: Config, tokenizer: Tokenizer): ModelConfig {
  return modelConfig(config.modelSize, tokenizer.vocabSize, { contextLength: config.maxPromptTokens + config.maxResponseTokens });
}

/** A tokenizer for the task prompts: 'char' is what the shipped base and every run so far use. */
export function taskTokenizer(kind: TokenizerKind = 'char'): Tokenizer {
  return makeTokenizer(kind, [...SPECIAL_TOKENS]);
}

/** The run-config fields the optimizer and the PPO loss read. */
export type TrainSettings = Pick<Config, 'lr' | 'weightDecay' | 'gradClip' | 'clipEps' | 'entropyCoef' | 'klCoef'> & { optimizer?: 'adamw' | 'muon' };

function checkSpecials(tokenizer: Tokenizer): void {
  if (JSON.stringify(tokenizer.specials) !== JSON.stringify(SPECIAL_TOKENS)) {
    throw new CheckpointError(`the checkpoint's tokenizer has specials ${JSON.stringify(tokenizer.specials)}, the task prompts need ${JSON.stringify(SPECIAL_TOKENS)}`);
  }
}

/** src/model's policy behind the loop's Policy interface; also what a checkpoint saves and restores. */
export class TransformerPolicy implements Policy {
  private readonly inner: ModelPolicy;
  /** False for a policy loaded only to sample (evaluation): `update` is refused. */
  readonly trainable: boolean;

  constructor(
    readonly model: Transformer,
    readonly tokenizer: Tokenizer,
    train: TrainSettings | null,
  ) {
    this.trainable = train !== null;
    this.inner = new ModelPolicy(model, tokenizer, {
      ...(train
        ? { lr: train.lr, weightDecay: train.weightDecay, gradClip: train.gradClip, clipEps: train.clipEps, entropyCoef: train.entropyCoef, klCoef: train.klCoef, ...(train.optimizer ? { optimizer: train.optimizer } : {}) }
        : {}),
      microBatch: TRAIN_ROWS,
      maxBatch: SAMPLE_ROWS,
    });
  }

  get trainer(): Trainer {
    return this.inner.trainer;
  }

  /** A freshly initialised policy for a run config (weights seeded by config.seed); the character tokenizer unless another is given. */
  static create(config: Config, tokenizer: Tokenizer = taskTokenizer()): TransformerPolicy {
    return new TransformerPolicy(new Transformer(modelConfigFor(config, tokenizer), config.seed), tokenizer, config);
  }

  /**
   * A policy from checkpoint files: weights, and the optimizer state when the files hold
   * it. The KL penalty's reference is `reference` (a second checkpoint: the weights the
   * run started from) when given, else the checkpoint itself (a run starting from it).
   */
  static fromCheckpoint(files: CheckpointFiles, config: TrainSettings & Pick<Config, 'maxPromptTokens' | 'maxResponseTokens'>, reference?: CheckpointFiles): TransformerPolicy {
    const parsed = parseCheckpoint(files);
    const tokenizer = tokenizerFromJSON(parsed.config.tokenizer);
    checkSpecials(tokenizer);
    const need = config.maxPromptTokens + config.maxResponseTokens;
    if (parsed.config.model.contextLength < need) {
      throw new CheckpointError(`the checkpoint's context length is ${parsed.config.model.contextLength} tokens; this config needs ${need} (maxPromptTokens + maxResponseTokens)`);
    }
    const model = new Transformer(parsed.config.model, 0);
    let policy: TransformerPolicy | null = null;
    try {
      policy = new TransformerPolicy(model, tokenizer, config);
      const target = { model: model.config, variables: model.namedVariables(), tokenizer };
      if (config.klCoef > 0) {
        // The reference is a copy of the model's weights at the time it is reset: load the
        // reference's weights, make them the reference, then load the run's own.
        restoreCheckpoint(reference ?? parsed, target);
        policy.inner.resetReference();
      }
      restoreCheckpoint(parsed, { ...target, trainer: policy.trainer });
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
    try {
      checkSpecials(tokenizer);
    } catch (e) {
      model.dispose();
      throw e;
    }
    return new TransformerPolicy(model, tokenizer, null);
  }

  get hasReference(): boolean {
    return this.trainer.opts.klCoef > 0 && this.trainable;
  }

  promptTokens(prompt: string): number {
    return this.inner.countTokens(prompt);
  }

  async generate(prompts: string[], opts: GenerateOptions): Promise<Generation[]> {
    const room = this.model.config.contextLength;
    prompts.forEach((p, i) => {
      const n = this.inner.countTokens(p);
      if (n + opts.maxTokens > room) throw new PolicyError(`prompt ${i} has ${n} tokens; with ${opts.maxTokens} response tokens it exceeds the context length ${room}`);
    });
    const rollouts = await this.inner.generate(prompts, { maxTokens: opts.maxTokens, temperature: opts.temperature, topP: opts.topP, seed: opts.seed, stop: [TOK.eos] });
    // The model's text leaves the stop token out; the task parsers need it to tell a
    // finished answer from one the token budget cut off.
    return rollouts.map((r) => ({ text: r.stopped ? r.text + TOK.eos : r.text, tokens: r.tokens, logprobs: r.logprobs }));
  }

  async update(items: UpdateItem[]): Promise<UpdateStats> {
    if (!this.trainable) throw new PolicyError('this policy was loaded for sampling only; it cannot be updated');
    const used = (await this.sampledForm(items)).filter((it) => it.tokens.length > 0);
    if (used.length === 0) throw new PolicyError('update needs at least one response with tokens');
    const s = await this.inner.update({
      rollouts: used.map((it) => ({ prompt: this.tokenizer.encode(it.prompt), tokens: it.tokens, logprobs: it.logprobs, text: '', stopped: true })),
      advantages: used.map((it) => it.advantage),
      ...(used.some((it) => it.klWeight !== undefined) ? { klWeights: used.map((it) => it.klWeight ?? 1) } : {}),
    });
    return { loss: s.loss, entropy: s.entropy, clipFrac: s.clipFrac, gradNorm: s.gradNorm, approxKl: s.approxKl, tokens: s.tokens };
  }

  /** Every item with tokens and old log-probs: a given answer is tokenized and scored by the current weights. */
  private async sampledForm(items: UpdateItem[]): Promise<SampledItem[]> {
    const given = items.flatMap((it, i) => ('answer' in it ? [i] : []));
    if (given.length === 0) return items as SampledItem[];
    const prompts = given.map((i) => this.tokenizer.encode(items[i].prompt));
    const answers = given.map((i) => this.tokenizer.encode((items[i] as GivenItem).answer));
    const logprobs: number[][] = [];
    // In the trainer's micro-batches: the forward is as large as one of the update's.
    for (let k = 0; k < given.length; k += TRAIN_ROWS) {
      const rows = given.slice(k, k + TRAIN_ROWS).map((_, j) => k + j);
      logprobs.push(...(await responseLogprobs(this.model, rows.map((r) => [...prompts[r], ...answers[r]]), rows.map((r) => prompts[r].length))));
    }
    const out = items.slice() as SampledItem[];
    given.forEach((i, k) => {
      const { prompt, advantage, klWeight } = items[i];
      out[i] = { prompt, tokens: answers[k], logprobs: logprobs[k], advantage, ...(klWeight !== undefined ? { klWeight } : {}) };
    });
    return out;
  }

  /** Checkpoint files of the current weights and optimizer state, with `meta`. */
  save(meta: Record<string, unknown> = {}): Promise<CheckpointFiles> {
    return captureCheckpoint({
      model: this.model.config,
      tokenizer: this.tokenizer,
      variables: this.model.namedVariables(),
      ...(this.trainable ? { optimizer: this.trainer.optimizerState() } : {}),
      meta,
    });
  }

  /**
   * The current weights as the KL reference's checkpoint. Only meaningful before the
   * first update, when the weights are still the reference (the run-directory store
   * writes it once, at the start of a run).
   */
  saveReference(): Promise<CheckpointFiles> {
    return captureCheckpoint({ model: this.model.config, tokenizer: this.tokenizer, variables: this.model.namedVariables(), meta: { role: 'kl-reference' } });
  }

  /** Every weight, flattened per variable (for tests comparing two runs). */
  async weights(): Promise<Map<string, Float32Array>> {
    const out = new Map<string, Float32Array>();
    for (const [name, v] of this.model.namedVariables()) out.set(name, (await v.data()) as Float32Array);
    return out;
  }

  dispose(): void {
    this.inner.dispose();
    this.model.dispose();
  }
}
