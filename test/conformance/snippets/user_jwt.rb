# The Ruby snippet of docs/identity-jwt.md (the jwt gem, Debian ruby-jwt), run as a customer's server runs it:
# the line below becomes the docs' block (test/harness/docs-programs.ts); only the main is ours.
# docs: docs/identity-jwt.md § Server-side examples (ruby)

if __FILE__ == $PROGRAM_NAME
  require 'json'
  # A case is {docs: {user_id, email, name}} (the method above) or {claims, alg, kid, key} (the library as it is, defects included).
  JSON.parse($stdin.read.force_encoding('UTF-8')).each do |c|
    if c['docs']
      puts inviaro_user_jwt(c['docs']['user_id'], email: c['docs']['email'], name: c['docs']['name'])
      next
    end
    key = c['alg'] == 'none' ? nil : ENV.fetch(c['key'] == 'other' ? 'INVIARO_OTHER_SECRET' : 'INVIARO_WIDGET_SECRET')
    puts JWT.encode(c['claims'], key, c['alg'], c['kid'] ? { kid: c['kid'] } : {})
  end
end
