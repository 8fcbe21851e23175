import { randomBytes, randomInt } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type Response } from 'express';
import { z } from 'zod';
import type { DirectApplyPayload } from './sandbox-contract';
import {
  type CvLibrarySandboxState,
  type DeliveryResult,
  fail,
  jobStatus,
  type SandboxApplication,
  type SandboxJob,
} from './sandbox-state';

const CvFile = z.object({ filename: z.string().min(1), content_type: z.string().min(1), content: z.base64() });
/** A profile field: unset takes a made-up value, null leaves it out of the delivery (a profile without it), "" sends it empty. */
const ProfileField = z.string().nullable().optional();
const ApplyBody = z.object({
  id: z.union([z.string().min(1), z.number().int()]).optional(),
  first_name: ProfileField,
  last_name: ProfileField,
  email: ProfileField,
  phone: ProfileField,
  town: ProfileField,
  county: ProfileField,
  postcode: ProfileField,
  /** null leaves out the role applied for. */
  job_title: z.null().optional(),
  /** true attaches a small PDF; default: a CV exactly when the job requires one. */
  cv: z.union([z.boolean(), CvFile]).optional(),
  /** Deliver the same application this many times at once, as a board retrying over a slow answer does. */
  duplicate: z.number().int().min(1).max(20).default(1),
  /** false answers 202 at once; poll `GET /_sandbox/applications/:id`. */
  wait: z.boolean().default(true),
});
const DeliveryBody = z.object({
  retryBaseMs: z.number().int().min(1).max(60_000).optional(),
  maxAttempts: z.number().int().min(1).max(20).optional(),
  timeoutMs: z.number().int().min(1).max(60_000).optional(),
});

/**
 * DirectApply, the board's side: a candidate applies to a live job and the board POSTs the application
 * as JSON to the job's `direct_apply_url`, expecting 200; anything else is retried with exponential backoff
 * (`retryBaseMs` · 2^n, up to `maxAttempts`). Answers once every delivery is done or given up,
 * or 202 at once with `wait: false`.
 */
export function directApplyRoutes(state: CvLibrarySandboxState, now: () => number): express.Router {
  const router = express.Router();

  router.post('/delivery', (req, res) => {
    const input = DeliveryBody.safeParse(req.body ?? {});
    if (!input.success) return fail(res, 400, 'invalid_body', z.prettifyError(input.error));
    state.delivery = { ...state.delivery, ...input.data };
    res.json(state.delivery);
  });

  router.post('/jobs/:jobId/applications', async (req, res) => {
    const input = ApplyBody.safeParse(req.body ?? {});
    if (!input.success) return fail(res, 400, 'invalid_body', z.prettifyError(input.error));
    const job = state.jobs.get(Number(req.params.jobId));
    if (!job) return fail(res, 404, 'not_found', `job ${req.params.jobId} not found`);
    const status = jobStatus(job, now());
    if (status !== 'live') return fail(res, 409, 'conflict', `job ${job.jobId} is ${status}: no one can apply`);
    const wantsCv = input.data.cv ?? job.job.cv_required;
    if (wantsCv === false && job.job.cv_required) {
      return fail(res, 422, 'invalid_field', 'cv: this job requires a CV (quick apply is off)');
    }

    const payload = buildApplication(input.data, job, now(), wantsCv);
    const application: SandboxApplication = { id: String(payload.id), jobId: job.jobId, payload, state: 'delivering', deliveries: [] };
    state.applications.set(application.id, application);
    const { signal } = state.lifetime;
    const done = Promise.all(
      Array.from({ length: input.data.duplicate }, () => {
        const result: DeliveryResult = { attempts: [], delivered: false };
        application.deliveries.push(result);
        return deliver(job.job.direct_apply_url, payload, state.delivery, result, signal);
      }),
    ).then(() => {
      application.state = application.deliveries.every((d) => d.delivered) ? 'delivered' : 'failed';
    });
    if (!input.data.wait) return void res.status(202).json(view(application));
    await done;
    res.json(view(application));
  });

  router.get('/applications/:id', (req, res: Response) => {
    const application = state.applications.get(req.params.id as string);
    if (!application) return fail(res, 404, 'not_found', `application ${req.params.id} not found`);
    res.json(view(application));
  });

  return router;
}

const view = (a: SandboxApplication) => ({ id: a.id, jobId: a.jobId, state: a.state, deliveries: a.deliveries, application: a.payload });

async function deliver(
  url: string,
  payload: DirectApplyPayload,
  settings: CvLibrarySandboxState['delivery'],
  result: DeliveryResult,
  lifetime: AbortSignal,
): Promise<void> {
  for (let attempt = 0; attempt < settings.maxAttempts && !lifetime.aborted; attempt++) {
    if (attempt > 0) {
      try {
        await sleep(settings.retryBaseMs * 2 ** (attempt - 1), undefined, { signal: lifetime });
      } catch {
        return; // the sandbox was reset
      }
    }
    const status = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'CV-Library DirectApply (jobrelay sandbox)' },
      body: JSON.stringify(payload),
      signal: AbortSignal.any([lifetime, AbortSignal.timeout(settings.timeoutMs)]),
    }).then(
      async (res) => {
        await res.body?.cancel();
        return res.status;
      },
      () => 0,
    );
    result.attempts.push(status);
    if (status === 200) {
      result.delivered = true;
      return;
    }
  }
}

const FIRST = ['Amelia', 'Oliver', 'Isla', 'George', 'Ava', 'Noah', 'Freya', 'Arthur'];
const LAST = ['Khan', 'Smith', 'Jones', 'Taylor', 'Brown', 'Patel', 'Evans', 'Walsh'];

/** The field as asked: unset takes the made-up value, null leaves it out. */
const profile = (value: string | null | undefined, madeUp: string) => (value === null ? undefined : (value ?? madeUp));

function buildApplication(
  input: z.output<typeof ApplyBody>,
  job: SandboxJob,
  at: number,
  cv: z.output<typeof ApplyBody>['cv'],
): DirectApplyPayload {
  // Random ids: a reset sandbox must not reuse an id that jobrelay has already taken in.
  const id = String(input.id ?? randomInt(1_000_000_000, 9_999_999_999));
  const n = Number.parseInt(id.slice(-3), 10) || 0;
  const first = profile(input.first_name, FIRST[n % FIRST.length]);
  const last = profile(input.last_name, LAST[(n >> 3) % LAST.length]);
  const fields = {
    first_name: first,
    last_name: last,
    email: profile(input.email, `${first ?? 'applicant'}.${last ?? id}.${id}@example.com`.toLowerCase()),
    phone: profile(input.phone, `07700 900${String(n % 1000).padStart(3, '0')}`),
    town: profile(input.town, 'Leeds'),
    county: profile(input.county, 'West Yorkshire'),
    postcode: profile(input.postcode, 'LS1 4AP'),
    job_title: profile(input.job_title, job.job.title),
  };
  const name = [first, last].filter(Boolean).join('-') || 'applicant';
  return {
    id,
    direct_apply_jobid: job.job.reference,
    ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
    applied_at: new Date(at).toISOString(),
    ...(cv === true && {
      cv: { filename: `${name}-CV.pdf`, content_type: 'application/pdf', content: tinyPdf([first, last].filter(Boolean).join(' ')) },
    }),
    ...(typeof cv === 'object' && { cv }),
  };
}

/** A one-page PDF saying `text`, with a correct cross-reference table, base64-encoded. */
export function tinyPdf(text: string): string {
  const stream = `BT /F1 18 Tf 72 720 Td (${text.replace(/[^ -~]|[()\\]/g, '')} - CV) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const offset = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1').toString('base64');
}

/**
 * `tinyPdf(text)` padded to about `bytes` with incompressible comment lines, as large as a real CV. The padding goes
 * after the PDF and the file ends as an incremental update does (`startxref` pointing at the original table, then
 * `%%EOF`), so it is still a PDF by its bytes and the intake stores it as the candidate's CV. Base64-encoded.
 */
export function paddedPdf(text: string, bytes: number): string {
  const pdf = Buffer.from(tinyPdf(text), 'base64');
  const xref = /startxref\n(\d+)\n%%EOF\n$/.exec(pdf.toString('latin1'))?.[1];
  const lines: string[] = [];
  for (let size = pdf.byteLength; size < bytes; size += 78) lines.push(`% ${randomBytes(57).toString('base64')}\n`);
  return Buffer.concat([pdf, Buffer.from(`${lines.join('')}startxref\n${xref}\n%%EOF\n`, 'latin1')]).toString('base64');
}
