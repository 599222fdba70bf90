/**
 * Bounded search for version strings inside large files. A literal anchor is found with
 * `Buffer.indexOf` (native, linear); the pattern runs only on a small window that starts at
 * each hit, so a 100 MB binary is never decoded into a string.
 */

/** Bytes of a file that are searched at all (the rest is ignored). */
export const MAX_SCAN_BYTES = 256 * 1024 * 1024;
/** Bytes decoded after each anchor hit; every real version string fits in far fewer. */
const WINDOW = 192;
/** Anchor hits looked at per matcher; more means a file built to make us work. */
export const MAX_HITS = 4096;

export interface Matcher {
  /** Literal bytes every match starts with. */
  readonly anchor: Buffer;
  /** Applied at the start of the latin1 window; group `v` is the version. */
  readonly pattern: RegExp;
}

export type ScanResult = { kind: 'found'; version: string; evidence: string } | { kind: 'none' } | { kind: 'error'; message: string };

/** The first match of any matcher, tried in order. */
export function scanFor(content: Buffer, matchers: readonly Matcher[]): ScanResult {
  const data = content.length > MAX_SCAN_BYTES ? content.subarray(0, MAX_SCAN_BYTES) : content;
  for (const m of matchers) {
    let hits = 0;
    for (let at = data.indexOf(m.anchor); at >= 0; at = data.indexOf(m.anchor, at + 1)) {
      if (++hits > MAX_HITS) return { kind: 'error', message: `more than ${MAX_HITS} candidate version strings` };
      const window = data.toString('latin1', at, Math.min(data.length, at + WINDOW));
      const found = m.pattern.exec(window);
      const version = found?.groups?.v;
      if (found && found.index === 0 && version) return { kind: 'found', version, evidence: printable(found[0]) };
    }
  }
  return { kind: 'none' };
}

/** The matched bytes as readable text: NUL and other control bytes as `\xNN`. */
export function printable(raw: string): string {
  return raw.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const ELF = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const MACHO = [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe];

/** ELF, PE or Mach-O: a shell wrapper named `node` or `java` is not the runtime itself. */
export function isExecutableFormat(buf: Buffer): boolean {
  if (buf.length < 4) return false;
  if (buf.subarray(0, 4).equals(ELF)) return true;
  if (buf[0] === 0x4d && buf[1] === 0x5a) return true;
  return MACHO.includes(buf.readUInt32BE(0));
}
