<?php
// Docs → Identity with a signed token (docs/identity-jwt.md) → Server-side examples → PHP, with no library:
// the function is copied verbatim; only the main below is ours (the docs' tokens only: no defects to make).
function inviaro_user_jwt(string $userId, ?string $email = null, ?string $name = null): string {
    $b64 = fn(string $bytes): string => rtrim(strtr(base64_encode($bytes), '+/', '-_'), '=');
    $now = time();
    $claims = array_filter(['sub' => $userId, 'iat' => $now, 'exp' => $now + 12 * 3600, 'email' => $email, 'name' => $name], fn($v) => $v !== null);
    $input = $b64(json_encode(['alg' => 'HS256', 'typ' => 'JWT'])) . '.' . $b64(json_encode($claims));
    return $input . '.' . $b64(hash_hmac('sha256', $input, getenv('INVIARO_WIDGET_SECRET'), true));
}

foreach (json_decode(stream_get_contents(STDIN), true) as $case) {
    echo inviaro_user_jwt($case['docs']['user_id'], $case['docs']['email'] ?? null, $case['docs']['name'] ?? null), "\n";
}
