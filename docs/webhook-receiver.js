// A jobrelay webhook receiver (Node ≥ 18, no dependencies): verify the signature, then handle each event once.
const crypto = require('node:crypto');
const http = require('node:http');

const TOLERANCE_SECONDS = 5 * 60;

/** True when `header` (Jobrelay-Signature: t=…,v1=…) signs `rawBody` with one of `secrets`, within five minutes of `nowMs`. */
function verifySignature(rawBody, header, secrets, nowMs = Date.now()) {
  const fields = String(header ?? '')
    .split(',')
    .map((field) => field.trim().split('='));
  const t = Number(fields.find(([key]) => key === 't')?.[1]);
  if (!Number.isInteger(t) || Math.abs(nowMs / 1000 - t) > TOLERANCE_SECONDS) return false;
  const signatures = fields.filter(([key]) => key === 'v1').map(([, hex]) => Buffer.from(hex ?? '', 'hex'));
  return secrets.some((secret) => {
    const expected = crypto.createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
    return signatures.some((given) => given.length === expected.length && crypto.timingSafeEqual(given, expected));
  });
}

/** An HTTP server that answers 2xx once an event is verified and handled; an event id already handled is not handled again. */
function createReceiver({ secrets, handle, seen = new Set() }) {
  return http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', async () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      if (!verifySignature(rawBody, req.headers['jobrelay-signature'], secrets)) return res.writeHead(400).end('bad signature');
      const event = JSON.parse(rawBody);
      try {
        if (!seen.has(event.id)) await handle(event); // keep `seen` in your database: the event id is the idempotency key
        seen.add(event.id);
        res.writeHead(204).end();
      } catch {
        res.writeHead(500).end(); // jobrelay delivers it again later
      }
    });
  });
}

module.exports = { verifySignature, createReceiver };

if (require.main === module) {
  const secrets = [process.env.JOBRELAY_WEBHOOK_SECRET]; // during a rotation, list the new and the old secret
  createReceiver({ secrets, handle: (event) => console.log(event.type, event.id, event.data) }).listen(8080);
}
