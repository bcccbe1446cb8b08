/**
 * The loopback ZGW server for tests (Zaken, Catalogi, Documenten, Objects, Objecttypes), validated against the
 * official OpenAPI files. See docs/zgw-work-units.md, "Testing against the loopback ZGW server".
 */
export { ZGW_OAS_FILES, type ZgwTestApi, zgwOasDir } from './oas-dir.ts';
export { NO_DEVIATIONS, type ZgwDeviations } from './zgw-deviations.ts';
export type { ZgwBaseUrls } from './zgw-handler.ts';
export { signZgwJwt, verifyZgwAuthorization } from './zgw-jwt.ts';
export type { ZgwSeed } from './zgw-seed.ts';
export { type ZgwResource, ZgwStore } from './zgw-store.ts';
export {
  startZgwTestServer,
  ZGW_TEST_PATHS,
  type ZgwFault,
  type ZgwRequestRecord,
  type ZgwTestServer,
  type ZgwTestServerOptions,
  type ZgwViolation,
} from './zgw-test-server.ts';
