import { z } from 'zod';

/**
 * The parts of Engine API replies the checks read (API v1.41,
 * https://docs.docker.com/reference/api/engine/version/v1.41/). Every field is optional and
 * unknown fields pass through: a newer or older engine is read, never refused.
 */
const strings = z.array(z.string()).nullish();

export const EngineInfoSchema = z
  .object({
    ServerVersion: z.string().optional(),
    Driver: z.string().optional(),
    LoggingDriver: z.string().optional(),
    LiveRestoreEnabled: z.boolean().optional(),
    ExperimentalBuild: z.boolean().optional(),
    Debug: z.boolean().optional(),
    DockerRootDir: z.string().optional(),
    SecurityOptions: strings,
    Images: z.number().optional(),
    Containers: z.number().optional(),
    ContainersRunning: z.number().optional(),
    ContainersStopped: z.number().optional(),
    Plugins: z.object({ Authorization: strings }).passthrough().nullish(),
    RegistryConfig: z
      .object({
        InsecureRegistryCIDRs: strings,
        IndexConfigs: z.record(z.string(), z.object({ Name: z.string().optional(), Secure: z.boolean().optional() }).passthrough()).nullish(),
      })
      .passthrough()
      .nullish(),
    Swarm: z.object({ LocalNodeState: z.string().optional() }).passthrough().nullish(),
  })
  .passthrough();
export type EngineInfo = z.infer<typeof EngineInfoSchema>;

export const EngineVersionSchema = z.object({ Version: z.string(), ApiVersion: z.string().optional(), Os: z.string().optional() }).passthrough();
export type EngineVersion = z.infer<typeof EngineVersionSchema>;

const PortBinding = z.object({ HostIp: z.string().nullish(), HostPort: z.string().nullish() }).passthrough();
const PortMap = z.record(z.string(), z.array(PortBinding).nullish()).nullish();

export const MountSchema = z
  .object({
    Type: z.string().optional(),
    Source: z.string().optional(),
    Destination: z.string().optional(),
    Mode: z.string().optional(),
    RW: z.boolean().optional(),
    Propagation: z.string().optional(),
  })
  .passthrough();

export const HostConfigSchema = z
  .object({
    Binds: strings,
    NetworkMode: z.string().optional(),
    PortBindings: PortMap,
    RestartPolicy: z.object({ Name: z.string().optional(), MaximumRetryCount: z.number().optional() }).passthrough().nullish(),
    CapAdd: strings,
    CapDrop: strings,
    IpcMode: z.string().optional(),
    PidMode: z.string().optional(),
    UTSMode: z.string().optional(),
    UsernsMode: z.string().optional(),
    CgroupParent: z.string().optional(),
    Privileged: z.boolean().optional(),
    ReadonlyRootfs: z.boolean().optional(),
    SecurityOpt: strings,
    Memory: z.number().optional(),
    CpuShares: z.number().optional(),
    NanoCpus: z.number().optional(),
    CpuQuota: z.number().optional(),
    PidsLimit: z.number().nullish(),
    Devices: z.array(z.object({ PathOnHost: z.string().optional(), PathInContainer: z.string().optional() }).passthrough()).nullish(),
    Ulimits: z.array(z.object({ Name: z.string().optional() }).passthrough()).nullish(),
  })
  .passthrough();

export const ContainerInspectSchema = z
  .object({
    Id: z.string(),
    Name: z.string().optional(),
    Image: z.string().optional(),
    AppArmorProfile: z.string().optional(),
    State: z
      .object({
        Status: z.string().optional(),
        Running: z.boolean().optional(),
        Pid: z.number().optional(),
        Health: z.object({ Status: z.string().optional() }).passthrough().nullish(),
      })
      .passthrough()
      .optional(),
    HostConfig: HostConfigSchema.optional(),
    Config: z
      .object({
        User: z.string().optional(),
        Image: z.string().optional(),
        Healthcheck: z.object({ Test: strings }).passthrough().nullish(),
        Labels: z.record(z.string(), z.string()).nullish(),
      })
      .passthrough()
      .optional(),
    Mounts: z.array(MountSchema).nullish(),
    NetworkSettings: z.object({ Ports: PortMap }).passthrough().nullish(),
  })
  .passthrough();
export type ContainerInspect = z.infer<typeof ContainerInspectSchema>;

export const ContainerTopSchema = z.object({ Titles: z.array(z.string()), Processes: z.array(z.array(z.string())).nullish() }).passthrough();

export const ContainerSummarySchema = z.array(z.object({ Id: z.string(), Names: strings, Image: z.string().optional(), ImageID: z.string().optional(), State: z.string().optional() }).passthrough());

export const ImageSummarySchema = z.array(
  z.object({ Id: z.string(), RepoTags: strings, Containers: z.number().optional(), Size: z.number().optional() }).passthrough(),
);
