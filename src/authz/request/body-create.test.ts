import { describe, expect, it } from 'vitest';
import { containerCreateFacts, execCreateFacts, normalizeCapability, volumeCreateFacts } from './body-create.js';
import { goFold } from './go-json.js';
import { bindSource, normalizeHostPath } from './host-path.js';

describe('host paths', () => {
  const cases: [string, string][] = [
    ['/', '/'],
    ['/etc/', '/etc'],
    ['//etc//ssl/', '/etc/ssl'],
    ['/a/../etc', '/etc'],
    ['/../../etc/./shadow', '/etc/shadow'],
    ['/var/run/docker.sock', '/run/docker.sock'],
    ['/var/run/', '/run'],
    ['/var/./run/../run/docker.sock', '/run/docker.sock'],
    // Only the /var/run directory itself is the symlink.
    ['/var/running', '/var/running'],
    ['/run/docker.sock', '/run/docker.sock'],
  ];
  it.each(cases)('%s → %s', (p, want) => expect(normalizeHostPath(p)).toBe(want));
});

describe('HostConfig.Binds entries (dockerd linux parser)', () => {
  const cases: [string, string | undefined][] = [
    ['/:/host', '/'],
    ['/:/host:ro', '/'],
    ['/var/run/docker.sock:/var/run/docker.sock', '/run/docker.sock'],
    ['/etc/:/x:ro,Z', '/etc'],
    ['//etc/../etc:/x', '/etc'],
    ['data:/data', undefined],
    ['data:/data:ro', undefined],
    // One part, or `dst:mode`: an anonymous volume, not a bind.
    ['/data', undefined],
    ['/etc:ro', undefined],
    ['/etc:rw,nocopy', undefined],
    // `src:dst` whose second part is not a mode is a bind.
    ['/etc:/x', '/etc'],
    ['relative/path:/x', undefined],
  ];
  it.each(cases)('%s → %s', (spec, want) => expect(bindSource(spec)).toBe(want));
});

describe('capabilities', () => {
  it.each([
    ['SYS_ADMIN', 'SYS_ADMIN'],
    ['CAP_SYS_ADMIN', 'SYS_ADMIN'],
    ['cap_sys_admin', 'SYS_ADMIN'],
    ['Sys_Ptrace', 'SYS_PTRACE'],
    ['all', 'ALL'],
    ['ALL', 'ALL'],
  ])('%s → %s', (cap, want) => expect(normalizeCapability(cap)).toBe(want));
});

describe('Go field folding', () => {
  it('folds ASCII case, the Kelvin sign and the long s, nothing else', () => {
    expect(goFold('NetworKMode')).toBe('networkmode');
    expect(goFold('ſecurityOpt')).toBe('securityopt');
    expect(goFold('PrİvileGed')).not.toBe('privileged');
  });
});

describe('container create facts', () => {
  const facts = (body: object) => containerCreateFacts(JSON.parse(JSON.stringify(body)) as Record<string, unknown>);

  it('reads a full HostConfig', () => {
    const f = facts({
      Image: 'reg/app:1',
      User: '0:0',
      HostConfig: {
        Privileged: false,
        CapAdd: ['cap_net_admin', 'SYS_PTRACE', 'CAP_NET_ADMIN'],
        NetworkMode: 'host',
        PidMode: 'HOST',
        IpcMode: 'container:db',
        UTSMode: 'host',
        UsernsMode: 'host',
        CgroupnsMode: 'host',
        Binds: ['/etc:/etc:ro', 'named:/data', '/var/run/docker.sock:/sock'],
        Mounts: [
          { Type: 'bind', Source: '/root/' },
          { Type: 'tmpfs', Target: '/tmp' },
          { Type: 'volume', Source: 'v', Target: '/v', VolumeOptions: { DriverConfig: { Name: 'local', Options: { type: 'none', o: 'bind,ro', device: '/var/lib/docker' } } } },
          { Type: 'volume', Source: 'w', Target: '/w', VolumeOptions: { DriverConfig: { Name: 'nfs', Options: { o: 'bind', device: '/' } } } },
        ],
        Devices: [{ PathOnHost: '/dev/sda', PathInContainer: '/dev/xvda', CgroupPermissions: 'rwm' }, { PathOnHost: '/dev/../dev/mem' }],
        SecurityOpt: ['seccomp=unconfined', 'apparmor:unconfined', 'no-new-privileges'],
      },
    });
    expect(f).toEqual({
      image: 'reg/app:1',
      user: '0:0',
      privileged: false,
      capAdd: ['NET_ADMIN', 'SYS_PTRACE'],
      // `container:db` joins another container's namespace, which is not the host's.
      hostNamespaces: ['pid', 'network', 'uts', 'userns', 'cgroup'],
      bindMounts: ['/etc', '/run/docker.sock', '/root', '/var/lib/docker'],
      devices: ['/dev/sda', '/dev/mem'],
      securityOpt: ['seccomp=unconfined', 'apparmor:unconfined', 'no-new-privileges'],
      joins: ['ipc=container:db'],
    });
  });

  it('reads the deprecated top-level HostConfig fields dockerd still honours, and unions them with the inner ones', () => {
    expect(facts({ Image: 'b', Privileged: true }).privileged).toBe(true);
    expect(facts({ Image: 'b', Privileged: true, HostConfig: { Privileged: false } }).privileged).toBe(true);
    expect(facts({ Image: 'b', Binds: ['/:/h'], HostConfig: { Binds: ['/etc:/e'] } }).bindMounts).toEqual(['/', '/etc']);
    expect(facts({ Image: 'b', HostConfig: null, PidMode: 'host' }).hostNamespaces).toEqual(['pid']);
  });

  it('takes CapAdd as one string (strslice) and skips JSON nulls as Go does', () => {
    expect(facts({ Image: 'b', HostConfig: { CapAdd: 'sys_admin' } }).capAdd).toEqual(['SYS_ADMIN']);
    expect(facts({ Image: 'b', User: null, HostConfig: { CapAdd: null, Binds: [null, '/:/h'], Devices: [null], Mounts: null, Privileged: null } })).toEqual({
      image: 'b',
      privileged: false,
      capAdd: [],
      hostNamespaces: [],
      bindMounts: ['/'],
      devices: [],
      securityOpt: [],
      joins: [],
    });
  });

  it('reads bind mounts with Go-folded keys and any-case types', () => {
    expect(facts({ image: 'b', hostconfig: { mounts: [{ type: 'BIND', source: '/' }] } }).bindMounts).toEqual(['/']);
  });

  it('refuses wrong types in the fields it reads', () => {
    expect(() => facts({ Image: 'b', HostConfig: { Devices: [{ PathOnHost: 1 }] } })).toThrow(/PathOnHost/);
    expect(() => facts({ Image: 'b', HostConfig: { SecurityOpt: 'seccomp=unconfined' } })).toThrow(/SecurityOpt/);
    expect(() => facts({ Image: 'b', HostConfig: { Mounts: [{ Type: 'volume', VolumeOptions: { DriverConfig: { Options: { device: 5 } } } }] } })).toThrow(/DriverConfig/);
    expect(() => facts({ Image: 5 })).toThrow(/Image/);
  });
});

describe('exec create facts', () => {
  it('reads Privileged, User and Cmd', () => {
    expect(execCreateFacts({ User: 'root', Privileged: true, Cmd: ['sh', '-c', 'id'] })).toEqual({ privileged: true, user: 'root', cmd: ['sh', '-c', 'id'] });
    expect(execCreateFacts({ cmd: ['id'], user: '' })).toEqual({ privileged: false, cmd: ['id'] });
  });
});

describe('volumeCreateFacts', () => {
  it('sees a local volume that binds a host path as a bind of that path', () => {
    expect(volumeCreateFacts({ Name: 'v', DriverOpts: { type: 'none', o: 'bind', device: '/var/run/docker.sock' } })).toEqual({ driver: 'local', bindSource: '/run/docker.sock' });
    expect(volumeCreateFacts({ Driver: 'local', DriverOpts: { type: 'none', o: 'ro,bind', device: '/etc/../etc' } })).toEqual({ driver: 'local', bindSource: '/etc' });
    expect(volumeCreateFacts({ Name: 'v' })).toEqual({ driver: 'local' });
    expect(volumeCreateFacts({ Driver: 'nfs', DriverOpts: { o: 'bind', device: '/etc' } })).toEqual({ driver: 'nfs' });
  });

  it('records --volumes-from and container:<id> namespace modes as joins', () => {
    expect(containerCreateFacts({ Image: 'b', HostConfig: { VolumesFrom: ['db:ro'], NetworkMode: 'container:web', PidMode: 'Container:x' } }).joins).toEqual(['pid=Container:x', 'network=container:web', 'volumes-from=db:ro']);
  });

  it('refuses a volume body with the wrong types', () => {
    expect(() => volumeCreateFacts({ DriverOpts: { device: 1 } })).toThrow(/DriverOpts/);
  });
});
