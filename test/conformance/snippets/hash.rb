# Docs → Identity verification → Server-side examples → Ruby. The require and the method are
# copied verbatim; only the main below is ours: a JSON array of user ids on stdin, one digest a line out.
require 'openssl'

def inviaro_user_hash(user_id)
  OpenSSL::HMAC.hexdigest('sha256', ENV.fetch('INVIARO_WIDGET_SECRET'), user_id.to_s)
end

require 'json'
# UTF-8 whatever the locale, so the ids are read as the page sent them.
JSON.parse($stdin.read.force_encoding(Encoding::UTF_8)).each { |user_id| puts inviaro_user_hash(user_id) }
