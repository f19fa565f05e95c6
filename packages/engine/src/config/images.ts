/**
 * The operator's image substitution, handed to every module as `context.images`: sites without Docker Hub
 * (air-gapped, or these tests) replace official images by their own builds, or pull through a mirror.
 */
export interface ImageSubstitution {
  /** Replaces an image, as the modules name it, by another: `{ "postgres:17.6-alpine": "registry.local/pg:17" }`. */
  map: Record<string, string>;
  /** A registry prefix for every image the map does not name, e.g. `mirror.local:5000/dockerhub`. */
  mirror: string;
}

/** A setting of the substitution is malformed; the message names it and shows the expected form. */
export class ImageSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImageSettingError';
  }
}

// A Docker reference, loosely: registry host[:port], path, and a tag or digest. No spaces, quotes or `${`.
const IMAGE_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]{0,254}$/;
const MIRROR_PREFIX = /^[A-Za-z0-9][A-Za-z0-9._\-/:]{0,254}$/;

export const NO_IMAGE_SUBSTITUTION: ImageSubstitution = { map: {}, mirror: '' };

/**
 * Reads `SPAWNIT_IMAGE_MAP` (a JSON object, or `from=to` pairs separated by commas) and `SPAWNIT_IMAGE_MIRROR`.
 */
export function parseImageSubstitution(mapSetting?: string, mirrorSetting?: string): ImageSubstitution {
  const map: Record<string, string> = {};
  const raw = mapSetting?.trim() ?? '';
  let entries: [string, unknown][] = [];
  if (raw.startsWith('{') || raw.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch (error) {
      throw new ImageSettingError(
        `SPAWNIT_IMAGE_MAP is not valid JSON (${(error as Error).message}): give {"postgres:17.6-alpine": "registry.local/postgres:17", ...} or postgres:17.6-alpine=registry.local/postgres:17,...`,
      );
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ImageSettingError('SPAWNIT_IMAGE_MAP must be a JSON object of image names to image names.');
    }
    entries = Object.entries(parsed);
  } else if (raw !== '') {
    entries = raw
      .split(',')
      .map((pair) => pair.trim())
      .filter(Boolean)
      .map((pair) => {
        const at = pair.indexOf('=');
        if (at <= 0) {
          throw new ImageSettingError(
            `SPAWNIT_IMAGE_MAP: "${pair}" is not from=to (e.g. postgres:17.6-alpine=registry.local/postgres:17).`,
          );
        }
        return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
      });
  }
  for (const [from, to] of entries) {
    if (!IMAGE_REFERENCE.test(from) || typeof to !== 'string' || !IMAGE_REFERENCE.test(to)) {
      throw new ImageSettingError(
        `SPAWNIT_IMAGE_MAP: "${from}" -> ${JSON.stringify(to)} is not a pair of image references (name:tag or name@sha256:...).`,
      );
    }
    if (to.endsWith(':latest') || !/(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[0-9a-f]{64})$/.test(to)) {
      throw new ImageSettingError(
        `SPAWNIT_IMAGE_MAP: "${to}" (for ${from}) must be pinned, with a tag other than "latest" or a digest.`,
      );
    }
    map[from] = to;
  }
  const mirror = mirrorSetting?.trim().replace(/\/+$/, '') ?? '';
  if (mirror !== '' && !MIRROR_PREFIX.test(mirror)) {
    throw new ImageSettingError(
      `SPAWNIT_IMAGE_MIRROR is "${mirror}": give a registry host and optional path, e.g. mirror.local:5000/dockerhub.`,
    );
  }
  return { map, mirror };
}

export function hasImageSubstitution(images: ImageSubstitution): boolean {
  return images.mirror !== '' || Object.keys(images.map).length > 0;
}

/** The operator's Docker settings every module receives as `context.platform`. */
export interface DockerPlatform {
  images: ImageSubstitution;
  /** The host address container ports are published on; unset: the modules' default (every address). */
  publishIp?: string;
}

const IPV4 = /^(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])){3}$/;

/** Reads `SPAWNIT_PUBLISH_IP`: an IPv4 address of the Docker host. */
export function parsePublishIp(setting: string | undefined): string | undefined {
  const value = setting?.trim();
  if (!value) return undefined;
  if (!IPV4.test(value)) {
    throw new ImageSettingError(
      `SPAWNIT_PUBLISH_IP is "${value}": give an IPv4 address of the Docker host, e.g. 127.0.0.1 (this host only) or 0.0.0.0 (every address).`,
    );
  }
  return value;
}

/** `context.platform` as the modules read it, or `undefined` when nothing differs from their defaults. */
export function renderPlatform(platform: DockerPlatform): Record<string, unknown> | undefined {
  if (!hasImageSubstitution(platform.images) && platform.publishIp === undefined) return undefined;
  return {
    image_map: platform.images.map,
    image_mirror: platform.images.mirror,
    ...(platform.publishIp === undefined ? {} : { publish_ip: platform.publishIp }),
  };
}
