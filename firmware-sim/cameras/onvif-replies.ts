// Bodies of the ONVIF Profile S replies the simulated camera gives: device service (date and time,
// information, capabilities, services) and media service (profiles, video sources, stream/snapshot URIs).
// The events service's replies are in event-replies.ts.
import { NS } from './soap.js';

export interface CameraFacts {
  name: string;
  serial: string;
  /** http://host:port, no trailing slash. */
  base: string;
  host: string;
  rtspPort: number;
}

export const DEVICE_PATH = '/onvif/device_service';
export const MEDIA_PATH = '/onvif/media_service';
export const EVENTS_PATH = '/onvif/events_service';
/** Followed by the subscription's id: each pull-point subscription is its own endpoint. */
export const SUBSCRIPTION_PREFIX = '/onvif/subscription/';
export const snapshotPath = (profileToken: string) => `/onvif/snapshot/${profileToken}.jpg`;

// Two profiles as most cheap cameras have: a main stream and a sub stream from one sensor. These are
// also the sizes, rates and bitrates of the video loops the RTSP server streams (video-loop.ts).
export const PROFILES = [
  { token: 'profile_main', name: 'mainStream', width: 1280, height: 720, fps: 25, kbps: 2048 },
  { token: 'profile_sub', name: 'subStream', width: 640, height: 360, fps: 15, kbps: 512 },
] as const;

export function dateAndTime(nowMs: number): Record<string, unknown> {
  const d = new Date(nowMs);
  return {
    'tds:GetSystemDateAndTimeResponse': {
      'tds:SystemDateAndTime': {
        'tt:DateTimeType': 'NTP',
        'tt:DaylightSavings': 'false',
        'tt:TimeZone': { 'tt:TZ': 'UTC' },
        'tt:UTCDateTime': {
          'tt:Time': { 'tt:Hour': d.getUTCHours(), 'tt:Minute': d.getUTCMinutes(), 'tt:Second': d.getUTCSeconds() },
          'tt:Date': { 'tt:Year': d.getUTCFullYear(), 'tt:Month': d.getUTCMonth() + 1, 'tt:Day': d.getUTCDate() },
        },
      },
    },
  };
}

export function deviceInformation(f: CameraFacts): Record<string, unknown> {
  return {
    'tds:GetDeviceInformationResponse': {
      'tds:Manufacturer': 'Loa Simulator',
      'tds:Model': 'SimCam S1',
      'tds:FirmwareVersion': '1.0.0',
      'tds:SerialNumber': f.serial,
      'tds:HardwareId': f.name,
    },
  };
}

export function capabilities(f: CameraFacts): Record<string, unknown> {
  return {
    'tds:GetCapabilitiesResponse': {
      'tds:Capabilities': {
        'tt:Device': { 'tt:XAddr': f.base + DEVICE_PATH },
        // Schema order (tt:Capabilities): Analytics, Device, Events, Imaging, Media, PTZ.
        'tt:Events': {
          'tt:XAddr': f.base + EVENTS_PATH,
          'tt:WSSubscriptionPolicySupport': 'false',
          'tt:WSPullPointSupport': 'true',
          'tt:WSPausableSubscriptionManagerInterfaceSupport': 'false',
        },
        'tt:Media': {
          'tt:XAddr': f.base + MEDIA_PATH,
          'tt:StreamingCapabilities': { 'tt:RTPMulticast': 'false', 'tt:RTP_TCP': 'true', 'tt:RTP_RTSP_TCP': 'true' },
        },
      },
    },
  };
}

export function services(f: CameraFacts): Record<string, unknown> {
  const service = (ns: string, path: string) => ({
    'tds:Namespace': ns,
    'tds:XAddr': f.base + path,
    'tds:Version': { 'tt:Major': 2, 'tt:Minor': 60 },
  });
  return { 'tds:GetServicesResponse': { 'tds:Service': [service(NS.tds, DEVICE_PATH), service(NS.trt, MEDIA_PATH), service(NS.tev, EVENTS_PATH)] } };
}

export function profiles(): Record<string, unknown> {
  return { 'trt:GetProfilesResponse': { 'trt:Profiles': PROFILES.map(profileBody) } };
}

/** GetProfile (one profile; libonvif's onvif-util asks for it before GetStreamUri). */
export function profile(token: string): Record<string, unknown> {
  const p = PROFILES.find((x) => x.token === token);
  return p ? { 'trt:GetProfileResponse': { 'trt:Profile': profileBody(p) } } : {};
}

function profileBody(p: (typeof PROFILES)[number]): Record<string, unknown> {
  return {
    '@_token': p.token,
    '@_fixed': 'true',
    'tt:Name': p.name,
    'tt:VideoSourceConfiguration': {
      '@_token': 'vsc_1',
      'tt:Name': 'VideoSourceConfig',
      'tt:UseCount': PROFILES.length,
      'tt:SourceToken': 'video_source_1',
      'tt:Bounds': { '@_x': 0, '@_y': 0, '@_width': 1280, '@_height': 720 },
    },
    'tt:VideoEncoderConfiguration': {
      '@_token': `vec_${p.token}`,
      'tt:Name': `${p.name}Encoder`,
      'tt:UseCount': 1,
      'tt:Encoding': 'H264',
      'tt:Resolution': { 'tt:Width': p.width, 'tt:Height': p.height },
      'tt:Quality': 5,
      'tt:RateControl': { 'tt:FrameRateLimit': p.fps, 'tt:EncodingInterval': 1, 'tt:BitrateLimit': p.kbps },
      'tt:SessionTimeout': 'PT60S',
    },
  };
}

export function videoSources(): Record<string, unknown> {
  return {
    'trt:GetVideoSourcesResponse': {
      'trt:VideoSources': { '@_token': 'video_source_1', 'tt:Framerate': 25, 'tt:Resolution': { 'tt:Width': 1280, 'tt:Height': 720 } },
    },
  };
}

function mediaUri(uri: string): Record<string, unknown> {
  return { 'tt:Uri': uri, 'tt:InvalidAfterConnect': 'false', 'tt:InvalidAfterReboot': 'false', 'tt:Timeout': 'PT0S' };
}

/** The profile's RTSP address: the camera's own address, its RTSP port, the profile token as the path. */
export const rtspUri = (f: Pick<CameraFacts, 'host' | 'rtspPort'>, profileToken: string) => `rtsp://${f.host}:${f.rtspPort}/${profileToken}`;

export function streamUri(f: CameraFacts, profileToken: string): Record<string, unknown> {
  return { 'trt:GetStreamUriResponse': { 'trt:MediaUri': mediaUri(rtspUri(f, profileToken)) } };
}

export function snapshotUri(f: CameraFacts, profileToken: string): Record<string, unknown> {
  return { 'trt:GetSnapshotUriResponse': { 'trt:MediaUri': mediaUri(f.base + snapshotPath(profileToken)) } };
}

export const profileExists = (token: string) => PROFILES.some((p) => p.token === token);
