import onvif from 'onvif';
import { withCredentials } from './rtsp-url.js';

export interface OnvifTarget {
  host: string;
  port: number;
  username?: string;
  password?: string;
  /** Profile token; the first profile with a video encoder when absent. */
  profile?: string;
  timeoutMs?: number;
}

export interface OnvifProfile {
  token: string;
  name: string;
  encoding?: string;
  width?: number;
  height?: number;
}

export interface OnvifStream {
  profiles: OnvifProfile[];
  profile: OnvifProfile;
  /** RTSP URI the device names for the profile, with the device credentials added. */
  streamUri: string;
  snapshotUri?: string;
}

export class OnvifError extends Error {
  override name = 'OnvifError';
}

type Cam = InstanceType<typeof onvif.Cam>;

function explain(target: OnvifTarget, err: Error): OnvifError {
  const where = `ONVIF device ${target.host}:${target.port}`;
  const m = err.message ?? String(err);
  if (/NotAuthorized|Sender not authorized|authenticat|401/i.test(m))
    return new OnvifError(`${where} refused the credentials: check username and password`);
  if (/ECONNREFUSED/.test(m)) return new OnvifError(`${where} refused the connection: wrong port or not an ONVIF device`);
  if (/timeout|ETIMEDOUT|EHOSTUNREACH/i.test(m)) return new OnvifError(`${where} did not answer: offline or wrong address`);
  return new OnvifError(`${where}: ${m}`);
}

/**
 * Connects to an ONVIF device (WS-Security UsernameToken auth), lists its media profiles and asks for
 * the chosen profile's RTSP stream URI (RTP over TCP) and snapshot URI.
 */
export async function resolveOnvifStream(target: OnvifTarget): Promise<OnvifStream> {
  const cam = await new Promise<Cam>((resolve, reject) => {
    const c: Cam = new onvif.Cam(
      {
        hostname: target.host,
        port: target.port,
        username: target.username,
        password: target.password,
        timeout: target.timeoutMs ?? 5000,
        preserveAddress: true,
      },
      (err: Error | null) => (err ? reject(explain(target, err)) : resolve(c)),
    );
  });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the onvif package ships no types: its parsed XML is read field by field, each coerced
  const profiles: OnvifProfile[] = (cam.profiles ?? []).map((p: any) => ({
    token: String(p.$?.token ?? ''),
    name: String(p.name ?? ''),
    encoding: p.videoEncoderConfiguration?.encoding,
    width: p.videoEncoderConfiguration?.resolution ? Number(p.videoEncoderConfiguration.resolution.width) : undefined,
    height: p.videoEncoderConfiguration?.resolution ? Number(p.videoEncoderConfiguration.resolution.height) : undefined,
  }));
  const profile = target.profile
    ? profiles.find((p) => p.token === target.profile)
    : (profiles.find((p) => p.encoding !== undefined) ?? profiles[0]);
  if (!profile) {
    const known = profiles.map((p) => p.token).join(', ') || 'none';
    throw new OnvifError(
      `ONVIF device ${target.host}:${target.port} has no profile ${target.profile ?? 'with video'} (profiles: ${known})`,
    );
  }
  const call = <T>(fn: (cb: (err: Error | null, data?: T) => void) => void) =>
    new Promise<T>((resolve, reject) => fn((err, data) => (err ? reject(explain(target, err)) : resolve(data as T))));
  const stream = await call<{ uri: string }>((cb) => cam.getStreamUri({ protocol: 'RTSP', profileToken: profile.token }, cb));
  let snapshotUri: string | undefined;
  try {
    snapshotUri = (await call<{ uri: string }>((cb) => cam.getSnapshotUri({ profileToken: profile.token }, cb))).uri;
  } catch {
    snapshotUri = undefined; // snapshots are optional in Profile S
  }
  if (!stream?.uri || !/^rtsps?:\/\//.test(stream.uri)) {
    throw new OnvifError(`ONVIF device ${target.host}:${target.port} returned no RTSP URI for profile ${profile.token}`);
  }
  const result: OnvifStream = { profiles, profile, streamUri: withCredentials(stream.uri, target.username, target.password) };
  if (snapshotUri) result.snapshotUri = snapshotUri;
  return result;
}

export interface DiscoveredDevice {
  /** WS-Discovery endpoint reference (urn:uuid:…). */
  urn: string;
  host: string;
  port: number;
  xaddrs: string[];
}

/** WS-Discovery probe on the local segment (UDP multicast 239.255.255.250:3702). */
export async function discoverOnvifDevices(timeoutMs = 3000, networkInterface?: string): Promise<DiscoveredDevice[]> {
  return new Promise((resolve, reject) => {
    onvif.Discovery.probe(
      { timeout: timeoutMs, resolve: false, ...(networkInterface ? { device: networkInterface } : {}) },
      (err: Error | Error[] | null, found?: Array<Cam | object>) => {
        // Errors also list stray non-ONVIF answers; fail only when nothing was found.
        const first = Array.isArray(err) ? err[0] : err;
        if (first && (!found || found.length === 0)) return reject(new OnvifError(`ONVIF discovery failed: ${first.message}`));
        const devices: DiscoveredDevice[] = [];
        // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the onvif package ships no types: its parsed XML is read field by field, each coerced
        for (const d of (found ?? []) as any[]) {
          const match = d?.probeMatches?.probeMatch;
          const xaddrs = String(match?.XAddrs ?? '')
            .split(/\s+/)
            .filter(Boolean);
          if (xaddrs.length === 0) continue;
          const u = new URL(xaddrs[0]!);
          devices.push({ urn: String(match?.endpointReference?.address ?? ''), host: u.hostname, port: Number(u.port || 80), xaddrs });
        }
        resolve(devices);
      },
    );
  });
}
