<?php
// The PHP snippet of docs/identity-jwt.md (no library), run as a customer's server runs it: the line below
// becomes the docs' block (test/harness/docs-programs.ts); only the main is ours (the docs' tokens only: no defects to make).
// docs: docs/identity-jwt.md § Server-side examples (php)

foreach (json_decode(stream_get_contents(STDIN), true) as $case) {
    echo inviaro_user_jwt($case['docs']['user_id'], $case['docs']['email'] ?? null, $case['docs']['name'] ?? null), "\n";
}
