/**
 * Applies a JSON merge patch (RFC 7386) to a sandbox record in place, for the `PATCH /_sandbox/…` controls: objects
 * merge key by key, `null` removes a key, anything else (arrays included) replaces. False when the patch is not an
 * object (nothing changed).
 */
export function applyMergePatch(target: object, patch: unknown): boolean {
  if (!isPlainObject(patch)) return false;
  const record = target as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    const current = record[key];
    if (value === null) delete record[key];
    else if (!isPlainObject(value)) record[key] = value;
    else if (isPlainObject(current)) applyMergePatch(current, value);
    else {
      const fresh = {};
      applyMergePatch(fresh, value);
      record[key] = fresh;
    }
  }
  return true;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !Buffer.isBuffer(v);
}
