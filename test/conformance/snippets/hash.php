<?php
// Docs → Identity verification → Server-side examples → PHP. The function is copied verbatim; only
// the main below is ours: a JSON array of user ids on stdin, one digest a line out.
function inviaro_user_hash(string $userId): string {
    return hash_hmac('sha256', $userId, getenv('INVIARO_WIDGET_SECRET'));
}

$userIds = json_decode(stream_get_contents(STDIN), true, 512, JSON_THROW_ON_ERROR);
foreach ($userIds as $userId) {
    echo inviaro_user_hash($userId), "\n";
}
