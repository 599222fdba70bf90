import { open } from 'node:fs/promises';
import { PortcullisError } from '../../core/errors.js';
import { parseCycloneDxVex } from './cyclonedx.js';
import type { VexDocument, VexFormat } from './model.js';
import { OPENVEX_CONTEXT_PREFIX, parseOpenVex } from './openvex.js';
import { quote, vexParseError } from './schema-errors.js';

/** Largest VEX document read (vendor feeds per CVE are well under 1 MB; Canonical's largest ~5 MB). */
export const MAX_VEX_BYTES = 32 * 1024 * 1024;

export interface ParseVexOptions {
  /** Shown in errors, problems and the findings' `vex.document`. */
  readonly path?: string;
  readonly maxBytes?: number;
}

/** Reads and parses one `--vex FILE`. Throws VEX_PARSE for anything that is not a usable VEX document. */
export async function readVexDocument(path: string, opts: Omit<ParseVexOptions, 'path'> = {}): Promise<VexDocument> {
  const max = opts.maxBytes ?? MAX_VEX_BYTES;
  let bytes: Buffer;
  try {
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw vexParseError('not a regular file', path);
      if (stat.size > max) throw tooLarge(stat.size, max, path);
      // Read at most max + 1 bytes: a file that grows after stat still cannot exhaust memory.
      const buffer = Buffer.alloc(Math.min(stat.size, max) + 1);
      let filled = 0;
      for (;;) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
        if (filled === buffer.length) break;
      }
      if (filled > max) throw tooLarge(filled, max, path);
      bytes = buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  } catch (err) {
    if (err instanceof PortcullisError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw vexParseError(`cannot read the VEX document${code ? ` (${code})` : ''}`, path, err);
  }
  return parseVexDocument(bytes, { path, maxBytes: max });
}

/** Parses a VEX document from bytes or text: OpenVEX or CycloneDX VEX, detected from its content. */
export function parseVexDocument(input: Uint8Array | string, opts: ParseVexOptions = {}): VexDocument {
  const { path } = opts;
  const max = opts.maxBytes ?? MAX_VEX_BYTES;
  const size = typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
  if (size > max) throw tooLarge(size, max, path);
  let text: string;
  try {
    // OpenVEX: "File encoding MUST be UTF8"; CycloneDX JSON is UTF-8 too.
    text = typeof input === 'string' ? input : new TextDecoder('utf-8', { fatal: true }).decode(input);
  } catch (err) {
    throw vexParseError('not UTF-8 text', path, err);
  }
  if (text.trim() === '') throw vexParseError('the file is empty', path);
  let json: unknown;
  try {
    json = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (err) {
    throw vexParseError(`not valid JSON (truncated or corrupt?): ${(err as Error).message}`, path, err);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw vexParseError(`expected a JSON object, found ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`, path);
  }
  const obj = json as Record<string, unknown>;
  return detectVexFormat(obj, path) === 'openvex' ? parseOpenVex(obj, path) : parseCycloneDxVex(obj, path);
}

/** Which format a parsed JSON object claims to be; throws VEX_PARSE when neither. */
export function detectVexFormat(obj: Record<string, unknown>, path?: string): VexFormat {
  const context = obj['@context'];
  if (typeof context === 'string' && context.startsWith(OPENVEX_CONTEXT_PREFIX)) return 'openvex';
  if (context !== undefined) {
    throw vexParseError(`unknown @context ${quote(context)}: OpenVEX documents use https://openvex.dev/ns or https://openvex.dev/ns/v0.2.0`, path);
  }
  if (obj.bomFormat === 'CycloneDX') return 'cyclonedx';
  const csaf = obj.document;
  if (typeof csaf === 'object' && csaf !== null && 'csaf_version' in csaf) {
    throw vexParseError('CSAF documents are not supported as --vex; use OpenVEX or CycloneDX VEX', path);
  }
  throw vexParseError('neither OpenVEX (no "@context") nor CycloneDX (no "bomFormat": "CycloneDX")', path);
}

function tooLarge(size: number, max: number, path: string | undefined): PortcullisError {
  return vexParseError(`the VEX document is ${size} bytes, larger than the ${max}-byte limit`, path);
}
