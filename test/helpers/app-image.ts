import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bookwormBase, testCacheDir } from './debian-image.js';
import { docker, imageExists } from './docker.js';
import { exec } from './exec.js';
import { withFileLock } from './lock.js';
import { withTmpDir } from './tmp.js';

/**
 * A Debian application image with language packages of every kind, built on this machine
 * for the language-package acceptance tests (and reused by the vulnerability e2e):
 * - Debian-packaged libraries: python3-requests/jinja2/cryptography, ruby-rack, skopeo (a Go
 *   binary), libcommons-lang3-java (a jar), nodejs + npm (hundreds of node-* packages);
 * - a pip-installed distribution and a `gem install`ed gem outside dpkg, both old versions;
 * - an npm application in /app with old lodash, minimist and express, installed on the host
 *   from the npm registry and copied in.
 * Only the npm registry and Debian's archive are reachable (ENVIRONMENT.md), so the pip and
 * gem packages are upstream code taken from Debian 11's binary packages (pinned by the
 * sha256 their signed Packages index lists) and installed with the real pip / gem.
 */

/** `apt-get install -y` exactly these (recommends included, as users do). */
export const APP_APT_PACKAGES = [
  'python3-requests',
  'python3-jinja2',
  'python3-cryptography',
  'ruby-rack',
  'skopeo',
  'libcommons-lang3-java',
  'python3-pip',
  'nodejs',
  'npm',
] as const;

/** The application's direct dependencies: old versions with known advisories. */
export const APP_NPM_DEPENDENCIES = { express: '4.15.0', lodash: '4.17.4', minimist: '0.0.8' } as const;

interface DebSource {
  readonly url: string;
  readonly sha256: string;
}

const BULLSEYE = 'http://deb.debian.org/debian/pool/main';
/** urllib3 1.26.5 (Debian 11's python3-urllib3 1.26.5-1~exp1). */
const URLLIB3: DebSource = {
  url: `${BULLSEYE}/p/python-urllib3/python3-urllib3_1.26.5-1~exp1_all.deb`,
  sha256: '55187f8440eb6b14dabdddca34d1c93b488f1874fdd5acf77bfafd0421328168',
};
/** rack 2.1.4 (Debian 11's ruby-rack 2.1.4-3+deb11u2). */
const RACK: DebSource = {
  url: `${BULLSEYE}/r/ruby-rack/ruby-rack_2.1.4-3+deb11u2_all.deb`,
  sha256: 'ba187de64f27303eb6d9c7d1c4747e3e997e2319a2dc8a05afe7477156bb7d54',
};

export const APP_PIP_PACKAGE = { name: 'urllib3', version: '1.26.5', siteDir: '/usr/local/lib/python3.11/dist-packages' } as const;
export const APP_GEM = { name: 'rack', version: '2.1.4' } as const;

// A minimal setup.py: pip builds a real wheel from it and records dist-info, RECORD and
// INSTALLER exactly as for a download from PyPI.
const SETUP_PY = `from setuptools import find_packages, setup
setup(name="${APP_PIP_PACKAGE.name}", version="${APP_PIP_PACKAGE.version}", license="MIT",
      description="HTTP library with thread-safe connection pooling, file post, and more.",
      packages=find_packages(), python_requires=">=2.7")
`;

const PACKAGE_JSON = `${JSON.stringify({ name: 'portcullis-test-app', version: '1.0.0', private: true, dependencies: APP_NPM_DEPENDENCIES }, null, 2)}\n`;

// LABEL and ENV are empty-layer history steps: history and layer indices differ.
const DOCKERFILE = `FROM BASE_TAG
LABEL org.opencontainers.image.title="portcullis language packages test image"
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y ${APP_APT_PACKAGES.join(' ')} && rm -rf /var/lib/apt/lists/*
COPY src/ /tmp/src/
RUN pip install --break-system-packages --no-index --no-build-isolation --no-cache-dir /tmp/src/${APP_PIP_PACKAGE.name}-${APP_PIP_PACKAGE.version}
RUN cd /tmp/src/${APP_GEM.name}-${APP_GEM.version} && gem build ${APP_GEM.name}.gemspec && gem install --local --no-document ${APP_GEM.name}-${APP_GEM.version}.gem && rm -rf /tmp/src
COPY app/ /app/
WORKDIR /app
CMD ["node", "-e", "require('express')"]
`;

/** What the image holds, for assertions. */
export interface AppTestImage {
  readonly tag: string;
  readonly baseTag: string;
  readonly appDir: '/app';
  readonly npm: typeof APP_NPM_DEPENDENCIES;
  readonly pip: typeof APP_PIP_PACKAGE;
  readonly gem: typeof APP_GEM;
  readonly goBinary: '/usr/bin/skopeo';
  readonly jar: '/usr/share/java/commons-lang3.jar';
  /** Substrings of the created_by of each step's history entry, to find its layer. */
  readonly steps: { readonly apt: string; readonly pip: string; readonly gem: string; readonly app: string };
}

/** Builds (or reuses, keyed by a hash of the whole recipe) the application test image. */
export async function buildAppTestImage(): Promise<AppTestImage> {
  const baseTag = await bookwormBase();
  const dockerfile = DOCKERFILE.replace('BASE_TAG', baseTag);
  const recipe = [dockerfile, PACKAGE_JSON, SETUP_PY, URLLIB3.sha256, RACK.sha256, GEMSPEC_REWRITE_VERSION].join('\0');
  const hash = createHash('sha256').update(recipe).digest('hex').slice(0, 12);
  const image: AppTestImage = {
    tag: `portcullis-test/app-languages:${hash}`,
    baseTag,
    appDir: '/app',
    npm: APP_NPM_DEPENDENCIES,
    pip: APP_PIP_PACKAGE,
    gem: APP_GEM,
    goBinary: '/usr/bin/skopeo',
    jar: '/usr/share/java/commons-lang3.jar',
    steps: { apt: 'apt-get install', pip: 'pip install', gem: 'gem install', app: ' in /app/' },
  };
  if (await imageExists(image.tag)) return image;
  const cache = await testCacheDir();
  await withFileLock(join(cache, `app-languages-${hash}.lock`), async () => {
    if (await imageExists(image.tag)) return;
    await withTmpDir(async (ctx) => {
      await writeFile(join(ctx, 'Dockerfile'), dockerfile);
      await prepareApp(join(ctx, 'app'));
      await preparePip(cache, join(ctx, 'src', `${APP_PIP_PACKAGE.name}-${APP_PIP_PACKAGE.version}`), ctx);
      await prepareGem(cache, join(ctx, 'src', `${APP_GEM.name}-${APP_GEM.version}`), ctx);
      // Host network: apt-get inside the build reaches Debian's archive; no bridge exists here.
      await docker(['build', '--network', 'host', '--tag', image.tag, ctx], { timeoutMs: 30 * 60_000 });
    }, 'app-image');
  });
  return image;
}

/** `npm install` on the host (the registry is reachable from here), copied in as /app. */
async function prepareApp(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'package.json'), PACKAGE_JSON);
  await exec('npm', ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--no-update-notifier'], { cwd: dir, timeoutMs: 10 * 60_000 });
}

/** A Debian archive .deb, downloaded once into the test cache and checked against its sha256. */
async function fetchDeb(cache: string, src: DebSource): Promise<string> {
  const dir = join(cache, 'debs');
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${src.sha256}.deb`);
  if (existsSync(file)) return file;
  const res = await fetch(src.url);
  if (!res.ok) throw new Error(`cannot download ${src.url}: HTTP ${res.status}`);
  const bytes = Buffer.from(await res.arrayBuffer());
  const got = createHash('sha256').update(bytes).digest('hex');
  if (got !== src.sha256) throw new Error(`${src.url}: sha256 ${got}, expected ${src.sha256}`);
  await writeFile(`${file}.part`, bytes);
  await rename(`${file}.part`, file);
  return file;
}

async function extractDeb(cache: string, src: DebSource, into: string): Promise<void> {
  await mkdir(into, { recursive: true });
  await exec('dpkg-deb', ['-x', await fetchDeb(cache, src), into]);
}

/** urllib3's package directory from the .deb, beside a setup.py pip can build. */
async function preparePip(cache: string, dir: string, ctx: string): Promise<void> {
  const unpacked = join(ctx, 'unpacked-urllib3');
  await extractDeb(cache, URLLIB3, unpacked);
  await mkdir(dir, { recursive: true });
  await cp(join(unpacked, 'usr/lib/python3/dist-packages/urllib3'), join(dir, 'urllib3'), { recursive: true });
  await writeFile(join(dir, 'setup.py'), SETUP_PY);
  await exec('rm', ['-rf', unpacked]);
}

/** Bumped when the gemspec rewrite below changes (it enters the image hash). */
const GEMSPEC_REWRITE_VERSION = '1';

/**
 * rack's lib/ from the .deb and the gemspec Debian installed with it, its file list replaced
 * by what lib/ holds (Debian does not ship the tests, docs and bin/ the list names), so that
 * `gem build` makes a rack .gem of the same version.
 */
async function prepareGem(cache: string, dir: string, ctx: string): Promise<void> {
  const unpacked = join(ctx, 'unpacked-rack');
  await extractDeb(cache, RACK, unpacked);
  await mkdir(dir, { recursive: true });
  await cp(join(unpacked, 'usr/lib/ruby/vendor_ruby'), join(dir, 'lib'), { recursive: true });
  const specDir = join(unpacked, 'usr/share/rubygems-integration/all/specifications');
  const specFile = (await readdir(specDir)).find((f) => f.endsWith('.gemspec'));
  if (!specFile) throw new Error(`no gemspec in ${RACK.url}`);
  const spec = (await readFile(join(specDir, specFile), 'utf8'))
    .split('\n')
    .map((line) => {
      if (/^\s*s\.files = /.test(line)) return '  s.files = Dir.glob("lib/**/*.rb")';
      if (/^\s*s\.(executables|extra_rdoc_files) = /.test(line)) return '';
      return line;
    })
    .join('\n');
  await writeFile(join(dir, `${APP_GEM.name}.gemspec`), spec);
  await exec('rm', ['-rf', unpacked]);
}
