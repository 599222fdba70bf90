import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CATALOGUE } from '../core/errors.js';
import { type CliIo, run } from './run.js';

const DEMO = join(import.meta.dirname, '../../examples/images/demo.oci.tar');
const tmp = mkdtempSync(join(tmpdir(), 'pc-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(argv: string[], tty = false, env: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s), isTTY: tty, columns: 100 },
    env: { HOME: tmp, PORTCULLIS_CACHE_DIR: join(tmp, 'cache'), ...env },
    cwd: process.cwd(),
  };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}

describe('portcullis CLI', () => {
  it('prints usage and exits with the USAGE code on bad invocations', async () => {
    expect((await cli([])).code).toBe(ERROR_CATALOGUE.USAGE.exit);
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('[USAGE] unknown command "frobnicate"');
    const badFormat = await cli(['sbom', DEMO, '--format', 'xml']);
    expect(badFormat.code).toBe(2);
    expect(badFormat.stderr).toContain('[USAGE]');
    expect((await cli(['sbom', '--bogus'])).stderr).toContain('[USAGE]');
    expect((await cli(['sbom'])).code).toBe(2);
  });

  it('writes the demo image SBOM in every format, defaulting to CycloneDX', async () => {
    const cdx = await cli(['sbom', DEMO]);
    expect(cdx.code).toBe(0);
    const doc = JSON.parse(cdx.stdout);
    expect(doc.bomFormat).toBe('CycloneDX');
    expect(doc.specVersion).toBe('1.6');
    const purls = doc.components.map((c: { purl?: string }) => c.purl).filter(Boolean);
    expect(purls).toContain('pkg:deb/debian/netbase@6.4?arch=all&distro=debian-12');

    const out = join(tmp, 'sbom.spdx.json');
    const spdx = await cli(['sbom', `oci-archive:${DEMO}`, '--format', 'spdx-json', '-o', out]);
    expect(spdx.code).toBe(0);
    expect(spdx.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).spdxVersion).toBe('SPDX-2.3');

    const json = JSON.parse((await cli(['sbom', DEMO, '-f', 'json'])).stdout);
    const names = (type: string) => json.packages.filter((p: { type: string }) => p.type === type).map((p: { name: string }) => p.name).sort();
    expect(names('deb')).toEqual(['base-files', 'ca-certificates', 'libssl3', 'netbase', 'openssl', 'tzdata', 'zlib1g']);
    expect(names('npm')).toEqual(expect.arrayContaining(['express', 'lodash', 'minimist', 'qs', 'send']));
    expect(names('golang')).toEqual(['example.com/portcullis-demo', 'golang.org/x/text', 'stdlib']);
    const layerOf = Object.fromEntries(json.packages.map((p: { name: string; layer: { index: number } }) => [p.name, p.layer.index]));
    expect(layerOf).toMatchObject({ 'base-files': 0, libssl3: 0, openssl: 1, 'ca-certificates': 1, lodash: 2, stdlib: 2 });
    expect(json.os).toMatchObject({ id: 'debian', versionId: '12', distroless: true });
  });

  it('draws a progress bar only when stderr is a terminal', async () => {
    const quiet = await cli(['sbom', DEMO, '--no-cache']);
    expect(quiet.stderr).toBe('');
    const tty = await cli(['sbom', DEMO, '--no-cache'], true);
    expect(tty.stderr).toContain('\r');
    expect(tty.stderr).toMatch(/\[#*\.*\]/);
  });

  it('reports a missing image with a coded error and a non-zero exit', async () => {
    const r = await cli(['sbom', 'docker-archive:/nonexistent/image.tar']);
    expect(r.code).toBe(ERROR_CATALOGUE.IMAGE_NOT_FOUND.exit);
    expect(r.stderr).toContain('[IMAGE_NOT_FOUND]');
  });

  it('refuses an output path it cannot write with OUTPUT_WRITE', async () => {
    const r = await cli(['sbom', DEMO, '-o', '/nonexistent-dir/x.json']);
    expect(r.code).toBe(ERROR_CATALOGUE.OUTPUT_WRITE.exit);
    expect(r.stderr).toContain('[OUTPUT_WRITE]');
  });
});

describe('portcullis version compare', () => {
  async function withStdin(argv: string[], input: string) {
    let stdout = '';
    let stderr = '';
    const code = await run(argv, {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: {},
      cwd: process.cwd(),
      stdin: Readable.from([Buffer.from(input)]),
    });
    return { code, stdout, stderr };
  }

  it('orders two versions like dpkg --compare-versions', async () => {
    expect((await cli(['version', 'compare', 'deb', '1.0~rc1', '1.0'])).stdout).toBe('-1\n');
    expect((await cli(['version', 'compare', 'deb', '1:0', '2'])).stdout).toBe('1\n');
    expect((await cli(['version', 'compare', 'rpm', '1.0^git1', '1.0'])).stdout).toBe('1\n');
  });

  it('reads pairs from stdin and flags bad lines', async () => {
    const r = await withStdin(['version', 'compare', 'pep440', '--stdin'], '1.0 1.0.post1\n1.0a1 1.0\nnot-a-pair\n');
    expect(r.stdout).toBe('-1\n-1\nerror\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('line 3');
  });

  it('rejects unknown schemes and stray arguments', async () => {
    expect((await cli(['version', 'compare', 'nope', '1', '2'])).code).toBe(2);
    expect((await cli(['version', 'frob'])).code).toBe(2);
    expect((await cli(['version'])).stdout).toMatch(/^portcullis \d+\.\d+\.\d+/);
  });
});
