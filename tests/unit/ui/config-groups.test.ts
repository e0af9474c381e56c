import { describe, expect, test } from 'vitest';
import { PROPS } from '../../../src/core/urlstate.ts';
import { CONFIG_GROUPS } from '../../../src/ui/state/config-groups.ts';

describe('config panel groups', () => {
  test('every URL property has a control, in exactly one group, and no group names an unknown key', () => {
    const grouped = CONFIG_GROUPS.flatMap((g) => g.keys);
    expect(new Set(grouped).size).toBe(grouped.length);
    expect([...grouped].sort()).toEqual(PROPS.map((p) => p.key).sort());
  });
});
