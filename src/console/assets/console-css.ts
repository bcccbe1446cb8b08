/** The console's only stylesheet, served by the app itself at /console/assets/console.css (no CDN). */
export const CONSOLE_CSS = `
:root { --fg: #1d2433; --muted: #5b6478; --line: #d9dee8; --bg: #f6f7fa; --accent: #2457c5; --bad: #b42318; --ok: #1a7f37; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
header.top { display: flex; align-items: center; gap: 24px; padding: 10px 24px; background: #fff; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; font-size: 16px; color: var(--fg); text-decoration: none; }
nav { display: flex; gap: 16px; flex: 1; }
nav a { color: var(--muted); text-decoration: none; padding: 4px 0; }
nav a[aria-current="page"] { color: var(--accent); border-bottom: 2px solid var(--accent); }
form.who { display: flex; align-items: center; gap: 8px; margin-left: auto; color: var(--muted); }
main { padding: 16px 24px 48px; max-width: 1200px; }
h1 { font-size: 20px; margin: 8px 0 16px; }
h2 { font-size: 16px; margin: 24px 0 8px; }
table { border-collapse: collapse; width: 100%; background: #fff; border: 1px solid var(--line); }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); background: #fafbfc; }
code, pre { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { background: #fff; border: 1px solid var(--line); padding: 8px; overflow: auto; max-height: 320px; margin: 0; }
details > summary { cursor: pointer; color: var(--accent); }
.notice { padding: 8px 12px; border-radius: 4px; border: 1px solid var(--line); background: #fff; }
.notice.error { border-color: var(--bad); color: var(--bad); }
.notice.info { border-color: var(--ok); color: var(--ok); }
.card { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 16px; max-width: 420px; }
label { display: block; margin: 8px 0 4px; font-weight: 600; }
input[type="password"], input[type="text"] { width: 100%; padding: 6px 8px; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
button { font: inherit; padding: 5px 12px; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
form.who button { background: #fff; color: var(--accent); }
.muted { color: var(--muted); }
.pager { margin-top: 12px; }
form.filters { display: flex; flex-wrap: wrap; gap: 8px 16px; align-items: flex-end; margin-bottom: 16px; }
form.filters label { margin: 0 0 2px; font-weight: 500; color: var(--muted); }
form.filters input, form.filters select { padding: 4px 6px; border: 1px solid var(--line); border-radius: 4px; font: inherit; }
.outcome { font-weight: 600; }
table.fields { width: auto; min-width: 480px; }
table.fields th { width: 160px; }
.result.failed, .result.timed-out, .bad { color: var(--bad); font-weight: 600; }
.result.completed { color: var(--ok); }
.failure { margin-top: 4px; }
.links { margin: 0 0 12px; }
.outcome.completed { color: var(--ok); }
.outcome.failed, .outcome.abandoned { color: var(--bad); }
.outcome.bpmn-error { color: #9a6700; }
.split { display: grid; grid-template-columns: minmax(320px, 560px) minmax(280px, 1fr); gap: 24px; align-items: start; }
.split aside { min-width: 0; }
.split aside pre { max-height: 240px; }
form.config .field { margin-bottom: 10px; }
form.config .field label { margin: 0 0 2px; }
form.config input[type="text"], form.config select, form.config textarea { width: 100%; padding: 5px 8px; border: 1px solid var(--line); border-radius: 4px; font: inherit; background: #fff; }
form.config textarea { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
form.config small { display: block; }
.field.invalid input, .field.invalid select, .field.invalid textarea { border-color: var(--bad); }
.field-error { color: var(--bad); font-weight: 600; }
form.inline { display: inline; }
td.actions { white-space: nowrap; }
td.actions a { margin-left: 8px; }
a.button { display: inline-block; padding: 5px 12px; border-radius: 4px; background: var(--accent); color: #fff; text-decoration: none; }
button.secondary { background: #fff; color: var(--accent); padding: 2px 8px; }
button.danger { border-color: var(--bad); background: var(--bad); }
details.unit { background: #fff; border: 1px solid var(--line); border-radius: 4px; padding: 6px 10px; margin-bottom: 6px; }
.ok { color: var(--ok); font-weight: 600; }
nav.windows { display: flex; gap: 12px; margin: 0 0 8px; }
nav.windows a { color: var(--muted); text-decoration: none; }
nav.windows a[aria-current] { color: var(--accent); font-weight: 600; }
figure.chart { margin: 8px 0 16px; background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 8px; }
figure.chart svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
figure.chart g.bar:hover rect[fill="transparent"] { fill: #eef0f4; }
figure.chart figcaption { display: flex; flex-wrap: wrap; gap: 6px 16px; color: var(--muted); font-size: 12px; }
.swatch { display: inline-block; width: 10px; height: 10px; margin-right: 4px; border-radius: 2px; }
.swatch.completed { background: #1a7f37; }
.swatch.failed { background: #b42318; }
.swatch.bpmn-error { background: #9a6700; }
.swatch.abandoned { background: #8250df; }
.swatch.ended-abnormally { background: #1d2433; }
table.counts tr.total th, table.counts tr.total td { font-weight: 600; background: #fafbfc; }
`;
