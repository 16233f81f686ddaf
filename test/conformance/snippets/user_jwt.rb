# Docs → Identity with a signed token (docs/identity-jwt.md) → Server-side examples → Ruby (the jwt gem,
# Debian ruby-jwt). The require and the method are copied verbatim; only the main below is ours.
require 'jwt'

def inviaro_user_jwt(user_id, email: nil, name: nil)
  now = Time.now.to_i
  claims = { sub: user_id.to_s, iat: now, exp: now + 12 * 3600, email: email, name: name }.compact
  JWT.encode(claims, ENV.fetch('INVIARO_WIDGET_SECRET'), 'HS256')
end

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
