import { isEnvelope, type MasterKey, openEnvelope, sealEnvelope } from './envelope.js';

/** Seals the configuration objects that hold secret parameters, and opens them (old plaintext ones too). */
export interface ConfigSealer {
  /** Whether new objects are sealed (a master key is configured). */
  readonly sealing: boolean;
  seal(objectKey: string, body: string): string;
  open(objectKey: string, body: Buffer): Buffer;
}

/**
 * `keys[0]` seals; every key opens what it sealed, so a rotation reads old objects until they are rewritten.
 * Without keys, objects are written as they are (the engine warns).
 */
export function createConfigSealer(keys: readonly MasterKey[]): ConfigSealer {
  const current = keys[0];
  return {
    sealing: current !== undefined,
    seal: (objectKey, body) => (current ? sealEnvelope(current, objectKey, body) : body),
    // Objects written before a key was configured stay readable: they are sealed at their next write.
    open: (objectKey, body) => (isEnvelope(body) ? openEnvelope(keys, objectKey, body) : body),
  };
}
