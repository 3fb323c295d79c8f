/**
 * @jest-environment node
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');
const SPEC = path.join(ROOT, 'jupyterlab_nbjobs', 'openapi.yaml');
const SCHEMA = path.join(ROOT, 'src', 'api', 'schema.ts');
// The package's export map hides bin/, so run the CLI by its path.
const CLI = path.join(ROOT, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');

describe('src/api/schema.ts', () => {
  it('is what `jlpm generate:api` makes from jupyterlab_nbjobs/openapi.yaml', () => {
    const fresh = execFileSync(process.execPath, [CLI, SPEC], {
      cwd: ROOT,
      encoding: 'utf-8',
      stdio: ['ignore', 'pipe', 'pipe']
    });
    const committed = fs.readFileSync(SCHEMA, 'utf-8');
    if (fresh !== committed) {
      throw new Error(
        'src/api/schema.ts is stale: run `jlpm generate:api` and commit the result.'
      );
    }
  });
});
