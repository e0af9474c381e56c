// Checkpoints as bytes: the format (config.json + safetensors files), its validation and
// the one-file ustar bundle. Nothing here imports tfjs, so the page's thread can store,
// list, download, upload and check checkpoints without loading it (tfjs lives in the
// trainer worker); checkpoint.ts adds what needs tensors (capture, restore, build a model)
// and re-exports all of this.
//
// Three files (names fixed, see CHECKPOINT_FILES):
//   config.json            {"format": "azr-checkpoint", "version": 1, "model": ModelConfig,
//                           "tokenizer": TokenizerJSON, "files": {name: {bytes, crc32}},
//                           "meta": {...free-form: step, run config, time…}}
//   weights.safetensors    every model variable, F32, under its namedVariables() name
//   optimizer.safetensors  optional: the optimizer's state tensors (F32) and string metadata
//                          {kind: "adamw" | "muon", step}
//
// config.json alone rebuilds the model (config + tokenizer); the byte size and CRC-32
// it records for each tensor file catch truncation, bit rot and a weights file paired
// with another checkpoint's config — safetensors itself carries no checksum.
//
// A bundle (one downloadable file) is a POSIX ustar archive of the same three files,
// so `tar -xf x.ckpt.tar` unpacks it into a directory the CLI can load; see
// bundleCheckpoint. Storage backends: checkpoint-node.ts (directories, atomic),
// checkpoint-browser.ts (IndexedDB, download/upload).
import { ModelConfigError, validateModelConfig, type ModelConfig } from './config.ts';
import { tokenizerFromJSON, TokenizerError, type Tokenizer, type TokenizerJSON } from './tokenizer.ts';
import { parseSafetensors, readF32, SafetensorsError, type F32Tensor } from './safetensors.ts';

export const CHECKPOINT_FORMAT = 'azr-checkpoint';
export const CHECKPOINT_VERSION = 1;
export const CHECKPOINT_FILES = {
  config: 'config.json',
  weights: 'weights.safetensors',
  optimizer: 'optimizer.safetensors',
} as const;

/** Anything wrong with a checkpoint: the message names the file and the problem. */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export interface FileDigest {
  bytes: number;
  crc32: string;
}

export interface CheckpointConfig {
  format: typeof CHECKPOINT_FORMAT;
  version: typeof CHECKPOINT_VERSION;
  model: ModelConfig;
  tokenizer: TokenizerJSON;
  files: { [CHECKPOINT_FILES.weights]: FileDigest; [CHECKPOINT_FILES.optimizer]?: FileDigest };
  meta: Record<string, unknown>;
}

/** A checkpoint as bytes: what every store reads and writes. */
export interface CheckpointFiles {
  config: string;
  weights: Uint8Array;
  optimizer?: Uint8Array;
}

/** A parsed and validated checkpoint whose tensors live on the host. */
export interface ParsedCheckpoint {
  config: CheckpointConfig;
  weights: Map<string, F32Tensor>;
  optimizer?: { tensors: Map<string, F32Tensor>; meta: Record<string, string> };
}

// ---------------------------------------------------------------------------------
// CRC-32 (IEEE 802.3, as zip and gzip use).

let CRC_TABLE: Uint32Array | undefined;

export function crc32(bytes: Uint8Array): string {
  if (!CRC_TABLE) {
    CRC_TABLE = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      CRC_TABLE[n] = c >>> 0;
    }
  }
  const t = CRC_TABLE;
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = t[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ((c ^ 0xffffffff) >>> 0).toString(16).padStart(8, '0');
}

export function digest(bytes: Uint8Array): FileDigest {
  return { bytes: bytes.length, crc32: crc32(bytes) };
}

// ---------------------------------------------------------------------------------
// Parse and validate: bytes → host tensors, or a CheckpointError.

function parseConfig(text: string): CheckpointConfig {
  const file = CHECKPOINT_FILES.config;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CheckpointError(`${file}: must be a JSON object`);
  const c = raw as Record<string, unknown>;
  if (c.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${file}: format is ${JSON.stringify(c.format)}, expected "${CHECKPOINT_FORMAT}" (not a checkpoint of this project)`);
  }
  if (c.version !== CHECKPOINT_VERSION) {
    throw new CheckpointError(`${file}: format version ${JSON.stringify(c.version)} is not supported (this build reads version ${CHECKPOINT_VERSION})`);
  }
  let model: ModelConfig;
  try {
    model = validateModelConfig(c.model);
  } catch (e) {
    if (e instanceof ModelConfigError) throw new CheckpointError(`${file}: ${e.message}`);
    throw e;
  }
  let tokenizer: Tokenizer;
  try {
    tokenizer = tokenizerFromJSON(c.tokenizer);
  } catch (e) {
    if (e instanceof TokenizerError) throw new CheckpointError(`${file}: ${e.message}`);
    throw e;
  }
  if (tokenizer.vocabSize !== model.vocabSize) {
    throw new CheckpointError(`${file}: the tokenizer has ${tokenizer.vocabSize} ids but the model config says vocabSize ${model.vocabSize}`);
  }
  const files = c.files as Record<string, unknown> | undefined;
  if (typeof files !== 'object' || files === null) throw new CheckpointError(`${file}: "files" (sizes and checksums) is missing`);
  for (const [name, d] of Object.entries(files)) {
    if (name !== CHECKPOINT_FILES.weights && name !== CHECKPOINT_FILES.optimizer) {
      throw new CheckpointError(`${file}: "files" lists an unknown file "${name}"`);
    }
    const fd = d as Partial<FileDigest> | null;
    if (!fd || !Number.isSafeInteger(fd.bytes) || typeof fd.crc32 !== 'string' || !/^[0-9a-f]{8}$/.test(fd.crc32)) {
      throw new CheckpointError(`${file}: "files.${name}" must be {bytes, crc32}`);
    }
  }
  if (!files[CHECKPOINT_FILES.weights]) throw new CheckpointError(`${file}: "files" has no entry for ${CHECKPOINT_FILES.weights}`);
  const meta = c.meta ?? {};
  if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) throw new CheckpointError(`${file}: "meta" must be an object`);
  return {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model,
    tokenizer: tokenizer.toJSON(),
    files: files as CheckpointConfig['files'],
    meta: meta as Record<string, unknown>,
  };
}

function checkDigest(name: string, bytes: Uint8Array, expected: FileDigest): void {
  if (bytes.length !== expected.bytes) {
    throw new CheckpointError(`${name}: ${bytes.length} bytes, but config.json recorded ${expected.bytes} (${bytes.length < expected.bytes ? 'truncated' : 'wrong file'})`);
  }
  const got = crc32(bytes);
  if (got !== expected.crc32) {
    throw new CheckpointError(`${name}: checksum ${got} does not match ${expected.crc32} in config.json (the file is corrupt or belongs to another checkpoint)`);
  }
}

/** A tensor file's header checked (and, when `decode`, its tensors copied out). */
function parseTensorFile(name: string, bytes: Uint8Array, decode = true): { tensors: Map<string, F32Tensor>; meta: Record<string, string> } {
  try {
    const parsed = parseSafetensors(bytes);
    const tensors = new Map<string, F32Tensor>();
    for (const e of parsed.entries) {
      if (e.dtype !== 'F32') throw new CheckpointError(`${name}: tensor "${e.name}" has dtype ${e.dtype}; checkpoints hold F32 only`);
      if (decode) tensors.set(e.name, { name: e.name, shape: [...e.shape], data: readF32(parsed, e) });
    }
    return { tensors, meta: parsed.metadata };
  } catch (e) {
    if (e instanceof SafetensorsError) throw new CheckpointError(`${name}: ${e.message}`);
    throw e;
  }
}

/**
 * Validate every part of a checkpoint and decode its tensors. Checks the files against
 * the sizes and checksums in config.json when `verifyDigests` (default), so a flipped
 * bit or a mismatched pair is reported before the tensor headers are even read.
 */
export function parseCheckpoint(files: CheckpointFiles, { verifyDigests = true } = {}): ParsedCheckpoint {
  return readCheckpoint(files, verifyDigests, true);
}

/**
 * Every check parseCheckpoint makes (config, sizes, checksums, tensor headers and dtypes,
 * optimizer metadata) without copying out a single tensor; returns the config. The page
 * runs this before it stores a checkpoint or hands one to the trainer worker, which decodes
 * it there: decoding every tensor on the page's thread would be one of its longest tasks.
 */
export function validateCheckpoint(files: CheckpointFiles, { verifyDigests = true } = {}): CheckpointConfig {
  return readCheckpoint(files, verifyDigests, false).config;
}

function readCheckpoint(files: CheckpointFiles, verifyDigests: boolean, decode: boolean): ParsedCheckpoint {
  if (typeof files.config !== 'string') throw new CheckpointError(`${CHECKPOINT_FILES.config} is missing`);
  if (!(files.weights instanceof Uint8Array)) throw new CheckpointError(`${CHECKPOINT_FILES.weights} is missing`);
  const config = parseConfig(files.config);
  const optDigest = config.files[CHECKPOINT_FILES.optimizer];
  if (verifyDigests) {
    checkDigest(CHECKPOINT_FILES.weights, files.weights, config.files[CHECKPOINT_FILES.weights]);
    if (files.optimizer && optDigest) checkDigest(CHECKPOINT_FILES.optimizer, files.optimizer, optDigest);
  }
  if (optDigest && !files.optimizer) throw new CheckpointError(`${CHECKPOINT_FILES.optimizer} is listed in config.json but missing`);
  if (files.optimizer && !optDigest) throw new CheckpointError(`${CHECKPOINT_FILES.optimizer} is present but config.json does not list it`);
  const weights = parseTensorFile(CHECKPOINT_FILES.weights, files.weights, decode).tensors;
  const optimizer = files.optimizer ? parseTensorFile(CHECKPOINT_FILES.optimizer, files.optimizer, decode) : undefined;
  if (optimizer && !/^(0|[1-9][0-9]*)$/.test(optimizer.meta.step ?? '')) {
    throw new CheckpointError(`${CHECKPOINT_FILES.optimizer}: metadata "step" must be a non-negative integer, got ${JSON.stringify(optimizer.meta.step)}`);
  }
  return { config, weights, optimizer };
}

// ---------------------------------------------------------------------------------
// Bundle: the three files in one POSIX ustar archive (512-byte header per file, data
// padded to 512 bytes, two zero blocks at the end). Any tar reads it.

const BLOCK = 512;

function writeField(h: Uint8Array, offset: number, length: number, value: string): void {
  const b = new TextEncoder().encode(value);
  if (b.length > length) throw new CheckpointError(`tar field too long: ${value}`);
  h.set(b, offset);
}

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function tarHeader(name: string, size: number, mtime: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  writeField(h, 0, 100, name);
  writeField(h, 100, 8, octal(0o644, 8));
  writeField(h, 108, 8, octal(0, 8));
  writeField(h, 116, 8, octal(0, 8));
  writeField(h, 124, 12, octal(size, 12));
  writeField(h, 136, 12, octal(mtime, 12));
  h.fill(0x20, 148, 156); // checksum is computed with its own field as spaces
  h[156] = 0x30; // '0': regular file
  writeField(h, 257, 6, 'ustar\0');
  writeField(h, 263, 2, '00');
  let sum = 0;
  for (const b of h) sum += b;
  writeField(h, 148, 8, sum.toString(8).padStart(6, '0') + '\0 ');
  return h;
}

/** One file holding a checkpoint, for download and upload: a ustar archive. */
export function bundleCheckpoint(files: CheckpointFiles, mtime = Math.floor(Date.now() / 1000)): Uint8Array {
  const entries: [string, Uint8Array][] = [
    [CHECKPOINT_FILES.config, new TextEncoder().encode(files.config)],
    [CHECKPOINT_FILES.weights, files.weights],
  ];
  if (files.optimizer) entries.push([CHECKPOINT_FILES.optimizer, files.optimizer]);
  const size = entries.reduce((s, [, d]) => s + BLOCK + Math.ceil(d.length / BLOCK) * BLOCK, 0) + 2 * BLOCK;
  const out = new Uint8Array(size);
  let pos = 0;
  for (const [name, data] of entries) {
    out.set(tarHeader(name, data.length, mtime), pos);
    pos += BLOCK;
    out.set(data, pos);
    pos += Math.ceil(data.length / BLOCK) * BLOCK;
  }
  return out;
}

function readString(b: Uint8Array, offset: number, length: number): string {
  const field = b.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return new TextDecoder().decode(end < 0 ? field : field.subarray(0, end));
}

/** Read a bundle back (also one re-made with `tar -cf`, folders and pax headers allowed). */
export function unbundleCheckpoint(bytes: Uint8Array): CheckpointFiles {
  const found = new Map<string, Uint8Array>();
  let pos = 0;
  for (;;) {
    if (pos + BLOCK > bytes.length) throw new CheckpointError(`bundle: truncated (a tar header at byte ${pos} is cut off)`);
    const h = bytes.subarray(pos, pos + BLOCK);
    if (h.every((b) => b === 0)) break;
    if (readString(h, 257, 5) !== 'ustar') throw new CheckpointError(`bundle: not a tar archive (no ustar header at byte ${pos})`);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    const recorded = parseInt(readString(h, 148, 8).trim(), 8);
    if (recorded !== sum) throw new CheckpointError(`bundle: tar header checksum mismatch at byte ${pos}`);
    const size = parseInt(readString(h, 124, 12).trim() || '0', 8);
    if (!Number.isSafeInteger(size) || size < 0) throw new CheckpointError(`bundle: bad size field at byte ${pos}`);
    const type = String.fromCharCode(h[156] || 0x30);
    const prefix = readString(h, 345, 155);
    const name = (prefix ? `${prefix}/` : '') + readString(h, 0, 100);
    const start = pos + BLOCK;
    if (start + size > bytes.length) throw new CheckpointError(`bundle: truncated (${name} needs ${size} bytes)`);
    if (type === '0') {
      const base = name.split('/').pop()!;
      if (!Object.values(CHECKPOINT_FILES).includes(base as never)) throw new CheckpointError(`bundle: unexpected file "${name}"`);
      if (found.has(base)) throw new CheckpointError(`bundle: "${base}" appears twice`);
      found.set(base, bytes.subarray(start, start + size));
    } else if (type !== '5' && type !== 'x' && type !== 'g') {
      throw new CheckpointError(`bundle: "${name}" has tar entry type '${type}'; only regular files are expected`);
    }
    pos = start + Math.ceil(size / BLOCK) * BLOCK;
  }
  const config = found.get(CHECKPOINT_FILES.config);
  const weights = found.get(CHECKPOINT_FILES.weights);
  if (!config) throw new CheckpointError(`bundle: ${CHECKPOINT_FILES.config} is missing`);
  if (!weights) throw new CheckpointError(`bundle: ${CHECKPOINT_FILES.weights} is missing`);
  const optimizer = found.get(CHECKPOINT_FILES.optimizer);
  return { config: new TextDecoder().decode(config), weights, ...(optimizer ? { optimizer } : {}) };
}
