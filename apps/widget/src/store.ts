/** A message typed but not yet accepted by the gateway (202), kept across reloads and outages. */
export interface Pending {
  /** client_message_id: the same on every retry, so the gateway stores it once. */
  c: string;
  /** text */
  x: string;
}

/** What one widget keeps in this browser; all of it goes on logout. */
export interface Saved {
  /** visitor token */
  t?: string;
  /** outbox, oldest first */
  o?: Pending[];
  /** a mark (not the id) of the user this token was identified as */
  u?: string;
  /** a mark of the claim last sent to identify with this token */
  i?: string;
}

/**
 * localStorage under one key per widget key, re-read before every change (other tabs write too);
 * memory only where storage is unavailable (blocked cookies, some private modes).
 */
export class Store {
  private memory: Saved = {};

  constructor(readonly name: string) {}

  read(): Saved {
    try {
      const text = window.localStorage.getItem(this.name);
      return text ? (JSON.parse(text) as Saved) : {};
    } catch {
      return this.memory;
    }
  }

  update(change: (saved: Saved) => void): Saved {
    const saved = this.read();
    change(saved);
    this.memory = saved;
    try {
      window.localStorage.setItem(this.name, JSON.stringify(saved));
    } catch {
      // storage full or unavailable: memory only
    }
    return saved;
  }

  clear(): void {
    this.memory = {};
    try {
      window.localStorage.removeItem(this.name);
    } catch {
      // unavailable
    }
  }
}

/** A short non-reversible mark of a string (FNV-1a), to notice a different user without storing who. */
export function mark(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(36);
}

/** 128 random bits as hex (crypto.randomUUID needs a secure context; this does not). */
export function randomId(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  let id = '';
  for (const byte of bytes) id += (byte + 256).toString(16).slice(1);
  return id;
}
