// The live feed's model: trainer events folded into items the Feed component renders
// without reshaping. One item per proposal (its task or why it was rejected, r̄ and the
// learnability rollouts' answers) and one per solver-batch task (its samples, each with
// reward and TRR++ advantage, and the task they answer). The list is capped so a long
// run never grows the page.
//
// Advantages are not in the events: they are computed here, when the step's own `step`
// event arrives (it comes last, on the same port, so every proposal and rollout of the
// step is in by then), from the same items the loop normalised — every proposal and every
// solver-batch sample — with core's computeAdvantages, so the numbers are the loop's.
import { computeAdvantages, type AdvantageItem } from '../../core/advantages.ts';
import type { Baseline } from '../../core/config.ts';
import type { ProposalEvent, RolloutEvent, TaskView } from '../../selfplay/report.ts';
import type { TrainerEvent } from '../../selfplay/trainer.ts';

export const FEED_CAP = 200;

export interface Answer {
  text: string;
  answer: string | null;
  outcome: RolloutEvent['outcome'];
  reason: string;
  reward: number;
  advantage: number | null;
}

export interface ProposalItem {
  kind: 'proposal';
  key: string;
  step: number;
  index: number;
  event: ProposalEvent;
  advantage: number | null;
  rollouts: Answer[];
}

export interface SolveItem {
  kind: 'solve';
  key: string;
  step: number;
  type: RolloutEvent['type'];
  task: number;
  /** The task its samples answer (program and input / output, or the induction pairs). */
  problem: TaskView;
  samples: Answer[];
}

export type FeedItem = ProposalItem | SolveItem;

export class FeedModel {
  /** Newest last. */
  items: FeedItem[] = [];
  private open = new Map<number, { proposals: ProposalItem[]; solves: Map<string, SolveItem> }>();

  constructor(private readonly cap = FEED_CAP) {}

  private stepOf(step: number) {
    let s = this.open.get(step);
    if (!s) this.open.set(step, (s = { proposals: [], solves: new Map() }));
    return s;
  }

  private push(item: FeedItem): void {
    this.items.push(item);
    if (this.items.length > this.cap) this.items.splice(0, this.items.length - this.cap);
  }

  /** Folds one event in; returns true when the visible items changed. */
  add(e: TrainerEvent, baseline: Baseline): boolean {
    switch (e.type) {
      case 'proposal': {
        const s = this.stepOf(e.event.step);
        const item: ProposalItem = { kind: 'proposal', key: `p${e.event.step}.${s.proposals.length}`, step: e.event.step, index: s.proposals.length, event: e.event, advantage: null, rollouts: [] };
        s.proposals.push(item);
        this.push(item);
        return true;
      }
      case 'rollout': {
        const r = e.event;
        const s = this.stepOf(r.step);
        const answer: Answer = { text: r.text, answer: r.answer, outcome: r.outcome, reason: r.reason, reward: r.reward, advantage: null };
        if (r.purpose === 'learnability') {
          // A learnability rollout's `task` is the index of the proposal it rates.
          s.proposals[r.task]?.rollouts.push(answer);
          return true;
        }
        const id = `${r.type}.${r.task}`;
        let item = s.solves.get(id);
        if (!item) {
          item = { kind: 'solve', key: `s${r.step}.${id}`, step: r.step, type: r.type, task: r.task, problem: r.problem, samples: [] };
          s.solves.set(id, item);
          this.push(item);
        }
        item.samples.push(answer);
        return true;
      }
      case 'step': {
        const s = this.open.get(e.event.step);
        this.open.delete(e.event.step);
        if (!s) return false;
        const items: AdvantageItem[] = [];
        const targets: { set: (a: number) => void }[] = [];
        for (const p of s.proposals) {
          items.push({ type: p.event.type, role: 'propose', reward: p.event.reward, group: `${p.event.type}.propose` });
          targets.push({ set: (a) => (p.advantage = a) });
        }
        for (const item of s.solves.values()) {
          for (const a of item.samples) {
            items.push({ type: item.type, role: 'solve', reward: a.reward, group: `solve.${item.type}.${item.task}` });
            targets.push({ set: (x) => (a.advantage = x) });
          }
        }
        try {
          computeAdvantages(items, { baseline }).advantages.forEach((a, i) => targets[i].set(a));
        } catch {
          // A malformed event (non-finite reward) leaves the advantages blank; the feed goes on.
        }
        return true;
      }
      default:
        return false;
    }
  }

  clear(): void {
    this.items = [];
    this.open.clear();
  }
}
