import { apkCataloger } from './apk/index.js';
import { binaryCataloger } from './binary/index.js';
import { composerCataloger } from './composer/index.js';
import { dotnetCataloger } from './dotnet/index.js';
import { dpkgCataloger } from './dpkg/index.js';
import { goCataloger } from './go/index.js';
import { javaCataloger } from './java/index.js';
import { npmCataloger } from './npm/index.js';
import { pythonCataloger } from './python/index.js';
import { rpmCataloger } from './rpm/index.js';
import { rubyCataloger } from './ruby/index.js';
import { rustCataloger } from './rust/index.js';
import type { Cataloger } from './types.js';

/**
 * Every cataloger, sorted by id. Nothing registers itself by being imported: a cataloger
 * runs only when it is listed here (STYLE.md habit 1).
 */
export const CATALOGERS: readonly Cataloger[] = [
  apkCataloger,
  binaryCataloger,
  composerCataloger,
  dotnetCataloger,
  dpkgCataloger,
  goCataloger,
  javaCataloger,
  npmCataloger,
  pythonCataloger,
  rpmCataloger,
  rubyCataloger,
  rustCataloger,
];

export function catalogerById(id: string): Cataloger | undefined {
  return CATALOGERS.find((c) => c.id === id);
}
