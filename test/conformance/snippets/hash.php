<?php
// The PHP snippet of the customer docs, run as a customer's server runs it: the line below becomes
// the docs' block (test/harness/docs-programs.ts); only the main is ours: a JSON array of user ids on stdin, one digest a line out.
// docs: docs/customer-promise.md § Server-side examples (as the page gives them) (php)

$userIds = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
foreach ($userIds as $userId) {
    echo inviaro_user_hash($userId), "\n";
}
