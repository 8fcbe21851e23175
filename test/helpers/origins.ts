import { OriginPolicy } from '../../src/providers/origins';

/** The tests' sandboxes listen on loopback, each on a port of its own: the origins the tests allow providers. */
export const LOOPBACK_SANDBOXES = 'http://127.0.0.1:*';

export const sandboxOrigins = () => new OriginPolicy([LOOPBACK_SANDBOXES]);
