// How the config panel groups the run's knobs: every key of urlstate's property table
// appears in exactly one group (tests/unit/ui/config-groups.test.ts), so a field added to
// the config cannot exist in the URL yet be missing from the page.
export const CONFIG_GROUPS: readonly { title: string; keys: readonly string[] }[] = [
  { title: 'Run', keys: ['seed', 'types', 'model', 'backend'] },
  { title: 'Self-play', keys: ['seedLevels', 'strictValidity', 'behaviourDup', 'batch', 'refs', 'useRefs', 'inputs', 'rollouts', 'group', 'seedFactor', 'propose', 'trainProposer'] },
  { title: 'Policy update', keys: ['baseline', 'execAnswers', 'optimizer', 'lr', 'wd', 'gradClip', 'clip', 'entropy', 'kl', 'klRoles', 'temp', 'topP'] },
  { title: 'Budgets', keys: ['maxPrompt', 'maxResponse', 'timeout'] },
  { title: 'Rewards', keys: ['rCorrect', 'rWrong', 'rFormat', 'rType', 'rNear', 'pInvalid', 'pFormat', 'learnability', 'modalHits', 'trivial', 'duplicate', 'dupPenalty'] },
];
