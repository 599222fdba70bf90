import { isExecutableFormat, type Matcher, type ScanResult, scanFor } from './scan.js';

/**
 * Which files may hold a runtime, and the version strings that identify it. The approach of
 * Syft's binary classifiers (syft/pkg/cataloger/binary/default_classifiers.go): choose files by
 * name, then find a version string the build embeds. The patterns here are our own, each
 * checked against the real binaries Debian ships (see README.md).
 */
export interface Classifier {
  readonly id: string;
  /** Package name (and purl name): `pkg:generic/<name>@<version>`. */
  readonly name: string;
  /** Matched against the file's base name. */
  readonly file: RegExp;
  /** Only files with an executable bit (programs), not libraries or data. */
  readonly executable: boolean;
  /** A text file (the JVM `release` file) is wanted only up to this size. */
  readonly maxSize?: number;
  read(content: Buffer, baseName: string): ScanResult & { extra?: Record<string, string> };
}

const lit = (s: string): Buffer => Buffer.from(s, 'latin1');

function binary(matchers: (baseName: string) => readonly Matcher[]) {
  return (content: Buffer, baseName: string): ScanResult => {
    if (!isExecutableFormat(content)) return { kind: 'none' };
    return scanFor(content, matchers(baseName));
  };
}

/** `node.js/v20.20.2` is in node's release metadata (static binary and Debian's libnode). */
const NODE: Matcher[] = [{ anchor: lit('node.js/v'), pattern: /^node\.js\/v(?<v>\d+\.\d+\.\d+)(?![\d.])/ }];

/**
 * CPython's PY_VERSION is a NUL-terminated literal (`\03.11.2\0`). Only the version the file
 * name promises is accepted (python3.11 → 3.11.x), which keeps stray numbers out.
 */
function pythonMatchers(baseName: string): Matcher[] {
  const mm = /^(?:lib)?python(\d+\.\d+)/.exec(baseName)?.[1];
  if (!mm) return [];
  const escaped = mm.replace('.', '\\.');
  return [{ anchor: lit(`\0${mm}.`), pattern: new RegExp(`^\\x00(?<v>${escaped}\\.\\d+(?:(?:a|b|rc)\\d+)?\\+?)\\x00`) }];
}

/**
 * OPENSSL_VERSION_TEXT: `OpenSSL 3.0.19 27 Jan 2026`, `OpenSSL 1.1.1w  11 Sep 2023`,
 * `OpenSSL 1.0.2k-fips  26 Jan 2017`. The date is required: BoringSSL's
 * `OpenSSL 1.1.1 (compatible; BoringSSL)` is not OpenSSL 1.1.1.
 */
const OPENSSL: Matcher[] = [
  {
    anchor: lit('\0OpenSSL '),
    pattern: /^\x00OpenSSL (?<v>\d+\.\d+\.\d+[a-z]{0,2}(?:-(?:alpha|beta|pre)\d+)?)(?:-fips)? {1,2}\d{1,2} [A-Z][a-z]{2} \d{4}/,
  },
];

/** `BusyBox v1.35.0 (Debian 1:1.35.0-4+b3)`; the usage banner carries the same string. */
const BUSYBOX: Matcher[] = [{ anchor: lit('BusyBox v'), pattern: /^BusyBox v(?<v>\d+\.\d+\.\d+)(?![\d.])/ }];

const JAVA_VERSION = String.raw`\d+(?:\.\d+)*(?:_\d+)?(?:[-+][0-9A-Za-z.+-]{1,60})?`;

/** The launcher (bin/java) embeds `\0openjdk\0java\0<release>\0<full version>\0`. */
const JAVA_LAUNCHER: Matcher[] = [
  { anchor: lit('\0openjdk\0java\0'), pattern: new RegExp(`^\\x00openjdk\\x00java\\x00\\d+(?:\\.\\d+)*\\x00(?<v>${JAVA_VERSION})\\x00`) },
];

/** libjvm.so: `OpenJDK 64-Bit Server VM (…) for linux-amd64 JRE (17.0.15+6-Debian-1deb12u1), built on …`. */
const LIBJVM: Matcher[] = [{ anchor: lit(' JRE ('), pattern: new RegExp(`^ JRE \\((?<v>${JAVA_VERSION})\\)`) }];

const RELEASE_MAX = 64 * 1024;

/**
 * The `release` file at the root of every JDK / JRE image since Java 9 (and many 8 builds):
 * shell-style `KEY="value"` lines. JAVA_RUNTIME_VERSION is the full version the binaries
 * carry too (17.0.15+6-Debian-1deb12u1), so the three sources merge into one package.
 */
function readRelease(content: Buffer): ScanResult & { extra?: Record<string, string> } {
  if (content.length > RELEASE_MAX) return { kind: 'none' };
  const fields = new Map<string, string>();
  for (const line of content.toString('utf8').split('\n')) {
    const m = /^([A-Z_]+)="([^"\n]{0,200})"\s*$/.exec(line);
    if (m) fields.set(m[1] as string, m[2] as string);
  }
  const javaVersion = fields.get('JAVA_VERSION');
  if (!javaVersion || !/^\d/.test(javaVersion)) return { kind: 'none' };
  const runtime = fields.get('JAVA_RUNTIME_VERSION');
  const version = runtime && runtime.startsWith(javaVersion) ? runtime : javaVersion;
  const implementor = fields.get('IMPLEMENTOR');
  return {
    kind: 'found',
    version,
    evidence: runtime ? `JAVA_RUNTIME_VERSION="${runtime}"` : `JAVA_VERSION="${javaVersion}"`,
    ...(implementor ? { extra: { implementor } } : {}),
  };
}

/** Sorted by id. A file name is claimed by at most one classifier. */
export const CLASSIFIERS: readonly Classifier[] = [
  { id: 'busybox', name: 'busybox', file: /^busybox$/, executable: true, read: binary(() => BUSYBOX) },
  { id: 'java-launcher', name: 'java', file: /^java$/, executable: true, read: binary(() => JAVA_LAUNCHER) },
  { id: 'java-release', name: 'java', file: /^release$/, executable: false, maxSize: RELEASE_MAX, read: readRelease },
  { id: 'libjvm', name: 'java', file: /^libjvm\.so$/, executable: false, read: binary(() => LIBJVM) },
  { id: 'libnode', name: 'node', file: /^libnode\.so(?:\.\d+)*$/, executable: false, read: binary(() => NODE) },
  { id: 'libpython', name: 'python', file: /^libpython\d+\.\d+[a-z]*\.so(?:\.\d+)*$/, executable: false, read: binary(pythonMatchers) },
  { id: 'libssl-libcrypto', name: 'openssl', file: /^lib(?:ssl|crypto)\.so(?:\.\d+)*$/, executable: false, read: binary(() => OPENSSL) },
  { id: 'node', name: 'node', file: /^(?:node|nodejs)$/, executable: true, read: binary(() => NODE) },
  { id: 'openssl', name: 'openssl', file: /^openssl$/, executable: true, read: binary(() => OPENSSL) },
  { id: 'python', name: 'python', file: /^python\d+\.\d+[a-z]?$/, executable: true, read: binary(pythonMatchers) },
];

/** First letters of every claimed name: most paths are turned away without a regex. */
const FIRST = new Set(['b', 'j', 'r', 'l', 'n', 'o', 'p']);

/** The classifier that claims a file, given its base name and (when known) mode and size. */
export function classifierFor(baseName: string, info?: { mode: number; size: number }): Classifier | undefined {
  if (!FIRST.has(baseName[0] ?? '')) return undefined;
  for (const c of CLASSIFIERS) {
    if (!c.file.test(baseName)) continue;
    if (c.executable && (!info || (info.mode & 0o111) === 0)) return undefined;
    if (c.maxSize !== undefined && info && info.size > c.maxSize) return undefined;
    return c;
  }
  return undefined;
}
