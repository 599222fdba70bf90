import { PortcullisError } from '../core/errors.js';

/**
 * What `portcullis authz install` writes: a systemd unit that runs the plugin before dockerd
 * (restarted when it dies; dockerd denies everything while it is gone), and the plugin's name
 * in dockerd's daemon.json `authorization-plugins`, other settings kept as they were.
 */

export const DEFAULT_PLUGIN_NAME = 'portcullis';

export function pluginSocket(name: string): string {
  return `/run/docker/plugins/${name}.sock`;
}

const shellQuote = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export function systemdUnit(o: { node: string; cli: string; config: string; name: string }): string {
  const exec = [o.node, o.cli, 'authz', 'serve', '--config', o.config, '--name', o.name].map(shellQuote).join(' ');
  return `[Unit]
Description=Portcullis Docker authorization plugin (${o.name})
Documentation=https://github.com/portcullis/portcullis/blob/main/docs/authz.md
Before=docker.service
PartOf=docker.service

[Service]
ExecStart=${exec}
ExecReload=/bin/kill -HUP $MAINPID
Restart=always
RestartSec=1

[Install]
WantedBy=multi-user.target docker.service
`;
}

/** daemon.json with `name` in authorization-plugins; everything else untouched. */
export function withPlugin(daemonJson: string | undefined, name: string): { text: string; changed: boolean } {
  let doc: Record<string, unknown> = {};
  if (daemonJson !== undefined && daemonJson.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(daemonJson);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
      doc = parsed as Record<string, unknown>;
    } catch (err) {
      throw new PortcullisError('USAGE', `daemon.json is not valid: ${(err as Error).message}`);
    }
  }
  const current = doc['authorization-plugins'];
  if (current !== undefined && (!Array.isArray(current) || current.some((p) => typeof p !== 'string'))) {
    throw new PortcullisError('USAGE', 'daemon.json "authorization-plugins" is not a list of names');
  }
  const list = (current as string[] | undefined) ?? [];
  if (list.includes(name)) return { text: `${JSON.stringify(doc, null, 2)}\n`, changed: false };
  return { text: `${JSON.stringify({ ...doc, 'authorization-plugins': [...list, name] }, null, 2)}\n`, changed: true };
}
