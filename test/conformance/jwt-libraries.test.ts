import { createWidget, RunningSystem, startSystem, TestWidget, VerifierProbe } from '@inviaro/test-harness';
import { docsProgram, removeDocsPrograms } from '@inviaro/test-harness';
import { run } from './run-program';
// Tokens made by standard JWT libraries (Node's jsonwebtoken, Python's PyJWT, Ruby's jwt gem) and by
// the docs' own server snippets (docs/identity-jwt.md, PHP without a library) verify under their
// widget's secret; tokens with each defect, made by the same libraries, fail with their own reason.
// Needs: /usr/bin/python3 with python3-jwt, ruby with ruby-jwt, php (scripts/install-prerequisites.sh --for-tests).
jest.setTimeout(120_000);

// The Debian interpreter: a python3 earlier on the PATH (pyenv) lacks the Debian package.
const PYTHON = '/usr/bin/python3';

type Library = 'node' | 'python' | 'ruby' | 'php';
const COMMANDS: Record<Library, [string, ...string[]]> = {
  node: [process.execPath, docsProgram('user-jwt.js')],
  python: [PYTHON, docsProgram('user_jwt.py')],
  ruby: ['ruby', docsProgram('user_jwt.rb')],
  php: ['php', docsProgram('user_jwt.php')],
};
/** PHP's snippet signs with hash_hmac and no library: only the docs' tokens, no defects. */
const WITH_DEFECTS: Library[] = ['node', 'python', 'ruby'];

interface DocsCase {
  docs: { user_id: string; email?: string; name?: string };
}
interface LibraryCase {
  claims: Record<string, unknown>;
  alg: 'HS256' | 'HS512' | 'none';
  kid?: string;
  key?: 'other';
}

const DOCS_CASES: Array<[string, DocsCase]> = [
  ['usr_42', { docs: { user_id: 'usr_42', email: 'ada@example.com', name: 'Ada Lovelace' } }],
  ['Łódź-ユーザー', { docs: { user_id: 'Łódź-ユーザー', name: 'Zoë Ünal' } }],
  ['👩‍💻🚀', { docs: { user_id: '👩‍💻🚀' } }],
  ['é'.repeat(100) + '𝄞'.repeat(100) + 'z'.repeat(55), { docs: { user_id: 'é'.repeat(100) + '𝄞'.repeat(100) + 'z'.repeat(55) } }],
];

/** What each library-made token must come to: a user id, or a failure reason. */
function libraryCases(now: number, widgetKey: string): Array<[string, LibraryCase, { userId: string } | { reason: string }]> {
  const sub = 'usr_lib';
  const valid = { sub, iat: now, exp: now + 600 };
  return [
    ['kid and aud', { claims: { ...valid, aud: widgetKey }, alg: 'HS256', kid: 'v1' }, { userId: sub }],
    ['expired', { claims: { sub, iat: now - 7200, exp: now - 3600 }, alg: 'HS256' }, { reason: 'jwt_expired' }],
    ['not yet valid', { claims: { ...valid, nbf: now + 3600, exp: now + 7200 }, alg: 'HS256' }, { reason: 'jwt_not_yet_valid' }],
    ['two days long', { claims: { sub, iat: now, exp: now + 2 * 86_400 }, alg: 'HS256' }, { reason: 'jwt_lifetime' }],
    ['no exp', { claims: { sub, iat: now }, alg: 'HS256' }, { reason: 'jwt_lifetime' }],
    ['another widget’s aud', { claims: { ...valid, aud: 'wt_another' }, alg: 'HS256' }, { reason: 'jwt_audience' }],
    ['HS512', { claims: valid, alg: 'HS512' }, { reason: 'jwt_algorithm' }],
    ['alg none', { claims: valid, alg: 'none' }, { reason: 'jwt_algorithm' }],
    ['another secret', { claims: valid, alg: 'HS256', key: 'other' }, { reason: 'jwt_signature' }],
    ['a kid of no live version', { claims: valid, alg: 'HS256', kid: 'v9' }, { reason: 'jwt_unknown_key' }],
  ];
}

describe('user_jwt tokens of standard JWT libraries', () => {
  let system: RunningSystem;
  let probe: VerifierProbe;
  let widget: TestWidget;
  let other: TestWidget;
  const now = Math.floor(Date.now() / 1000);

  /** One run per library and secret, every case at once: a JSON array on stdin, a token a line out. */
  async function tokensOf(library: Library, cases: Array<DocsCase | LibraryCase>, secret: string): Promise<string[]> {
    const [command, ...args] = COMMANDS[library];
    const stdout = await run(command, args, { INVIARO_WIDGET_SECRET: secret, INVIARO_OTHER_SECRET: 'f'.repeat(64) }, JSON.stringify(cases));
    return stdout.split('\n').filter(Boolean);
  }

  beforeAll(async () => {
    system = await startSystem({ services: ['gateway', 'verifier'] });
    probe = await VerifierProbe.connect(system.servers.natsUrl);
    widget = await createWidget(system);
    other = await createWidget(system);
    for (const w of [widget, other]) expect((await w.admin.setIdentityPolicy(w.widgetId, 'jwt')).status).toBe(200);
  });
  afterAll(async () => {
    await probe?.close();
    await system?.stop();
    removeDocsPrograms();
  });

  it.each(Object.keys(COMMANDS) as Library[])('%s: the docs’ tokens verify under their widget’s secret, and only under it', async (library) => {
    const tokens = await tokensOf(
      library,
      DOCS_CASES.map(([, c]) => c),
      widget.secret,
    );
    expect(tokens).toHaveLength(DOCS_CASES.length);
    for (const [i, [userId]] of DOCS_CASES.entries()) {
      expect({ userId, check: await probe.check(widget.widgetId, { user_jwt: tokens[i] }) }).toEqual({
        userId,
        check: { verified: true, user_id: userId, secret_version: 1, verified_by: 'user_jwt', verified_until: expect.any(String) },
      });
      expect({ userId, check: await probe.check(other.widgetId, { user_jwt: tokens[i] }) }).toEqual({
        userId,
        check: { verified: false, reason: 'jwt_signature' },
      });
    }
  });

  it.each(WITH_DEFECTS)('%s: a valid token verifies, and each defect fails with its own reason', async (library) => {
    const cases = libraryCases(now, widget.key);
    const tokens = await tokensOf(
      library,
      cases.map(([, c]) => c),
      widget.secret,
    );
    expect(tokens).toHaveLength(cases.length);
    for (const [i, [name, , expected]] of cases.entries()) {
      const check = await probe.check(widget.widgetId, { user_jwt: tokens[i] });
      const outcome = check.verified ? { userId: check.user_id } : { reason: check.reason };
      expect({ name, outcome }).toEqual({ name, outcome: expected });
    }
  });
});
