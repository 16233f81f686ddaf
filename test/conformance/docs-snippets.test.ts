import {
  createWidget,
  createWorkspace,
  DIST,
  docsBlock,
  docsProgram,
  nth,
  removeDocsPrograms,
  RunningSystem,
  SNIPPETS,
  startSystem,
  TestWidget,
  VerifierProbe,
} from '@inviaro/test-harness';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './run-program';
// Every server snippet of the customer docs (docs/customer-promise.md, taken from the file itself: test/harness/docs-programs.ts),
// run by its own interpreter, must produce digests the running verifier accepts under their widget's secret and only
// under it (docs/api.md §1).
// Needs on the PATH: php (php-cli), python3, ruby, go (golang-go).
jest.setTimeout(120_000);

const USER_IDS = [
  'usr_42',
  ' spaced ',
  'Łódź-ユーザー',
  '👩‍💻🚀',
  'é'.repeat(100) + '𝄞'.repeat(100) + 'z'.repeat(55), // 255 characters, 455 UTF-16 units, 655 bytes
  '12345',
  'a b  c',
  '0b6c1a52-9d4e-4f3a-8c21-7e5d9a0f3b64',
];
/** Widgets, each with its secret as the admin revealed it. */
const WIDGETS = 3;

type Language = 'node' | 'php' | 'python' | 'ruby' | 'go';

describe('the docs’ server snippets', () => {
  let goDir: string;
  let system: RunningSystem;
  let probe: VerifierProbe;
  let widgets: TestWidget[];
  const commands: Record<Language, () => [string, ...string[]]> = {
    node: () => [process.execPath, docsProgram('node.js')],
    php: () => ['php', docsProgram('hash.php')],
    python: () => ['python3', docsProgram('hash.py')],
    ruby: () => ['ruby', docsProgram('hash.rb')],
    go: () => [join(goDir, 'hash')],
  };
  const languages = Object.keys(commands) as Language[];
  /** digests[language][secret index][user id index] */
  const digests = {} as Record<Language, string[][]>;

  /** One run per secret, every user id at once: a JSON array on stdin, a digest a line out. */
  async function digestsFrom(language: Language, secret: string): Promise<string[]> {
    const [command, ...args] = commands[language]();
    const stdout = await run(command, args, { INVIARO_WIDGET_SECRET: secret }, JSON.stringify(USER_IDS));
    return stdout.split('\n').filter(Boolean);
  }

  beforeAll(async () => {
    system = await startSystem({ services: ['gateway', 'verifier'] });
    probe = await VerifierProbe.connect(system.servers.natsUrl);
    const workspace = await createWorkspace(system);
    widgets = [];
    for (let i = 0; i < WIDGETS; i++) widgets.push(await createWidget(system, `https://shop-${i}.example`, workspace));
    goDir = await mkdtemp(join(tmpdir(), 'inviaro-docs-go-'));
    // Built once; offline and self-contained: no module download, no toolchain switch, no C compiler.
    const goEnv = { GOCACHE: join(goDir, 'cache'), GOPATH: join(goDir, 'path'), GOTOOLCHAIN: 'local', GOPROXY: 'off', GOFLAGS: '', CGO_ENABLED: '0' };
    await run('go', ['build', '-o', join(goDir, 'hash'), docsProgram('hash.go')], goEnv);
    await Promise.all(
      languages.map(async (language) => {
        digests[language] = await Promise.all(widgets.map((widget) => digestsFrom(language, widget.secret)));
      }),
    );
  });
  afterAll(async () => {
    await probe?.close();
    await system?.stop();
    if (goDir) await rm(goDir, { recursive: true, force: true });
    removeDocsPrograms();
  });

  it.each(languages)('%s prints one hex digest per user id', (language) => {
    for (const printed of digests[language]) {
      expect(printed).toHaveLength(USER_IDS.length);
      for (const digest of printed) expect(digest).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('all print the same digests', () => {
    for (const language of languages) expect({ language, digests: digests[language] }).toEqual({ language, digests: digests.node });
  });

  it('the Node SDK (libs/sdk) gives the docs’ digests, non-ASCII ids included', async () => {
    // The built SDK, as a customer's server loads the package (the suites depend on no customer-facing lib).
    const sdk = (await import(join(DIST, 'libs', 'sdk', 'src', 'index.js'))) as { inviaroUserHash(userId: string, secret: string): string };
    expect(widgets.map((widget) => USER_IDS.map((userId) => sdk.inviaroUserHash(userId, widget.secret)))).toEqual(digests.node);
  });

  it.each(languages)('%s digests verify under their own widget’s secret', async (language) => {
    for (const [w, widget] of widgets.entries()) {
      for (const [u, userId] of USER_IDS.entries()) {
        const check = await probe.check(widget.widgetId, { user_id: userId, user_hash: digests[language][w]?.[u] });
        expect({ userId, check }).toEqual({ userId, check: { verified: true, user_id: userId, secret_version: 1, verified_by: 'user_hash' } });
      }
    }
  });

  it.each(languages)('%s digests are a mismatch under every other widget’s secret', async (language) => {
    for (const [w] of widgets.entries()) {
      for (const [o, other] of widgets.entries()) {
        if (o === w) continue;
        for (const [u, userId] of USER_IDS.entries()) {
          const check = await probe.check(other.widgetId, { user_id: userId, user_hash: digests[language][w]?.[u] });
          expect({ userId, check }).toEqual({ userId, check: { verified: false, reason: 'mismatch' } });
        }
      }
    }
  });

  it('a digits-only id signed as text verifies when the page sends it as a JSON integer', async () => {
    const u = USER_IDS.indexOf('12345');
    for (const language of languages)
      expect(await probe.check(nth(widgets, 0).widgetId, { user_id: 12345, user_hash: digests[language][0]?.[u] })).toEqual({
        verified: true,
        user_id: '12345',
        secret_version: 1,
        verified_by: 'user_hash',
      });
  });

  it('runs the customer docs’ own text: each program is only our main around a block taken from the doc', () => {
    const functions = /inviaro_user_hash|inviaroUserHash|InviaroUserHash|inviaro_user_jwt|inviaroUserJwt/;
    for (const template of readdirSync(SNIPPETS)) {
      const text = readFileSync(join(SNIPPETS, template), 'utf8');
      const [, doc, section, language] = /docs: (\S+) § (.+) \((\w+)\)$/m.exec(text) ?? [];
      expect({ template, source: doc && section && language ? 'a docs block' : 'none' }).toEqual({ template, source: 'a docs block' });
      const block = docsBlock(doc!, section!, language!);
      expect({ template, defines: /(def|function|func) \w*(?:user_hash|UserHash|user_jwt|UserJwt)/i.test(text) }).toEqual({ template, defines: false });
      expect(functions.test(block)).toBe(true);
      expect(readFileSync(docsProgram(template), 'utf8')).toContain(block);
    }
  });
});
