import { describe, expect, it } from 'vitest';
import { componentRef } from './component-ref.js';
import { imageIdentity, normalizeRepository } from './image.js';

const D = `sha256:${'c1'.repeat(32)}`;
const OTHER = `sha256:${'e5'.repeat(32)}`;
const ref = (...ids: string[]) => componentRef({ ids }, () => {});

describe('imageIdentity', () => {
  const image = imageIdentity(['registry.example.test:5000/team/app:1.4.2', `registry.example.test:5000/team/app@${D}`]);

  it.each([
    [D, true],
    [`anything/else@${D}`, true], // a digest names the content
    [OTHER, false],
    ['registry.example.test:5000/team/app:1.4.2', true],
    ['registry.example.test:5000/team/app', true],
    ['registry.example.test:5000/team/app:2.0', false],
    ['registry.example.test:5000/other/app:1.4.2', false],
    [`pkg:oci/app@${encodeURIComponent(D)}`, true],
    [`pkg:oci/app@${D}?repository_url=registry.example.test:5000/team/app&tag=1.4.2`, true],
    [`pkg:oci/app@${D}?repository_url=registry.example.test:5000/other/app`, false],
    [`pkg:oci/app@${D}?arch=amd64`, false], // no image ref says which arch
    [`pkg:oci/app@${OTHER}`, false],
    [`pkg:oci/other@${D}`, false], // the name must be the image's too
    ['pkg:oci/app', true], // no version: every image called app
    ['pkg:oci/app?tag=1.4.2', true],
    ['pkg:oci/app?tag=9', false],
    ['pkg:oci/other', false],
    [`pkg:docker/team/app@${D}`, false],
    ['portcullis:image', true], // our SBOM's image bom-ref, through a BOM-Link fragment
    ['npm:lodash@4.17.20', false],
    ['', false],
  ])('%s → %s', (id, expected) => {
    expect(image.matches(ref(id))).toBe(expected);
  });

  it('matches OpenVEX sha-256 hashes against the image digests', () => {
    expect(image.matches(componentRef({ hashes: [['sha-256', 'c1'.repeat(32)]] }, () => {}))).toBe(true);
    expect(image.matches(componentRef({ hashes: [['sha-512', 'c1'.repeat(64)]] }, () => {}))).toBe(false);
  });

  it('knows digests, names and qualifiers from pkg:oci image refs', () => {
    const byPurl = imageIdentity([`pkg:oci/debian@${D}?arch=amd64&repository_url=docker.io/library/debian`]);
    expect(byPurl.matches(ref(`pkg:oci/debian@${D}?arch=amd64`))).toBe(true);
    expect(byPurl.matches(ref(`pkg:oci/debian@${D}?arch=arm64`))).toBe(false);
    expect(byPurl.matches(ref('pkg:oci/debian?repository_url=index.docker.io/library/debian'))).toBe(true);
    expect(byPurl.matches(ref('debian'))).toBe(true);
  });

  it('an image known only by digest matches pkg:oci purls of any name with that digest', () => {
    expect(imageIdentity([D]).matches(ref(`pkg:oci/whatever@${D}`))).toBe(true);
    expect(imageIdentity([]).matches(ref(`pkg:oci/whatever@${D}`))).toBe(false);
  });
});

describe('normalizeRepository', () => {
  it.each([
    ['debian', 'docker.io/library/debian'],
    ['library/debian', 'docker.io/library/debian'],
    ['docker.io/debian', 'docker.io/library/debian'],
    ['index.docker.io/library/debian', 'docker.io/library/debian'],
    ['https://registry-1.docker.io/library/debian/', 'docker.io/library/debian'],
    ['bitnami/redis', 'docker.io/bitnami/redis'],
    ['Registry.Example.Test:5000/Team/App', 'registry.example.test:5000/team/app'],
    ['localhost/app', 'localhost/app'],
  ])('%s → %s', (input, expected) => expect(normalizeRepository(input)).toBe(expected));
});
