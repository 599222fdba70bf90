import type { ImageInput } from '../../inputs/image-input.js';
import { buildArgsOf, secretAssignments } from '../../inputs/secrets.js';
import { capped, fail, pass, skip } from '../../outcome.js';
import type { Check, Evidence } from '../../types.js';
import { cisCheck, cisRule } from './cis.js';

/** CIS Docker section 4 "Container Images and Build File", read from the image config, its history and its files. */

/** A history step's instruction, without the classic builder's `/bin/sh -c #(nop) ` prefix. */
function instruction(createdBy: string): string {
  return createdBy.replace(/^\|\d+ (\S+=\S* )*/, '').replace(/^\/bin\/sh -c #\(nop\)\s+/, '').trim();
}

const UPDATE_ALONE: readonly { update: RegExp; install: RegExp; tool: string }[] = [
  { tool: 'apt-get', update: /\bapt(-get)?\s+(-\S+\s+)*update\b/, install: /\bapt(-get)?\s+(-\S+\s+)*(install|upgrade|dist-upgrade)\b/ },
  { tool: 'apk', update: /\bapk\s+(-\S+\s+)*update\b/, install: /\bapk\s+(-\S+\s+)*(add|upgrade)\b/ },
];

const ev = (img: ImageInput, field: string, value: string, message: string): Evidence => ({ subject: img.reference, field, value, message });

export const CIS_DOCKER_IMAGES: readonly Check<'image'>[] = [
  cisRule('4.1', 'image', { title: 'A user for the container has been created', description: 'An image without USER runs its process as root: a breakout starts with root privileges.', severity: 'high', remediation: 'Create a user in the Dockerfile (useradd) and switch to it with USER.', concerns: ['least-privilege'] }, { field: 'user', op: 'notMatches', value: '^(|root|0)(:.*)?$' }),
  cisCheck('4.6', 'image', { title: 'HEALTHCHECK instructions have been added to container images', description: 'Without a health check the engine cannot tell a hung service from a working one.', severity: 'low', remediation: 'Add a HEALTHCHECK instruction that probes the service.', concerns: ['availability'] }, (img) => {
    const hc = img.config.healthcheck;
    if (!hc || hc.length === 0 || hc[0] === 'NONE') return fail([ev(img, 'config.Healthcheck', hc ? JSON.stringify(hc) : 'unset', 'the image has no HEALTHCHECK')]);
    return pass([ev(img, 'config.Healthcheck', JSON.stringify(hc), 'HEALTHCHECK is set')]);
  }),
  cisCheck('4.7', 'image', { title: 'Update instructions are not used alone in the Dockerfile', description: 'A cached `apt-get update` layer alone makes later installs use stale package lists.', severity: 'low', remediation: 'Combine the update with the install in one RUN: apt-get update && apt-get install -y …', concerns: ['vulnerability-management'] }, (img) => {
    if (!img.config.history.some((h) => h.createdBy)) return skip('the image records no build history');
    const bad: Evidence[] = [];
    img.config.history.forEach((h, i) => {
      const step = instruction(h.createdBy ?? '');
      if (step.startsWith('ADD ') || step.startsWith('COPY ') || step.startsWith('ENV ')) return;
      for (const u of UPDATE_ALONE) if (u.update.test(step) && !u.install.test(step)) bad.push(ev(img, `history[${i}]`, step.slice(0, 200), `${u.tool} update without an install in the same step`));
    });
    return bad.length ? fail(capped(bad)) : pass([ev(img, 'history', `${img.config.history.length} steps`, 'no update-only step')]);
  }),
  cisCheck('4.8', 'image', { title: 'setuid and setgid permissions are removed', description: 'setuid and setgid binaries are the usual way to escalate privileges inside a container.', severity: 'medium', remediation: 'RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + in the last build stage.', concerns: ['least-privilege', 'attack-surface'] }, (img) => {
    if (img.specialFiles.length === 0) return pass([ev(img, 'files', 'none', 'no setuid or setgid file')]);
    return fail(capped(img.specialFiles.map((f) => ev(img, f.path, `0${f.mode.toString(8)}`, `${f.mode & 0o4000 ? 'setuid' : 'setgid'} file${f.layer >= 0 ? ` (layer ${f.layer})` : ''}`)), img.reference));
  }),
  cisCheck('4.9', 'image', { title: 'COPY is used instead of ADD in Dockerfiles', description: 'ADD fetches remote URLs and unpacks archives: content arrives unverified.', severity: 'medium', remediation: 'Use COPY for local files; download with curl and a checksum check in a RUN step.', concerns: ['image-integrity'] }, (img) => {
    if (!img.config.history.some((h) => h.createdBy)) return skip('the image records no build history');
    const bad: Evidence[] = [];
    img.config.history.forEach((h, i) => {
      const step = instruction(h.createdBy ?? '');
      if (!/^ADD\s/.test(step)) return;
      // A base image made from a root file system archive (`ADD file:… in /` as the first step) is how distributions publish images.
      if (i === 0 && /^ADD file:[0-9a-f]+ in \/\s*$/.test(step)) return;
      const remote = /^ADD [0-9a-f]{64} in /.test(step) || /^ADD\s+(\S+\s+)*https?:\/\//.test(step);
      bad.push(ev(img, `history[${i}]`, step.slice(0, 200), remote ? 'ADD of a remote URL' : 'ADD instead of COPY'));
    });
    return bad.length ? fail(capped(bad)) : pass([ev(img, 'history', `${img.config.history.length} steps`, 'no ADD step')]);
  }),
  cisCheck('4.10', 'image', { title: 'Secrets are not stored in images', description: 'Anything in ENV, build arguments or image files can be read by everyone who can pull the image.', severity: 'critical', remediation: 'Pass secrets at run time (secret mounts, orchestrator secrets); use BuildKit --secret for build-time credentials.', concerns: ['secrets'] }, (img) => {
    const bad: Evidence[] = [];
    for (const s of secretAssignments(img.config.env)) bad.push(ev(img, `config.Env.${s.name}`, s.kind, `ENV ${s.name} holds a ${s.kind}`));
    img.config.history.forEach((h, i) => {
      for (const s of secretAssignments(buildArgsOf(h.createdBy ?? ''))) bad.push(ev(img, `history[${i}]`, s.kind, `build argument ${s.name} (a ${s.kind}) is recorded in the history`));
    });
    for (const f of img.secretFiles) bad.push(ev(img, f.path, f.kind, `file holds a ${f.kind}${f.layer >= 0 ? ` (layer ${f.layer})` : ''}`));
    return bad.length ? fail(capped(bad)) : pass([ev(img, 'config.Env', `${img.config.env.length} variables`, 'no secret in ENV, build arguments or files')]);
  }),
];
