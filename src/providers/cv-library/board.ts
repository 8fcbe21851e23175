import type { BoardEntry, PostingContext } from '../../boards/types';
import type { Job } from '../../domain/job';
import type { Published } from '../../domain/posting';
import { type Published as CvPublished, createCvLibraryClient } from './client';
import { checkPostable, toCvLibraryJob } from './mapping';
import { CvLibraryAccountSettings, CvLibraryBoardSettings } from './settings';

/** CV-Library as a job board: settings, postability rules and the client behind a posting. */
export const cvLibraryBoard: BoardEntry<CvLibraryBoardSettings, CvLibraryAccountSettings> = {
  settingsSchema: CvLibraryBoardSettings,
  accountSchema: CvLibraryAccountSettings,

  problems: (job, settings, options) => checkPostable(job, settings, { jobType: options.jobType }),

  connect(settings, account) {
    const posterEmail = account?.posterEmail ?? settings.posterEmail;
    if (!posterEmail) throw new Error('CV-Library needs a poster email: set posterEmail in the board settings or the recruiter’s account');
    const client = createCvLibraryClient({
      baseUrl: settings.baseUrl,
      credentials: account?.credentials ?? settings.credentials,
      posterEmail,
    });
    const toJob = (job: Job, ctx: PostingContext) =>
      toCvLibraryJob(job, {
        jobTypeMapping: settings.jobTypeMapping,
        industryMapping: settings.industryMapping,
        reference: ctx.reference,
        posterEmail,
        directApplyUrl: ctx.directApplyUrl,
        quickApply: ctx.options.quickApply,
        expiryDays: settings.expiryDays,
        overrides: { jobType: ctx.options.jobType, salaryText: ctx.options.salaryText },
      });
    return {
      publish: async (job, ctx) => toPublished(await client.createJob(toJob(job, ctx))),
      amend: async (externalId, job, ctx) => toPublished(await client.updateJob(externalId, toJob(job, ctx))),
      remove: (externalId) => client.deleteJob(externalId),
      testConnection: () => client.testConnection(),
    };
  },
};

function toPublished(p: CvPublished): Published {
  return { externalId: p.jobId, publicUrl: p.url, postedAt: new Date().toISOString(), expiresAt: p.expiresAt };
}
