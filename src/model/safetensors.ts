// The safetensors file format, F32 only, written and read without any library so that
// the browser, the CLI and the tests share one implementation with no native code.
//
// Layout (https://github.com/huggingface/safetensors, "Format"):
//   8 bytes   N, unsigned little-endian 64-bit: the header's length in bytes
//   N bytes   UTF-8 JSON: { "<tensor name>": { "dtype": "F32", "shape": [..],
//             "data_offsets": [begin, end] }, ..., "__metadata__": { string: string } }
//   rest      the tensor data, little-endian, each tensor at [begin, end) counted
//             from the first byte after the header; tensors are contiguous, no gaps.
//
// We pad the header with trailing spaces to a multiple of 8 bytes (as the reference
// writer does) so every F32 tensor starts 4-byte aligned in the file and can be read
// without an unaligned copy. Readers of the reference implementation accept this.
//
// Pure TypeScript: no tfjs, no node:* — the checkpoint layer turns these into tensors.

/** Anything wrong with a safetensors byte string; the message says what and where. */
export class SafetensorsError extends Error {
  override name = 'SafetensorsError';
}

export interface F32Tensor {
  name: string;
  shape: number[];
  data: Float32Array;
}

/** A tensor as the header describes it, before its bytes are copied out. */
export interface TensorEntry {
  name: string;
  dtype: string;
  shape: number[];
  /** Byte range inside the data section. */
  begin: number;
  end: number;
}

export interface ParsedSafetensors {
  metadata: Record<string, string>;
  /** In data order (ascending offsets). */
  entries: TensorEntry[];
  /** Bytes of the data section (a view into the input, not a copy). */
  data: Uint8Array;
}

const METADATA_KEY = '__metadata__';
/** A header larger than this is not a checkpoint of ours (the reference reader caps at 100 MB too). */
const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Bytes per element of the dtypes the format defines; used to check offsets even for dtypes we do not load. */
const DTYPE_BYTES: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};

function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

function checkName(name: string): void {
  if (name.length === 0) throw new SafetensorsError('a tensor name is empty');
  if (name === METADATA_KEY) throw new SafetensorsError(`"${METADATA_KEY}" is reserved and cannot name a tensor`);
}

/** Serialise F32 tensors (written in name order, so equal inputs give equal bytes). */
export function encodeSafetensors(tensors: readonly F32Tensor[], metadata: Record<string, string> = {}): Uint8Array {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new SafetensorsError(`metadata "${k}" must be a string (the format allows only string values)`);
  }
  if (Object.keys(metadata).length > 0) header[METADATA_KEY] = metadata;
  let offset = 0;
  for (let i = 0; i < sorted.length; i++) {
    const t = sorted[i];
    checkName(t.name);
    if (i > 0 && sorted[i - 1].name === t.name) throw new SafetensorsError(`tensor "${t.name}" appears twice`);
    if (!t.shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new SafetensorsError(`tensor "${t.name}": shape [${t.shape}] must be non-negative integers`);
    }
    if (elementCount(t.shape) !== t.data.length) {
      throw new SafetensorsError(`tensor "${t.name}": shape [${t.shape}] holds ${elementCount(t.shape)} values but data has ${t.data.length}`);
    }
    const bytes = t.data.length * 4;
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  let pos = 8 + headerLen;
  for (const t of sorted) {
    if (LITTLE_ENDIAN_HOST) {
      out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    } else {
      for (let j = 0; j < t.data.length; j++) view.setFloat32(pos + 4 * j, t.data[j], true);
    }
    pos += t.data.length * 4;
  }
  return out;
}

/**
 * Parse and validate the header against the byte string: every rule a conforming reader
 * enforces (lengths, JSON shape, offsets inside the data, no gaps or overlaps, the data
 * section fully covered). Tensor bytes are not copied.
 */
export function parseSafetensors(bytes: Uint8Array): ParsedSafetensors {
  if (bytes.length < 8) throw new SafetensorsError(`truncated: ${bytes.length} bytes, the 8-byte header length is missing`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(MAX_HEADER_BYTES)) throw new SafetensorsError(`bad header: declared header length ${n64} bytes is implausible`);
  const n = Number(n64);
  if (8 + n > bytes.length) throw new SafetensorsError(`truncated: header declares ${n} bytes but only ${bytes.length - 8} follow`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new SafetensorsError(`bad header: not UTF-8 JSON (${(e as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new SafetensorsError('bad header: the JSON header must be an object');
  }
  const data = bytes.subarray(8 + n);
  let metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === METADATA_KEY) {
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !Object.values(raw).every((v) => typeof v === 'string')) {
        throw new SafetensorsError(`bad header: "${METADATA_KEY}" must map strings to strings`);
      }
      metadata = raw as Record<string, string>;
      continue;
    }
    checkName(name);
    const e = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (typeof e !== 'object' || e === null) throw new SafetensorsError(`bad header: entry "${name}" is not an object`);
    if (typeof e.dtype !== 'string' || !(e.dtype in DTYPE_BYTES)) {
      throw new SafetensorsError(`bad header: tensor "${name}" has unknown dtype ${JSON.stringify(e.dtype)}`);
    }
    if (!Array.isArray(e.shape) || !e.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new SafetensorsError(`bad header: tensor "${name}" has an invalid shape ${JSON.stringify(e.shape)}`);
    }
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !off.every((d) => Number.isSafeInteger(d) && d >= 0) || off[1] < off[0]) {
      throw new SafetensorsError(`bad header: tensor "${name}" has invalid data_offsets ${JSON.stringify(off)}`);
    }
    const expected = elementCount(e.shape as number[]) * DTYPE_BYTES[e.dtype];
    if (off[1] - off[0] !== expected) {
      throw new SafetensorsError(`bad header: tensor "${name}" (${e.dtype} [${e.shape}]) needs ${expected} bytes but data_offsets span ${off[1] - off[0]}`);
    }
    entries.push({ name, dtype: e.dtype, shape: e.shape as number[], begin: off[0], end: off[1] });
  }
  entries.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const e of entries) {
    if (e.begin !== pos) {
      throw new SafetensorsError(e.begin < pos
        ? `bad header: tensor "${e.name}" overlaps the previous tensor (starts at ${e.begin}, previous ends at ${pos})`
        : `bad header: gap in the data before tensor "${e.name}" (bytes ${pos}..${e.begin} belong to no tensor)`);
    }
    pos = e.end;
  }
  if (pos > data.length) throw new SafetensorsError(`truncated: tensors need ${pos} data bytes but only ${data.length} are present`);
  if (pos < data.length) throw new SafetensorsError(`bad file: ${data.length - pos} trailing bytes after the last tensor`);
  return { metadata, entries, data };
}

/** A fresh Float32Array of an F32 entry's values. */
export function readF32(parsed: ParsedSafetensors, entry: TensorEntry): Float32Array {
  if (entry.dtype !== 'F32') throw new SafetensorsError(`tensor "${entry.name}" is ${entry.dtype}, expected F32`);
  const src = parsed.data.subarray(entry.begin, entry.end);
  if (LITTLE_ENDIAN_HOST) return new Float32Array(src.slice().buffer);
  const out = new Float32Array(src.length / 4);
  const view = new DataView(src.buffer, src.byteOffset, src.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
  return out;
}

/** Parse and copy out every tensor; fails on any dtype other than F32. */
export function decodeSafetensors(bytes: Uint8Array): { metadata: Record<string, string>; tensors: F32Tensor[] } {
  const parsed = parseSafetensors(bytes);
  const tensors = parsed.entries.map((e) => ({ name: e.name, shape: [...e.shape], data: readF32(parsed, e) }));
  return { metadata: parsed.metadata, tensors };
}
