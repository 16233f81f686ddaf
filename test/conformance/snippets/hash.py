# Docs → Identity verification → Server-side examples → Python. The import and the function are
# copied verbatim; only the main below is ours: a JSON array of user ids on stdin, one digest a line out.
import hmac, hashlib, os

def inviaro_user_hash(user_id: str) -> str:
    secret = os.environ['INVIARO_WIDGET_SECRET'].encode()
    return hmac.new(secret, user_id.encode(), hashlib.sha256).hexdigest()

if __name__ == '__main__':
    import json, sys
    # Bytes, so the locale cannot change how the ids are read.
    for user_id in json.loads(sys.stdin.buffer.read()):
        print(inviaro_user_hash(user_id))
