import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from '@inviaro/local-servers';

export interface ComposeService {
  image?: string;
  build?: unknown;
  user?: string;
  read_only?: boolean;
  tmpfs?: string[];
  cap_drop?: string[];
  security_opt?: string[];
  profiles?: string[];
  command?: string[];
  volumes?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  ports?: string[];
}

export interface ComposeFile {
  text: string;
  services: Record<string, ComposeService>;
  /** A service the file must have: one it lacks fails the test, by name. */
  service(name: string): ComposeService;
}

/** docker/compose.yml as the deployment tests read it (with YAML merge keys resolved). */
export function readCompose(): ComposeFile {
  const text = readFileSync(join(REPO_ROOT, 'docker', 'compose.yml'), 'utf8');
  const { services } = parse(text, { merge: true }) as { services: Record<string, ComposeService> };
  return {
    text,
    services,
    service(name) {
      const service = services[name];
      if (!service) throw new Error(`docker/compose.yml has no service ${name}`);
      return service;
    },
  };
}
