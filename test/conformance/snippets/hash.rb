# The Ruby snippet of the customer docs, run as a customer's server runs it: the line below becomes
# the docs' block (test/harness/docs-programs.ts); only the main is ours: a JSON array of user ids on stdin, one digest a line out.
# docs: docs/customer-promise.md § Server-side examples (as the page gives them) (ruby)

require 'json'
# UTF-8 whatever the locale, so the ids are read as the page sent them.
JSON.parse($stdin.read.force_encoding(Encoding::UTF_8)).each { |user_id| puts inviaro_user_hash(user_id) }
