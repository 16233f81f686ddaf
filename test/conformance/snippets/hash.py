# The Python snippet of the customer docs, run as a customer's server runs it: the line below becomes
# the docs' block (test/harness/docs-programs.ts); only the main is ours: a JSON array of user ids on stdin, one digest a line out.
# docs: docs/customer-promise.md § Server-side examples (as the page gives them) (python)

if __name__ == '__main__':
    import json, sys
    # Bytes, so the locale cannot change how the ids are read.
    for user_id in json.loads(sys.stdin.buffer.read()):
        print(inviaro_user_hash(user_id))
