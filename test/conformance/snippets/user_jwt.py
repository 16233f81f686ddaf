# Docs → Identity with a signed token (docs/identity-jwt.md) → Server-side examples → Python (PyJWT,
# Debian python3-jwt). The imports and the function are copied verbatim; only the main below is ours.
import os, time
import jwt

def inviaro_user_jwt(user_id, email=None, name=None):
    now = int(time.time())
    claims = {'sub': str(user_id), 'iat': now, 'exp': now + 12 * 3600}
    if email:
        claims['email'] = email
    if name:
        claims['name'] = name
    return jwt.encode(claims, os.environ['INVIARO_WIDGET_SECRET'], algorithm='HS256')

if __name__ == '__main__':
    import json, sys
    # A case is {docs: {user_id, email, name}} (the function above) or {claims, alg, kid, key} (the library as it is, defects included).
    for case in json.loads(sys.stdin.buffer.read()):
        if 'docs' in case:
            print(inviaro_user_jwt(**case['docs']))
            continue
        key = None if case['alg'] == 'none' else os.environ['INVIARO_OTHER_SECRET' if case.get('key') == 'other' else 'INVIARO_WIDGET_SECRET']
        print(jwt.encode(case['claims'], key, algorithm=case['alg'], headers={'kid': case['kid']} if 'kid' in case else None))
