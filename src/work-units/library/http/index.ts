/** The http units. */
export { httpRequest } from './http-request.ts';
