import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PackageURL } from 'packageurl-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { binaryCataloger } from '../../src/catalog/binary/index.js';
import { type NativePackage, type NativeSbom, NativeSbomSchema } from '../../src/sbom/json-schema.js';
import { type AppTestImage, buildAppTestImage } from '../helpers/app-image.js';
import { runCli } from '../helpers/cli.js';
import { docker, dockerUnavailableReason, saveImage, withContainer } from '../helpers/docker.js';
import { readSavedConfig, type SavedImageConfig } from '../helpers/image-archive.js';
import { tmpDirPool } from '../helpers/tmp.js';

/**
 * Acceptance test of the language catalogers (issue 3) on a real application image built on
 * this machine (test/helpers/app-image.ts): every ecosystem is compared with its own native
 * tool run inside the image (`docker run --network none`): npm ls, importlib.metadata,
 * gem list, go version -m, and the jar's pom.properties.
 */

const skipReason = await dockerUnavailableReason();
if (skipReason) console.warn(`[skip] sbom languages e2e: ${skipReason}`);

/** `docker run --rm --network none IMAGE ARGS` → stdout. */
async function inImage(tag: string, args: string[], workdir = '/'): Promise<string> {
  const r = await docker(['run', '--rm', '--network', 'none', '--workdir', workdir, '--entrypoint', args[0] as string, tag, ...args.slice(1)], { timeoutMs: 300_000 });
  return r.stdout;
}

const key = (name: string, version: string) => `${name}@${version}`;
const sorted = (xs: Iterable<string>) => [...new Set(xs)].sort();
const under = (p: NativePackage, prefix: string) => p.locations.some((l) => l.path.startsWith(prefix));

/** PEP 503 normalization, as the python cataloger names packages. */
const pep503 = (name: string) => name.replace(/[-_.]+/g, '-').toLowerCase();

interface NpmNode {
  version?: string;
  path?: string;
  dependencies?: Record<string, NpmNode>;
}

/** name@version → the directories npm ls reports for it (deduped entries carry no new path). */
function npmTree(root: NpmNode): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const walk = (deps: Record<string, NpmNode> | undefined) => {
    for (const [name, node] of Object.entries(deps ?? {})) {
      if (!node.version) continue;
      const k = key(name, node.version);
      const paths = out.get(k) ?? new Set<string>();
      if (node.path) paths.add(node.path);
      out.set(k, paths);
      walk(node.dependencies);
    }
  };
  walk(root.dependencies);
  return out;
}

describe.skipIf(skipReason !== undefined)('portcullis sbom: language packages of a real application image', () => {
  const tmp = tmpDirPool('e2e-languages');
  let image: AppTestImage;
  let saved: SavedImageConfig;
  let sbom: NativeSbom;
  let byId: Map<string, NativePackage>;
  let ownedBy: Map<string, string>;

  const ofType = (type: string) => sbom.packages.filter((p) => p.type === type);
  /** The layer index of the history step whose created_by contains `marker`. */
  const layerOf = (marker: string) => {
    const i = saved.layerCreatedBy.findIndex((c) => c.includes(marker));
    expect(i, `a layer made by "${marker}"`).toBeGreaterThan(0);
    return i;
  };
  const owner = (p: NativePackage) => byId.get(ownedBy.get(p.id) ?? '')?.name;

  beforeAll(async () => {
    image = await buildAppTestImage();
    const work = await tmp.make();
    const archive = join(work, 'image.tar');
    await saveImage(image.tag, archive);
    saved = await readSavedConfig(archive);
    const r = await runCli(['sbom', `docker-archive:${archive}`, '--format', 'json', '--no-cache']);
    expect(r.code, r.stderr).toBe(0);
    sbom = NativeSbomSchema.parse(JSON.parse(r.stdout));
    byId = new Map(sbom.packages.map((p) => [p.id, p]));
    ownedBy = new Map(sbom.relationships.filter((x) => x.type === 'owned-by').map((x) => [x.from, x.to]));
  });
  afterAll(() => tmp.removeAll());

  it('npm: /app holds exactly what `npm ls --all` reports, at the paths it reports, in the COPY layer', async () => {
    const tree = npmTree(JSON.parse(await inImage(image.tag, ['npm', 'ls', '--all', '--json', '--long'], image.appDir)) as NpmNode);
    const installed = ofType('npm').filter((p) => under(p, `${image.appDir}/node_modules/`));
    expect(sorted(installed.map((p) => key(p.name, p.version)))).toEqual(sorted(tree.keys()));
    for (const [name, version] of Object.entries(image.npm)) expect(tree.has(key(name, version)), `${name}@${version}`).toBe(true);
    const app = layerOf(image.steps.app);
    for (const p of installed) {
      const want = [...(tree.get(key(p.name, p.version)) ?? [])].map((d) => `${d}/package.json`).sort();
      expect(p.locations.map((l) => l.path).sort(), p.id).toEqual(want);
      expect(p.metadata?.source).toBe('installed');
      const purl = PackageURL.fromString(p.purl);
      expect([purl.type, purl.namespace ? `${purl.namespace}/${purl.name}` : purl.name, purl.version]).toEqual(['npm', p.name, p.version]);
      expect(p.layer?.index, p.id).toBe(app);
      expect(p.layer?.diffId).toBe(saved.diffIds[app]);
      expect(ownedBy.has(p.id), `${p.id} is not owned by a deb`).toBe(false);
    }
    // The package-lock.json npm wrote on the host describes the same tree.
    const locked = ofType('npm').filter((p) => p.locations.some((l) => l.path === `${image.appDir}/package-lock.json`));
    expect(sorted(locked.map((p) => key(p.name, p.version)))).toEqual(sorted(tree.keys()));
  });

  it('every language package Debian installed is linked to its dpkg package; only /app, pip and gem ones are not', () => {
    const outsideDpkg = [`${image.appDir}/`, `${image.pip.siteDir}/`, '/var/lib/gems/'];
    const language = sbom.packages.filter((p) => p.type !== 'deb');
    const unowned = language.filter((p) => !ownedBy.has(p.id));
    expect(unowned.filter((p) => !outsideDpkg.some((dir) => under(p, dir))).map((p) => p.id)).toEqual([]);
    for (const to of ownedBy.values()) expect(byId.get(to)?.type, to).toBe('deb');
    // Each ecosystem has Debian-owned packages here (node-* modules under /usr/share/nodejs/…/node_modules).
    const ownedTypes = new Set(language.filter((p) => ownedBy.has(p.id)).map((p) => p.type));
    expect([...ownedTypes].sort()).toEqual(['gem', 'golang', 'maven', 'npm', 'pypi']);
  });

  it('python: exactly the distributions importlib.metadata lists, with locations, layers and dpkg owners', async () => {
    const script = 'import importlib.metadata as m, json; print(json.dumps([[d.metadata["Name"], d.version, str(d._path)] for d in m.distributions()]))';
    const dists = JSON.parse(await inImage(image.tag, ['python3', '-c', script])) as [string, string, string][];
    const pypi = ofType('pypi');
    expect(sorted(pypi.map((p) => key(p.name, p.version)))).toEqual(sorted(dists.map(([n, v]) => key(pep503(n), v))));
    const apt = layerOf(image.steps.apt);
    for (const [name, version, path] of dists) {
      const p = pypi.find((x) => x.name === pep503(name) && x.version === version);
      // dist-info dirs hold METADATA; egg-info dirs PKG-INFO; a bare .egg-info file is itself the metadata.
      const meta = path.endsWith('.dist-info') ? `${path}/METADATA` : path.endsWith('.egg-info') ? [`${path}/PKG-INFO`, path] : path;
      expect(p?.locations.map((l) => l.path).some((l) => (Array.isArray(meta) ? meta.includes(l) : l === meta)), `${name} at ${path}: ${JSON.stringify(p?.locations)}`).toBe(true);
      expect(PackageURL.fromString(p?.purl ?? '').toString()).toBe(`pkg:pypi/${pep503(name)}@${version}`);
      if (path.startsWith('/usr/lib/python3/dist-packages/')) {
        expect(owner(p as NativePackage), `${name} owned by a deb`).toBeDefined();
        expect(p?.layer?.index, name).toBe(apt);
      }
    }
    const pip = pypi.find((p) => p.name === image.pip.name && p.version === image.pip.version);
    expect(pip?.locations.map((l) => l.path)).toEqual([`${image.pip.siteDir}/${image.pip.name}-${image.pip.version}.dist-info/METADATA`]);
    expect(pip?.layer?.index).toBe(layerOf(image.steps.pip));
    expect(ownedBy.has(pip?.id ?? '')).toBe(false);
    const debianUrllib3 = pypi.find((p) => p.name === 'urllib3' && p.version !== image.pip.version);
    expect(owner(debianUrllib3 as NativePackage)).toBe('python3-urllib3');
    for (const [name, deb] of [['requests', 'python3-requests'], ['jinja2', 'python3-jinja2'], ['cryptography', 'python3-cryptography']]) {
      expect(owner(pypi.find((p) => p.name === name) as NativePackage), name).toBe(deb);
    }
  });

  it('ruby: exactly the gems `gem list` reports; the Debian rack is owned by ruby-rack, the gem-installed one by nothing', async () => {
    const listed: string[] = [];
    for (const line of (await inImage(image.tag, ['gem', 'list', '--local'])).split('\n')) {
      const m = /^(\S+) \((.*)\)$/.exec(line.trim());
      if (!m) continue;
      for (const v of (m[2] as string).split(', ')) listed.push(key(m[1] as string, v.replace(/^default: /, '')));
    }
    const gems = ofType('gem');
    expect(sorted(gems.map((p) => key(p.name, p.version)))).toEqual(sorted(listed));
    for (const p of gems) expect(p.purl).toBe(`pkg:gem/${p.name}@${p.version}`);
    const rack = gems.filter((p) => p.name === 'rack');
    const installed = rack.find((p) => p.version === image.gem.version);
    expect(installed?.locations.map((l) => l.path)).toEqual([expect.stringMatching(new RegExp(`^/var/lib/gems/[^/]+/specifications/rack-${image.gem.version}\\.gemspec$`))]);
    expect(installed?.layer?.index).toBe(layerOf(image.steps.gem));
    expect(ownedBy.has(installed?.id ?? '')).toBe(false);
    const debian = rack.find((p) => p.version !== image.gem.version);
    expect(owner(debian as NativePackage)).toBe('ruby-rack');
    expect(debian?.layer?.index).toBe(layerOf(image.steps.apt));
  });

  it('go: skopeo gives what `go version -m` prints for it, owned by the skopeo deb', async (ctx) => {
    const work = await tmp.make();
    const bin = join(work, 'skopeo');
    await withContainer(image.tag, (id) => docker(['cp', `${id}:${image.goBinary}`, bin]));
    let printed: string;
    try {
      printed = execFileSync('go', ['version', '-m', bin], { encoding: 'utf8' });
    } catch (err) {
      ctx.skip(`go is not installed on the host (golang-go): ${(err as Error).message}`);
      return;
    }
    const lines = printed.split('\n').map((l) => l.trim().split('\t'));
    const goVersion = /: (go\S+)$/.exec(printed.split('\n')[0] ?? '')?.[1] as string;
    const expected = [key('stdlib', `v${goVersion.slice(2)}`)];
    for (const [kind, path, version] of lines) if ((kind === 'mod' || kind === 'dep') && path && version) expected.push(key(path, version === '(devel)' ? '' : version));
    const found = ofType('golang').filter((p) => p.locations.some((l) => l.path === image.goBinary));
    expect(sorted(found.map((p) => key(p.name, p.version)))).toEqual(sorted(expected));
    for (const p of found) {
      expect(owner(p)).toBe('skopeo');
      expect(p.layer?.index).toBe(layerOf(image.steps.apt));
    }
  });

  it("java: the jar's pom.properties coordinates, owned by libcommons-lang3-java", async () => {
    const script = `import zipfile, os
p = os.path.realpath("${image.jar}")
z = zipfile.ZipFile(p)
print(p)
for n in z.namelist():
    if n.endswith("/pom.properties"): print(z.read(n).decode())`;
    const [real, ...props] = (await inImage(image.tag, ['python3', '-c', script])).split('\n');
    const field = (k: string) => props.find((l) => l.startsWith(`${k}=`))?.slice(k.length + 1).trim() as string;
    const [g, a, v] = [field('groupId'), field('artifactId'), field('version')];
    const jar = ofType('maven').find((p) => p.name === `${g}:${a}`);
    expect(jar?.version).toBe(v);
    expect(jar?.purl).toBe(`pkg:maven/${g}/${a}@${v}`);
    expect(jar?.locations.map((l) => l.path)).toContain(real);
    expect(owner(jar as NativePackage)).toBe('libcommons-lang3-java');
    expect(jar?.layer?.index).toBe(layerOf(image.steps.apt));
  });

  it('runtimes: none reported, since dpkg owns node, python, openssl; the cataloger does read them', async () => {
    expect(ofType('binary')).toEqual([]);
    // The files it would report if no package owned them, checked against the runtimes themselves.
    const work = await tmp.make();
    const node = (await inImage(image.tag, ['node', '--version'])).trim().slice(1);
    const python = (await inImage(image.tag, ['python3', '-c', 'import platform; print(platform.python_version())'])).trim();
    const openssl = /OpenSSL (\S+)/.exec(await inImage(image.tag, ['openssl', 'version']))?.[1];
    const libnode = (await inImage(image.tag, ['sh', '-c', 'readlink -f /usr/lib/*/libnode.so.*'])).trim();
    const files: [string, string | undefined][] = [
      [libnode, node],
      ['/usr/bin/python3.11', python],
      ['/usr/bin/openssl', openssl],
    ];
    await withContainer(image.tag, async (id) => {
      for (const [path, version] of files) {
        const dest = join(work, path.replaceAll('/', '_'));
        await docker(['cp', `${id}:${path}`, dest]);
        const s = binaryCataloger.summarize?.({ path, content: readFileSync(dest) });
        expect(s?.version, path).toBe(version);
      }
    });
  });

  it('reports no cataloging problems', () => {
    expect(sbom.problems.filter((p) => p.code.startsWith('CATALOG_'))).toEqual([]);
  });
});
