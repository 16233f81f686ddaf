# The Python snippet of docs/identity-jwt.md (PyJWT, Debian python3-jwt), run as a customer's server runs it:
# the line below becomes the docs' block (test/harness/docs-programs.ts); only the main is ours.
# docs: docs/identity-jwt.md § Server-side examples (python)

if __name__ == '__main__':
    import json, sys
    # A case is {docs: {user_id, email, name}} (the function above) or {claims, alg, kid, key} (the library as it is, defects included).
    for case in json.loads(sys.stdin.buffer.read()):
        if 'docs' in case:
            print(inviaro_user_jwt(**case['docs']))
            continue
        key = None if case['alg'] == 'none' else os.environ['INVIARO_OTHER_SECRET' if case.get('key') == 'other' else 'INVIARO_WIDGET_SECRET']
        print(jwt.encode(case['claims'], key, algorithm=case['alg'], headers={'kid': case['kid']} if 'kid' in case else None))
