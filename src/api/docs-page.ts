/**
 * `GET /docs`: a small, self-contained HTML page listing the operations of the OpenAPI document, with their
 * parameters and body schemas. No script, no stylesheet or font from elsewhere: it works offline.
 */

import { escapeHtml } from '../work-units/template.ts';

type JsonObject = Record<string, unknown>;

function schemaBlock(title: string, schema: unknown): string {
  if (schema === undefined) return '';
  return `<details><summary>${escapeHtml(title)}</summary><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>`;
}

/** The page for `document` (an OpenAPI 3.1 document as buildOpenApiDocument makes it). */
export function renderDocsPage(document: JsonObject): string {
  const info = document.info as { title: string; version: string; description?: string };
  const paths = document.paths as Record<string, Record<string, JsonObject>>;
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const tag = (op.tags as string[] | undefined)?.[0] ?? 'other';
      const params = (op.parameters as JsonObject[] | undefined) ?? [];
      const responses = op.responses as Record<string, JsonObject>;
      const body = (op.requestBody as { content?: Record<string, { schema?: unknown }> } | undefined)
        ?.content?.['application/json']?.schema;
      const success = Object.entries(responses).find(([status]) => status.startsWith('2'));
      const successSchema = (success?.[1].content as Record<string, { schema?: unknown }> | undefined)?.[
        'application/json'
      ]?.schema;
      const rows = params
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(String(p.name))}</code></td><td>${escapeHtml(String(p.in))}${p.required ? ', required' : ''}</td><td>${escapeHtml(String(p.description ?? ''))}</td></tr>`,
        )
        .join('');
      const html = `<section class="op" id="${escapeHtml(String(op.operationId))}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code> <span class="role">${escapeHtml(String(op['x-bptl-role']))}</span></h3>
<p>${escapeHtml(String(op.summary ?? ''))}</p>
${op.description ? `<p class="desc">${escapeHtml(String(op.description))}</p>` : ''}
${rows ? `<table><tr><th>parameter</th><th>in</th><th></th></tr>${rows}</table>` : ''}
<p class="statuses">Responses: ${Object.keys(responses)
        .map((s) => `<code>${escapeHtml(s)}</code>`)
        .join(' ')}</p>
${schemaBlock('request body', body)}
${schemaBlock(`response ${success?.[0] ?? ''}`, successSchema)}
</section>`;
      byTag.set(tag, [...(byTag.get(tag) ?? []), html]);
    }
  }
  const sections = [...byTag]
    .map(([tag, ops]) => `<h2>${escapeHtml(tag)}</h2>\n${ops.join('\n')}`)
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(info.title)} ${escapeHtml(info.version)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.45 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font:13px ui-monospace,monospace}pre{background:#f5f5f5;padding:.6rem;overflow:auto}
.op{border-top:1px solid #ddd;padding:.4rem 0}.op h3{margin:.4rem 0;font-size:1rem}
.method{display:inline-block;min-width:4.2rem;text-align:center;border-radius:3px;color:#fff;font-size:.8rem;padding:.1rem .3rem}
.get{background:#2b7bb9}.post{background:#2e8b57}.put{background:#b8860b}.delete{background:#b22222}
.role{font-size:.8rem;color:#666;font-weight:normal}.desc{color:#444}table{border-collapse:collapse}
td,th{text-align:left;padding:.1rem .6rem .1rem 0;font-size:.9rem}.statuses{font-size:.85rem;color:#555}
</style></head><body>
<h1>${escapeHtml(info.title)} <small>${escapeHtml(info.version)}</small></h1>
<p>${escapeHtml(info.description ?? '')}</p>
<p>Send <code>Authorization: Bearer &lt;token&gt;</code>; the role each operation needs is shown beside it (<code>public</code>: no token). The machine-readable document: <a href="openapi.json"><code>/openapi.json</code></a>.</p>
${sections}
</body></html>
`;
}
