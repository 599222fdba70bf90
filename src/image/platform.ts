import { PortcullisError } from '../core/errors.js';

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

/** Parses `os/arch[/variant]` (e.g. `linux/arm64/v8`); default linux/amd64. */
export function parsePlatform(text: string | undefined): Platform {
  if (!text) return { os: 'linux', architecture: 'amd64' };
  const parts = text.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => p === '')) {
    throw new PortcullisError('USAGE', `--platform must be os/arch[/variant], got "${text}"`);
  }
  const [os = '', architecture = '', variant] = parts;
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** Whether a descriptor's platform satisfies the wanted one (variant only when asked for). */
export function platformMatches(have: Partial<Platform> | undefined, want: Platform): boolean {
  if (!have) return false;
  if (have.os !== want.os || have.architecture !== want.architecture) return false;
  if (want.variant && have.variant && have.variant !== want.variant) return false;
  // arm64 images often omit the v8 variant; treat absent as matching.
  return true;
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}
