// The three task types as a plain constant: what the page's first chunk needs to draw its
// charts, without the parsers (acorn, valibot) that taskfile.ts and tasks.ts bring along.
export const TASK_TYPES = ['deduction', 'abduction', 'induction'] as const;
export type TaskType = (typeof TASK_TYPES)[number];
