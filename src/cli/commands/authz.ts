import { existsSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { PortcullisError } from '../../core/errors.js';
import { loadAuthzConfig } from '../../authz/config/load.js';
import { DEFAULT_PLUGIN_NAME, pluginSocket, systemdUnit, withPlugin } from '../../authz/install.js';
import { AuthzService } from '../../authz/server/service.js';
import type { CliIo } from '../io.js';
import { COMMON_OPTIONS, helpText, type OptionSpec, parseOptions } from '../options.js';

const OPTIONS: readonly OptionSpec[] = [
  { name: 'config', type: 'string', arg: 'FILE', help: 'the AuthzConfig YAML (roles, bindings, identity, image policies, audit)' },
  { name: 'name', type: 'string', arg: 'NAME', help: `plugin name dockerd knows it by (default ${DEFAULT_PLUGIN_NAME})` },
  { name: 'socket', type: 'string', arg: 'PATH', help: 'serve: listen here (default /run/docker/plugins/NAME.sock)' },
  { name: 'audit-dir', type: 'string', arg: 'DIR', help: 'serve: audit directory when the configuration cannot be read (default /var/lib/portcullis/audit)' },
  { name: 'daemon-json', type: 'string', arg: 'FILE', help: 'install: dockerd configuration to add the plugin to (default /etc/docker/daemon.json)' },
  { name: 'unit-dir', type: 'string', arg: 'DIR', help: 'install: where the systemd unit goes (default /etc/systemd/system)' },
  ...COMMON_OPTIONS,
];

const USAGE = `Usage: portcullis authz <serve|check|install> --config FILE [options]

  serve    run the Docker authorization plugin (SIGHUP or a changed file reloads the configuration)
  check    load the configuration and its policies; exit 0 when they are valid
  install  write a systemd unit for "serve" and add the plugin to dockerd's daemon.json

Every request the plugin cannot positively allow is denied (docs/authz.md).`;

function configOf(values: Record<string, unknown>, io: CliIo): string {
  if (typeof values.config !== 'string') throw new PortcullisError('USAGE', 'authz needs --config FILE (see portcullis authz --help)');
  return resolve(io.cwd, values.config);
}

async function serve(values: Record<string, unknown>, io: CliIo): Promise<number> {
  const name = typeof values.name === 'string' ? values.name : DEFAULT_PLUGIN_NAME;
  const socket = typeof values.socket === 'string' ? resolve(io.cwd, values.socket) : pluginSocket(name);
  const log = (line: string) => io.stderr.write(`${new Date().toISOString()} authz: ${line}\n`);
  const svc = await AuthzService.start({
    config: configOf(values, io),
    socket,
    env: io.env,
    fallbackAuditDir: typeof values['audit-dir'] === 'string' ? resolve(io.cwd, values['audit-dir']) : '/var/lib/portcullis/audit',
    log,
  });
  log(`listening on ${socket} (configuration generation ${svc.generation}${svc.failure ? ', NOT loaded: denying everything' : ''})`);
  // The process edge: signals. SIGHUP reloads; SIGTERM/SIGINT stop after requests in flight.
  const onHup = () => void svc.reload();
  process.on('SIGHUP', onHup);
  await new Promise<void>((done) => {
    process.once('SIGTERM', done);
    process.once('SIGINT', done);
  });
  process.off('SIGHUP', onHup);
  log('stopping');
  await svc.stop();
  return 0;
}

async function check(values: Record<string, unknown>, io: CliIo): Promise<number> {
  const loaded = await loadAuthzConfig(configOf(values, io));
  const spec = loaded.config.spec;
  io.stdout.write(`${loaded.file}: valid: ${spec.roles.length} roles, ${spec.bindings.length} bindings, ${loaded.policies.length} image policies (${loaded.policies.reduce((n, p) => n + p.rules.filter((r) => r.stages.has('deploy')).length, 0)} deploy rules)\n`);
  return 0;
}

function install(values: Record<string, unknown>, io: CliIo): number {
  const config = configOf(values, io);
  if (!existsSync(config)) throw new PortcullisError('USAGE', `${config} does not exist`, { path: config });
  const name = typeof values.name === 'string' ? values.name : DEFAULT_PLUGIN_NAME;
  const daemonJson = typeof values['daemon-json'] === 'string' ? resolve(io.cwd, values['daemon-json']) : '/etc/docker/daemon.json';
  const unitDir = typeof values['unit-dir'] === 'string' ? resolve(io.cwd, values['unit-dir']) : '/etc/systemd/system';
  const cli = resolve(import.meta.dirname, '../main.js');
  const unit = join(unitDir, `portcullis-authz-${name}.service`);
  mkdirSync(unitDir, { recursive: true });
  writeFileSync(unit, systemdUnit({ node: process.execPath, cli, config, name }));
  const merged = withPlugin(existsSync(daemonJson) ? readFileSync(daemonJson, 'utf8') : undefined, name);
  if (merged.changed) {
    mkdirSync(dirname(daemonJson), { recursive: true });
    writeFileSync(daemonJson, merged.text);
  }
  io.stdout.write(`wrote ${unit}\n${merged.changed ? `added "${name}" to authorization-plugins in ${daemonJson}` : `${daemonJson} already lists "${name}"`}\n`);
  io.stdout.write(`next: systemctl daemon-reload && systemctl enable --now portcullis-authz-${name} && systemctl restart docker\n`);
  return 0;
}

export async function authzCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(argv, OPTIONS, io.env);
  if (values.help || positionals.length === 0) {
    io.stdout.write(helpText(USAGE, OPTIONS));
    return values.help ? 0 : 2;
  }
  const [sub, ...extra] = positionals;
  if (extra.length > 0) throw new PortcullisError('USAGE', `unexpected arguments: ${extra.join(' ')}`);
  if (sub === 'serve') return serve(values, io);
  if (sub === 'check') return check(values, io);
  if (sub === 'install') return install(values, io);
  throw new PortcullisError('USAGE', `unknown authz command "${sub}"; use serve, check or install`);
}
