/** The workflows' entry file, as source (.ts) or built (.js), beside this module's folder. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(import.meta.url);
export const workflowsPath = path.join(path.dirname(here), '..', 'workflows', `index${path.extname(here)}`);
