import { describe, expect, test } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, parseSafetensors, SafetensorsError, type F32Tensor } from '../../../src/model/safetensors.ts';

function seq(n: number, scale: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = Math.sin(i * 1.7 + scale) * scale;
  return a;
}

const SAMPLE: F32Tensor[] = [
  { name: 'wte', shape: [5, 3], data: seq(15, 2) },
  { name: 'blocks.0.ln1.gamma', shape: [3], data: new Float32Array([1, -0, Number.MIN_VALUE]) },
  { name: 'scalar', shape: [], data: new Float32Array([Math.PI]) },
  { name: 'empty', shape: [0, 4], data: new Float32Array(0) },
];

/** The format read by hand, as a reader in another language would: no code shared with the module. */
function independentRead(bytes: Uint8Array) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(dv.getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'));
  const out: Record<string, { shape: number[]; values: number[] }> = {};
  for (const [k, v] of Object.entries<any>(header)) {
    if (k === '__metadata__') continue;
    expect(v.dtype).toBe('F32');
    const [b, e] = v.data_offsets;
    const values: number[] = [];
    for (let p = 8 + n + b; p < 8 + n + e; p += 4) values.push(dv.getFloat32(p, true));
    out[k] = { shape: v.shape, values };
  }
  return { n, header, out };
}

describe('safetensors', () => {
  test('the written bytes follow the published layout, read by an independent reader', () => {
    const bytes = encodeSafetensors(SAMPLE, { format: 'pt', note: 'hi' });
    const { n, header, out } = independentRead(bytes);
    expect(n % 8).toBe(0); // header padded so F32 data is aligned
    expect(header.__metadata__).toEqual({ format: 'pt', note: 'hi' });
    for (const t of SAMPLE) {
      expect(out[t.name].shape).toEqual(t.shape);
      expect(Object.is(out[t.name].values[1], t.data[1]) || t.data.length < 2).toBe(true);
      expect(new Float32Array(out[t.name].values)).toEqual(t.data);
    }
    // Data section is exactly the tensors, contiguous: the last end equals the remaining length.
    const ends = Object.entries<any>(header).filter(([k]) => k !== '__metadata__').map(([, v]) => v.data_offsets[1]);
    expect(Math.max(...ends)).toBe(bytes.length - 8 - n);
  });

  test('round trip is bit-identical, including -0, subnormals and NaN payloads', () => {
    const weird = new Float32Array(4);
    new Uint32Array(weird.buffer).set([0x80000000, 0x00000001, 0x7fc00001, 0xff800000]);
    const bytes = encodeSafetensors([...SAMPLE, { name: 'weird', shape: [2, 2], data: weird }]);
    const { tensors } = decodeSafetensors(bytes);
    const byName = new Map(tensors.map((t) => [t.name, t]));
    for (const t of [...SAMPLE, { name: 'weird', shape: [2, 2], data: weird }]) {
      const got = byName.get(t.name)!;
      expect(got.shape).toEqual(t.shape);
      expect(Buffer.from(got.data.buffer, got.data.byteOffset, got.data.byteLength).equals(
        Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength))).toBe(true);
    }
  });

  test('encoding is deterministic whatever the input order', () => {
    const a = encodeSafetensors(SAMPLE);
    const b = encodeSafetensors([...SAMPLE].reverse());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });

  test('numpy reads the file with the standard layout (when python3 with numpy is present)', (ctx) => {
    const probe = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' });
    if (probe.status !== 0) ctx.skip(); // no python3+numpy here: the TypeScript reader above still checks the layout
    const dir = mkdtempSync(join(tmpdir(), 'azr-st-'));
    try {
      const file = join(dir, 'w.safetensors');
      writeFileSync(file, encodeSafetensors(SAMPLE, { format: 'pt' }));
      // The safetensors numpy loader, reduced to its format logic: struct + json + frombuffer.
      const py = `
import json, struct, sys, numpy as np
b = open(sys.argv[1], 'rb').read()
(n,) = struct.unpack('<Q', b[:8])
h = json.loads(b[8:8+n])
meta = h.pop('__metadata__', {})
res = {'meta': meta}
for k, v in h.items():
    s, e = v['data_offsets']
    a = np.frombuffer(b[8+n+s:8+n+e], dtype='<f4').reshape(v['shape'])
    res[k] = {'shape': list(a.shape), 'sum': float(a.astype(np.float64).sum())}
print(json.dumps(res))`;
      const r = spawnSync('python3', ['-c', py, file], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const res = JSON.parse(r.stdout);
      expect(res.meta).toEqual({ format: 'pt' });
      for (const t of SAMPLE) {
        expect(res[t.name].shape).toEqual(t.shape);
        expect(res[t.name].sum).toBeCloseTo(t.data.reduce((s, x) => s + x, 0), 10);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('rejects malformed input with a named error', () => {
    const good = encodeSafetensors(SAMPLE);
    const n = Number(new DataView(good.buffer).getBigUint64(0, true));
    const withHeader = (h: unknown, dataBytes = 0) => {
      const json = new TextEncoder().encode(JSON.stringify(h));
      const out = new Uint8Array(8 + json.length + dataBytes);
      new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
      out.set(json, 8);
      return out;
    };
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty file', new Uint8Array(0), /truncated/],
      ['header cut', good.subarray(0, 8 + n - 3), /truncated: header/],
      ['data cut', good.subarray(0, good.length - 4), /truncated: tensors need/],
      ['trailing bytes', new Uint8Array([...good, 0, 0, 0, 0]), /trailing bytes/],
      ['not JSON', (() => { const b = good.slice(); b[8] = 0x7b; b[9] = 0x7b; return b; })(), /not UTF-8 JSON/],
      ['huge length', (() => { const b = good.slice(); new DataView(b.buffer).setBigUint64(0, 1n << 60n, true); return b; })(), /implausible/],
      ['array header', withHeader([1, 2]), /must be an object/],
      ['unknown dtype', withHeader({ a: { dtype: 'F31', shape: [1], data_offsets: [0, 4] } }, 4), /unknown dtype/],
      ['bad shape', withHeader({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, 4), /invalid shape/],
      ['span mismatch', withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, 4), /needs 8 bytes/],
      ['gap', withHeader({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), /gap/],
      ['overlap', withHeader({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, 8), /overlaps/],
      ['bad metadata', withHeader({ __metadata__: { a: 1 } }), /must map strings/],
    ];
    test.each(cases)('%s', (_label, bytes, message) => {
      expect(() => parseSafetensors(bytes)).toThrow(SafetensorsError);
      expect(() => parseSafetensors(bytes)).toThrow(message);
    });

    test('a non-F32 tensor parses but cannot be read as F32', () => {
      const b = withHeader({ a: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4);
      expect(parseSafetensors(b).entries[0].dtype).toBe('F16');
      expect(() => decodeSafetensors(b)).toThrow(/is F16, expected F32/);
    });

    test('the writer refuses inconsistent tensors', () => {
      expect(() => encodeSafetensors([{ name: 'a', shape: [2, 2], data: new Float32Array(3) }])).toThrow(/holds 4 values but data has 3/);
      expect(() => encodeSafetensors([{ name: 'a', shape: [1], data: new Float32Array(1) }, { name: 'a', shape: [1], data: new Float32Array(1) }])).toThrow(/twice/);
      expect(() => encodeSafetensors([{ name: '__metadata__', shape: [1], data: new Float32Array(1) }])).toThrow(/reserved/);
    });
  });
});
