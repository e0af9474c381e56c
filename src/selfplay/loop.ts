// The Absolute Zero self-play loop: one `step()` is one iteration of the paper's
// algorithm, written top to bottom in the order it happens (DESIGN §1):
//
//   1. propose    deduction / abduction: K references from that type's buffer → a program
//                 and an input; induction: one program from deduction ∪ abduction → N
//                 inputs and a message
//   2. validate   every parsed proposal runs in the executor (one job per program, with
//                 determinism runs); induction needs N distinct outputs; duplicates are
//                 rejected or penalised as the config says
//   3. solve      learnability: n solver rollouts on every new valid task give r̄ and the
//                 proposer's reward; the solver batch — last step's valid proposals,
//                 filled up from the buffer — is solved `groupSize` times per task and
//                 judged by the executor
//   4. update     TRR++ advantages over six (type × role) baselines, then one PPO-clip
//                 step (none while the buffers are still seeding; proposer responses left
//                 out when the proposer is not trained); with executorAnswers > 0 the
//                 executor's answers to this step's valid tasks join it (not the paper)
//   5. buffers    this step's valid proposals join the buffers and become the head of the
//                 next step's solver batch
//
// Proposals made in step t are solved as the solver batch of step t + 1 (and measured by
// the learnability rollouts already in step t): the solver batch is always made of tasks
// that were validated and appended before it was drawn.
//
// Every random choice comes from a stream forked from the run's seed by the step number
// and a label (core/rng.ts), so the same config, seed and backend give the same run, and a
// run resumed from a snapshot continues exactly as if it had never stopped.
import { computeAdvantages, type AdvantageItem } from '../core/advantages.ts';
import { duplicateIsUsable, proposerReward, solveRate, solverReward, type ProposalOutcome } from '../core/rewards.ts';
import { configHash, type Config } from '../core/config.ts';
import { Rng } from '../core/rng.ts';
import { inductionKey, normaliseSource, tripletKey, TaskBuffers } from '../core/buffer.ts';
import { LEVELS, levelOfShape, programShape, type Level, type ProgramShape } from '../core/levels.ts';
import {
  buildPrompt,
  formatAnswer,
  makeInductionTask,
  parseProposal,
  promptFieldProblem,
  MAX_OUTPUT_CHARS,
  type InductionTask,
  type TaskType,
  type Triplet,
} from '../core/tasks.ts';
import type { ExecJob, ExecLimits, Executor } from '../sandbox/types.ts';
import type { Generation, GenerateOptions, Policy, UpdateItem } from './policy.ts';
import { judgeAll, solvePrompt, type Judgement, type SolveTask } from './judge.ts';
import { fingerprints, PROBE_INPUTS } from './behaviour.ts';
import {
  CONFIG_KEYS,
  Emitter,
  emptyRoleStats,
  emptyVerdicts,
  mean,
  perType,
  ratio,
  type PhaseTimes,
  type ProposalEvent,
  type ProposalStatus,
  type SelfPlayEvents,
  type TaskView,
  type StepReport,
  type UpdateReport,
} from './report.ts';
import { parseState, restoreBuffers, snapshotBuffers, snapshotInduction, snapshotTriplet, STATE_FORMAT, STATE_VERSION, type SelfPlayState, type TasksSnapshot } from './state.ts';

export interface SelfPlayOptions {
  /** Starting buffers (e.g. imported from a task file); default: the identity triplet. Ignored with `state`. */
  buffers?: TaskBuffers;
  /** Continue a run from a snapshot (see `state()`); its config must equal `config`. */
  state?: SelfPlayState;
}

export class SelfPlayError extends Error {
  override name = 'SelfPlayError';
}

/** This step's valid tasks per type: the next solver batch starts with them. */
interface Fresh {
  deduction: Triplet[];
  abduction: Triplet[];
  induction: InductionTask[];
}

/** One proposer response, followed from prompt to reward. */
interface Proposal {
  type: TaskType;
  prompt: string;
  /** Induction: the buffered triplet whose program the proposer was shown. */
  source: Triplet | null;
  /** Deduction / abduction: the references in the prompt. */
  references: Triplet[];
  gen: Generation;
  status: ProposalStatus;
  reason: string;
  task: Triplet | InductionTask | null;
  /** r̄ over the learnability rollouts (valid, new tasks only). */
  solveRate: number | null;
  /** Deduction / abduction with behaviourDuplicates: the program's outputs on the probe inputs. */
  fingerprint?: string;
  reward: number;
}

/** One solver response to be judged. */
interface Rollout {
  purpose: 'learnability' | 'solve';
  /** Index into the proposals (learnability) or the solver batch (solve). */
  owner: number;
  task: SolveTask;
  prompt: string;
  gen: Generation;
  judgement: Judgement;
  reward: number;
}

const ZERO_UPDATE: UpdateReport = { updated: false, loss: 0, entropy: 0, clipFrac: 0, gradNorm: 0, approxKl: 0, tokens: 0 };

function emptyFresh(): Fresh {
  return { deduction: [], abduction: [], induction: [] };
}

function freshFromSnapshot(s: TasksSnapshot): Fresh {
  return {
    deduction: s.deduction.map(snapshotTriplet),
    abduction: s.abduction.map(snapshotTriplet),
    induction: s.induction.map((t) => makeInductionTask(t.program, t.message, t.pairs)),
  };
}

const now = () => performance.now();

export class SelfPlay {
  readonly config: Config;
  readonly configHash: string;
  readonly events = new Emitter<SelfPlayEvents>();
  private buffers: TaskBuffers;
  private pending: Fresh;
  private done: number;
  private elapsedMs: number;
  private readonly rng: Rng;
  private readonly limits: Partial<ExecLimits>;
  /** Fingerprints of the buffered programs per triplet type (behaviourDuplicates); built on first use. */
  private behaviours: { deduction: Set<string>; abduction: Set<string> } | null = null;

  constructor(
    config: Config,
    private readonly policy: Policy,
    private readonly executor: Executor,
    opts: SelfPlayOptions = {},
  ) {
    this.config = config;
    this.configHash = configHash(config);
    this.limits = { timeoutMs: config.executorTimeoutMs };
    if (opts.state) {
      const s = parseState(opts.state);
      if (s.configHash !== this.configHash) throw new SelfPlayError(`the snapshot was made with config ${s.configHash}, not this run's ${this.configHash}`);
      this.buffers = restoreBuffers(s.buffers);
      this.pending = freshFromSnapshot(s.pending);
      this.done = s.step;
      this.elapsedMs = s.elapsedMs;
      this.rng = new Rng(s.rngKey);
    } else {
      this.buffers = opts.buffers ?? new TaskBuffers();
      this.pending = emptyFresh();
      this.done = 0;
      this.elapsedMs = 0;
      this.rng = new Rng(`selfplay-${config.seed}`);
    }
  }

  /** Steps completed so far. */
  get stepsDone(): number {
    return this.done;
  }

  /** Self-play wall time of the run so far, in seconds (resumes included; what the steps themselves took). */
  get elapsedSeconds(): number {
    return this.elapsedMs / 1000;
  }

  get taskBuffers(): TaskBuffers {
    return this.buffers;
  }

  /** Everything but the policy needed to continue this run exactly (see state.ts). */
  state(): SelfPlayState {
    const pending: TasksSnapshot = {
      deduction: this.pending.deduction.map(snapshotTriplet),
      abduction: this.pending.abduction.map(snapshotTriplet),
      induction: this.pending.induction.map(snapshotInduction),
    };
    return {
      format: STATE_FORMAT,
      version: STATE_VERSION,
      config: this.config,
      configHash: this.configHash,
      step: this.done,
      elapsedMs: this.elapsedMs,
      rngKey: this.rng.key,
      buffers: snapshotBuffers(this.buffers),
      pending,
    };
  }

  async step(): Promise<StepReport> {
    const c = this.config;
    const n = this.done + 1;
    const rng = this.rng.fork(`step-${n}`);
    const started = now();
    const time: PhaseTimes = { proposeMs: 0, validateMs: 0, solveMs: 0, updateMs: 0 };
    const sampling = { maxTokens: c.maxResponseTokens, temperature: c.temperature, topP: c.topP };
    let sampledTokens = 0;
    let samplingMs = 0;
    let skippedPrompts = 0;
    // Without a proposer the buffers never grow, so a seeding phase would never end.
    const seeding = c.propose && this.buffers.isSeeding(c.seedFactor, c.batch);
    const fits = (prompt: string) => this.policy.promptTokens(prompt) <= c.maxPromptTokens;
    const sample = async (prompts: string[], label: string): Promise<Generation[]> => {
      if (prompts.length === 0) return [];
      const t0 = now();
      const opts: GenerateOptions = { ...sampling, seed: rng.fork(label).nextUint32() };
      const gens = await this.policy.generate(prompts, opts);
      samplingMs += now() - t0;
      for (const g of gens) sampledTokens += g.tokens.length;
      return gens;
    };

    // ---- 1. Propose ----------------------------------------------------------------------
    let t = now();
    const slots: { type: TaskType; prompt: string; source: Triplet | null; references: Triplet[] }[] = [];
    const refRng = rng.fork('references');
    const sourceRng = rng.fork('induction-source');
    // propose: false (the fixed-set baseline) leaves `slots` empty: no proposer prompt is
    // sampled, nothing is validated or buffered, and the solver batch is drawn from the
    // starting buffers alone.
    for (const type of c.propose ? c.taskTypes : []) {
      for (let b = 0; b < c.batch; b++) {
        if (type === 'induction') {
          const source = this.buffers.inductionSource(sourceRng);
          const prompt = buildPrompt({ type, role: 'propose', program: source.program });
          if (fits(prompt)) slots.push({ type, prompt, source, references: [] });
          else skippedPrompts++;
          continue;
        }
        const refs = c.useReferences ? this.buffers.references(type, c.references, refRng) : [];
        // Too long with every reference: drop references from the end until the prompt fits.
        let prompt = buildPrompt({ type, role: 'propose', references: refs });
        while (!fits(prompt) && refs.length > 0) {
          refs.pop();
          prompt = buildPrompt({ type, role: 'propose', references: refs });
        }
        if (fits(prompt)) slots.push({ type, prompt, source: null, references: refs });
        else skippedPrompts++;
      }
    }
    const proposalGens = await sample(slots.map((s) => s.prompt), 'propose');
    const proposals: Proposal[] = slots.map((s, i) => ({ ...s, gen: proposalGens[i], status: 'unparseable', reason: '', task: null, solveRate: null, reward: 0 }));
    time.proposeMs = now() - t;
    this.events.emit('phase', { step: n, phase: 'propose', ms: time.proposeMs });

    // ---- 2. Validate ---------------------------------------------------------------------
    t = now();
    const jobs: ExecJob[] = [];
    const jobOwner: number[] = [];
    const parsedInputs: string[][] = [];
    const messages: string[] = [];
    proposals.forEach((p, i) => {
      if (p.type === 'induction') {
        const parsed = parseProposal('induction', p.gen.text, { inductionInputs: c.inductionInputs });
        if (!parsed.ok) return void (p.reason = parsed.reason);
        jobs.push({ program: p.source!.program, inputs: parsed.value.inputs, limits: this.limits });
        parsedInputs.push(parsed.value.inputs);
        messages.push(parsed.value.message);
      } else {
        const parsed = parseProposal(p.type, p.gen.text);
        if (!parsed.ok) return void (p.reason = parsed.reason);
        jobs.push({ program: parsed.value.program, inputs: [parsed.value.input], limits: this.limits });
        parsedInputs.push([parsed.value.input]);
        messages.push('');
      }
      jobOwner.push(i);
    });
    const results = jobs.length > 0 ? await this.executor.run(jobs) : [];
    const seenThisStep = perType(() => new Set<string>());
    results.forEach((r, k) => {
      const p = proposals[jobOwner[k]];
      if (r.verdict !== 'ok') {
        // 'mismatch' cannot happen without expected outputs; any other verdict names the failure.
        p.status = r.verdict === 'mismatch' ? 'error' : r.verdict;
        p.reason = r.reason;
        return;
      }
      const outputs = r.results.map((x) => x.output ?? '');
      const bad = outputs.map((o) => (o.length > MAX_OUTPUT_CHARS ? `output too long: ${o.length} characters, limit ${MAX_OUTPUT_CHARS}` : promptFieldProblem(o))).find((x) => x !== null);
      if (bad) {
        p.status = 'unpromptable';
        p.reason = `output ${bad}`;
        return;
      }
      const strict = c.strictValidity && p.type !== 'induction' ? strictProblem(jobs[k].program, outputs) : null;
      if (strict) {
        p.status = 'invalid-output';
        p.reason = strict;
        return;
      }
      let task: Triplet | InductionTask;
      let key: string;
      let duplicate: boolean;
      if (p.type === 'induction') {
        if (new Set(outputs).size !== outputs.length) {
          p.status = 'not-distinct';
          p.reason = `${new Set(outputs).size} distinct outputs for ${outputs.length} inputs`;
          return;
        }
        const pairs = parsedInputs[k].map((input, j) => ({ input, output: outputs[j] }));
        task = makeInductionTask(p.source!.program, messages[k], pairs);
        key = inductionKey(task);
        duplicate = this.buffers.isDuplicate('induction', task);
      } else {
        const program = jobs[k].program;
        task = { program, input: parsedInputs[k][0], output: outputs[0] };
        key = normaliseSource(program);
        duplicate = this.buffers.isDuplicate(p.type, task);
      }
      // A task also duplicates one proposed earlier in this same step.
      duplicate ||= seenThisStep[p.type].has(key);
      seenThisStep[p.type].add(key);
      const solvable = fits(solvePrompt(taskOf(p.type, task)));
      p.task = task;
      if (duplicate) {
        p.status = 'duplicate';
        p.reason = 'already proposed';
      } else if (!solvable) {
        p.status = 'prompt-too-long';
        p.reason = `the task's solver prompt exceeds maxPromptTokens (${c.maxPromptTokens})`;
      } else {
        p.status = 'valid';
      }
    });
    if (c.behaviourDuplicates) await this.markBehaviourDuplicates(proposals);
    time.validateMs = now() - t;
    this.events.emit('phase', { step: n, phase: 'validate', ms: time.validateMs });

    // ---- 3. Solve: learnability rollouts and the solver batch ------------------------------
    t = now();
    const rollouts: Omit<Rollout, 'gen' | 'judgement' | 'reward'>[] = [];
    proposals.forEach((p, i) => {
      if (p.status !== 'valid') return;
      const task = taskOf(p.type, p.task!);
      const prompt = solvePrompt(task);
      for (let r = 0; r < c.rollouts; r++) rollouts.push({ purpose: 'learnability', owner: i, task, prompt });
    });
    const batchRng = rng.fork('solver-batch');
    const batchTasks: SolveTask[] = [];
    for (const type of c.taskTypes) {
      const chosen: SolveTask[] =
        type === 'induction'
          ? this.buffers.solverBatch('induction', this.pending.induction, c.batch, batchRng).map((task) => ({ type, task }))
          : this.buffers.solverBatch(type, this.pending[type], c.batch, batchRng).map((task) => ({ type, task }));
      for (const task of chosen) {
        if (fits(solvePrompt(task))) batchTasks.push(task);
        else skippedPrompts++;
      }
    }
    batchTasks.forEach((task, i) => {
      const prompt = solvePrompt(task);
      for (let g = 0; g < c.groupSize; g++) rollouts.push({ purpose: 'solve', owner: i, task, prompt });
    });
    const solveGens = await sample(rollouts.map((r) => r.prompt), 'solve');
    const judgements = await judgeAll(this.executor, rollouts.map((r, i) => ({ task: r.task, text: solveGens[i].text })), this.limits, { closeness: c.rewards.solverNearCredit > 0 });
    const solved: Rollout[] = rollouts.map((r, i) => ({ ...r, gen: solveGens[i], judgement: judgements[i], reward: solverReward(judgements[i].outcome, c.rewards, judgements[i].rightKind, judgements[i].closeness) }));

    // Proposer rewards: learnability from r̄ for new valid tasks; the config's values otherwise.
    const habits = c.rewards.ignoreModalHits ? modalAnswers(solved) : null;
    const successes = new Map<number, boolean[]>();
    for (const r of solved) {
      if (r.purpose !== 'learnability') continue;
      const list = successes.get(r.owner) ?? [];
      list.push(r.judgement.outcome === 'correct' && r.judgement.answer !== habits?.get(r.task.type));
      successes.set(r.owner, list);
    }
    proposals.forEach((p, i) => {
      let outcome: ProposalOutcome;
      if (p.status === 'valid') {
        p.solveRate = solveRate(successes.get(i)!);
        outcome = { kind: 'valid', solveRate: p.solveRate };
      } else if (p.status === 'duplicate') outcome = { kind: 'duplicate' };
      else if (p.status === 'unparseable') outcome = { kind: 'unparseable' };
      else outcome = { kind: 'invalid' };
      p.reward = proposerReward(outcome, c.rewards);
    });
    time.solveMs = now() - t;
    this.events.emit('phase', { step: n, phase: 'solve', ms: time.solveMs });

    // ---- 4. Advantages (TRR++) and one PPO-clip update -------------------------------------
    t = now();
    const batchSamples = solved.filter((r) => r.purpose === 'solve');
    const items: (AdvantageItem & { prompt: string; gen: Generation })[] = [
      // Proposers answer distinct prompts once each: under the 'group' baseline they share
      // their (type, propose) group, which is TRR++'s baseline for them.
      ...proposals.map((p) => ({ type: p.type, role: 'propose' as const, reward: p.reward, group: `${p.type}.propose`, prompt: p.prompt, gen: p.gen })),
      ...batchSamples.map((r) => ({ type: r.task.type, role: 'solve' as const, reward: r.reward, group: `solve.${r.owner}`, prompt: r.prompt, gen: r.gen })),
    ];
    const { advantages, stats } = computeAdvantages(items, { baseline: c.baseline });
    const trainable: UpdateItem[] = [];
    if (!seeding) {
      items.forEach((it, i) => {
        if (it.role === 'propose' && !c.trainProposer) return;
        if (it.gen.tokens.length === 0) return;
        trainable.push({
          prompt: it.prompt,
          tokens: it.gen.tokens,
          logprobs: it.gen.logprobs,
          advantage: advantages[i],
          ...(c.klRoles === 'propose' ? { klWeight: it.role === 'propose' ? 1 : 0 } : {}),
        });
      });
    }
    // The executor's answers (config.executorAnswers): each valid new task of this step, with
    // its right answer as the solver's response. Seeding steps train nothing, these included.
    let given = 0;
    if (!seeding && c.executorAnswers > 0) {
      for (const p of proposals) {
        if (p.status !== 'valid' || !p.task) continue;
        const task = taskOf(p.type, p.task);
        trainable.push({ prompt: solvePrompt(task), answer: rightAnswer(task), advantage: c.executorAnswers, ...(c.klRoles === 'propose' ? { klWeight: 0 } : {}) });
        given++;
      }
    }
    let update: UpdateReport = ZERO_UPDATE;
    if (trainable.length > 0) update = { updated: true, ...(await this.policy.update(trainable)) };
    time.updateMs = now() - t;
    this.events.emit('phase', { step: n, phase: 'update', ms: time.updateMs });

    // ---- 5. Buffers: this step's tasks join them and head the next solver batch -----------
    const fresh = emptyFresh();
    const freshKeys = perType(() => new Set<string>());
    for (const p of proposals) {
      const usable = p.status === 'valid' || (p.status === 'duplicate' && duplicateIsUsable(c.rewards));
      if (!usable || !p.task) continue;
      const key = p.type === 'induction' ? inductionKey(p.task as InductionTask) : tripletKey(p.task as Triplet);
      if (freshKeys[p.type].has(key)) continue;
      freshKeys[p.type].add(key);
      if (p.type === 'induction') {
        this.buffers.add('induction', p.task as InductionTask);
        fresh.induction.push(p.task as InductionTask);
      } else {
        this.buffers.add(p.type, p.task as Triplet);
        fresh[p.type].push(p.task as Triplet);
        if (p.fingerprint !== undefined) this.behaviours?.[p.type].add(p.fingerprint);
      }
    }
    this.pending = fresh;

    // ---- Report -----------------------------------------------------------------------------
    const wallMs = now() - started;
    this.done = n;
    this.elapsedMs += wallMs;
    const report = this.report(n, seeding, proposals, solved, items, stats, update, time, wallMs, sampledTokens, samplingMs, skippedPrompts, given);
    for (const p of proposals) this.events.emit('proposal', proposalEvent(n, p));
    if (this.events.has('rollout')) {
      for (const r of solved) {
        this.events.emit('rollout', {
          step: n,
          type: r.task.type,
          purpose: r.purpose,
          task: r.owner,
          problem: taskView(r.task),
          text: r.gen.text,
          answer: r.judgement.answer,
          outcome: r.judgement.outcome,
          reason: r.judgement.reason,
          reward: r.reward,
        });
      }
    }
    this.events.emit('step', report);
    return report;
  }

  /**
   * config.behaviourDuplicates: a valid deduction/abduction proposal whose program behaves like
   * a buffered one (or one proposed earlier this step) on every probe input is a duplicate.
   * The buffered programs' fingerprints are computed on first use — after a resume too, from
   * the restored buffers — so a resumed run judges exactly as the uninterrupted one.
   */
  private async markBehaviourDuplicates(proposals: Proposal[]): Promise<void> {
    if (!this.behaviours) {
      const sets = { deduction: new Set<string>(), abduction: new Set<string>() };
      for (const type of ['deduction', 'abduction'] as const) {
        const programs = [...new Set(this.buffers[type].items.map((t) => t.program))];
        for (const fp of await fingerprints(this.executor, programs, this.limits)) sets[type].add(fp);
      }
      this.behaviours = sets;
    }
    const candidates = proposals.filter((p) => p.status === 'valid' && p.type !== 'induction');
    const fps = await fingerprints(this.executor, candidates.map((p) => p.task!.program), this.limits);
    const seen = { deduction: new Set<string>(), abduction: new Set<string>() };
    candidates.forEach((p, i) => {
      const type = p.type as 'deduction' | 'abduction';
      p.fingerprint = fps[i];
      if (this.behaviours![type].has(fps[i]) || seen[type].has(fps[i])) {
        p.status = 'duplicate';
        p.reason = `behaves like a program already proposed: the same outputs on all ${PROBE_INPUTS.length} probe inputs`;
      }
      seen[type].add(fps[i]);
    });
  }

  private report(
    n: number,
    seeding: boolean,
    proposals: Proposal[],
    solved: Rollout[],
    items: (AdvantageItem & { gen: Generation })[],
    stats: ReturnType<typeof computeAdvantages>['stats'],
    update: UpdateReport,
    time: PhaseTimes,
    wallMs: number,
    sampledTokens: number,
    samplingMs: number,
    skippedPrompts: number,
    given: number,
  ): StepReport {
    const roles = Object.fromEntries(CONFIG_KEYS.map((key) => [key, emptyRoleStats()])) as StepReport['roles'];
    for (const key of CONFIG_KEYS) {
      const s = stats[key];
      if (!s) continue;
      const lengths = items.filter((it) => `${it.type}.${it.role}` === key).map((it) => it.gen.tokens.length);
      roles[key] = { count: s.count, meanReward: s.meanReward, advMean: s.advMean, advStd: s.advStd, meanResponseTokens: mean(lengths) };
    }
    const verdicts = emptyVerdicts();
    for (const p of proposals) verdicts[p.status]++;
    const valid = proposals.filter((p) => p.status === 'valid').length;
    const solve = perType((type) => {
      const samples = solved.filter((r) => r.purpose === 'solve' && r.task.type === type);
      const byTask = new Map<number, Set<string>>();
      for (const r of samples) {
        const set = byTask.get(r.owner) ?? new Set<string>();
        // Unparseable responses count by their raw text: two different garbles are two answers.
        set.add(r.judgement.answer ?? `\u0000${r.gen.text}`);
        byTask.set(r.owner, set);
      }
      return {
        tasks: byTask.size,
        samples: samples.length,
        solveRate: ratio(samples.filter((r) => r.judgement.outcome === 'correct').length, samples.length),
        formatErrorRate: ratio(samples.filter((r) => r.judgement.outcome === 'unparseable').length, samples.length),
        distinctAnswers: mean([...byTask.values()].map((s) => s.size)),
      };
    });
    const learnability = perType((type) => {
      const ofType = proposals.filter((p) => p.type === type);
      const rates = ofType.filter((p) => p.solveRate !== null).map((p) => p.solveRate!);
      return { tasks: rates.length, meanSolveRate: mean(rates), meanProposerReward: mean(ofType.map((p) => p.reward)) };
    });
    // The curriculum as it happens: which levels the valid new tasks are, and how often the
    // solver's learnability rollouts solved them.
    const levels = Object.fromEntries(
      LEVELS.map((level) => {
        const rates = proposals.filter((p) => p.status === 'valid' && p.solveRate !== null && levelOfTask(p) === level).map((p) => p.solveRate!);
        return [`L${level}`, { valid: rates.length, meanSolveRate: rates.length > 0 ? mean(rates) : null }];
      }),
    ) as StepReport['levels'];
    return {
      step: n,
      t: this.elapsedMs / 1000,
      configHash: this.configHash,
      seeding,
      roles,
      proposals: {
        total: proposals.length,
        valid,
        validityRate: ratio(valid, proposals.length),
        verdicts,
        byType: perType((type) => ({ total: proposals.filter((p) => p.type === type).length, valid: proposals.filter((p) => p.type === type && p.status === 'valid').length })),
      },
      learnability,
      levels,
      executorAnswers: given,
      solve,
      buffers: perType((type) => this.buffers.size(type)),
      update,
      time,
      wallMs,
      sampledTokens,
      sampledTokensPerSec: ratio(sampledTokens, samplingMs / 1000),
      trainedTokensPerSec: ratio(update.tokens, time.updateMs / 1000),
      skippedPrompts,
    };
  }
}

/**
 * Per task type, the solver's habit this step: the parsed answer it gave most often over all
 * its rollouts of that type (learnability and batch), when it gave it on two or more different
 * tasks — an answer given across tasks is a property of the solver, not of a task. Ties go to
 * the answer seen first, so the result depends only on the rollouts.
 */
export function modalAnswers(rollouts: readonly Pick<Rollout, 'task' | 'prompt' | 'judgement'>[]): Map<TaskType, string> {
  const byType = new Map<TaskType, Map<string, { count: number; prompts: Set<string> }>>();
  for (const r of rollouts) {
    const a = r.judgement.answer;
    if (a === null) continue;
    const counts = byType.get(r.task.type) ?? new Map<string, { count: number; prompts: Set<string> }>();
    byType.set(r.task.type, counts);
    const e = counts.get(a) ?? { count: 0, prompts: new Set<string>() };
    counts.set(a, e);
    e.count++;
    e.prompts.add(r.prompt);
  }
  const out = new Map<TaskType, string>();
  for (const [type, counts] of byType) {
    let best: [string, number] | null = null;
    for (const [a, e] of counts) if (e.prompts.size >= 2 && (best === null || e.count > best[1])) best = [a, e.count];
    if (best) out.set(type, best[0]);
  }
  return out;
}

/** A program's shape (core/levels.ts), or null when the level reader cannot parse it (QuickJS
 *  ran it, so it is JavaScript acorn does not read). Cached: the buffers repeat programs, and
 *  validation and the level report both read a proposal's shape. */
const shapeCache = new Map<string, ProgramShape | null>();
function shapeOf(program: string): ProgramShape | null {
  if (shapeCache.has(program)) return shapeCache.get(program)!;
  let shape: ProgramShape | null = null;
  try {
    shape = programShape(program);
  } catch {
    // not readable by the level reader
  }
  if (shapeCache.size > 10_000) shapeCache.clear();
  shapeCache.set(program, shape);
  return shape;
}

/** The level of a proposal's program (an induction task's is its source's); a program the level
 *  reader cannot parse counts as the full grammar, L3. */
function levelOfTask(p: Proposal): Level {
  const shape = shapeOf(p.task!.program);
  return shape ? levelOfShape(shape) : 3;
}

/** Why a program is not a task under config.strictValidity, or null. A program the level reader
 *  cannot parse is not judged by the reading rule. */
function strictProblem(program: string, outputs: readonly string[]): string | null {
  if (shapeOf(program)?.readsInput === false) return 'the program never reads its input: a task must depend on it';
  if (outputs.every((o) => o === 'undefined')) return 'the program returns undefined: a task must return a value';
  return null;
}

/** The response a solver that is right would give (formatted as the parsers read it). */
function rightAnswer(t: SolveTask): string {
  if (t.type === 'induction') return formatAnswer('induction', { program: t.task.program });
  return t.type === 'deduction' ? formatAnswer('deduction', { output: t.task.output }) : formatAnswer('abduction', { input: t.task.input });
}

function taskOf(type: TaskType, task: Triplet | InductionTask): SolveTask {
  return type === 'induction' ? { type, task: task as InductionTask } : { type, task: task as Triplet };
}

function taskView(t: SolveTask): TaskView {
  return t.type === 'induction' ? { program: t.task.program, message: t.task.message, pairs: t.task.pairs.map((x) => ({ ...x })) } : snapshotTriplet(t.task);
}

function proposalEvent(step: number, p: Proposal): ProposalEvent {
  const task = p.task ? taskView(taskOf(p.type, p.task)) : null;
  const references = p.references.map(snapshotTriplet);
  const source = p.source ? snapshotTriplet(p.source) : null;
  return { step, type: p.type, text: p.gen.text, status: p.status, reason: p.reason, reward: p.reward, solveRate: p.solveRate, task, references, source };
}
