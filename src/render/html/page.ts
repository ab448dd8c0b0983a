// The page around the report's sections: one self-contained HTML file. Styles and the one small
// script are inline, the map is inline SVG; the Content-Security-Policy forbids every fetch
// (default-src 'none'), so even a value that slipped through escaping could load nothing.
import {esc} from './escape.js'

const CSS = `
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:16px 24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:17px;margin:24px 0 6px}
.sub{color:#555;margin:0 0 10px}
.row{display:flex;gap:18px;align-items:flex-start;flex-wrap:wrap}
.map{flex:1 1 640px;max-width:980px;border:1px solid #ccd;border-radius:6px;background:#fff}
.map svg{display:block;width:100%;height:auto}
.side{flex:0 1 380px;min-width:240px;overflow-x:auto}
.summary{font-size:12px}
.sphere{fill:#eef4fa;stroke:#9ab}.graticule{fill:none;stroke:#d7e2ec;stroke-width:.5}.land{fill:#dfe3d8;stroke:#b5bba8;stroke-width:.5}
.link{stroke-width:1.6;stroke-opacity:.65;fill:none}
.vp{stroke:#fff;stroke-width:1.5;cursor:pointer}.vp.unreached{fill:#fff!important;stroke-width:2.5;stroke-dasharray:3 2}
.contra-ring{fill:none;stroke:#c00;stroke-width:2.2;pointer-events:none}.sw.contra{background:#fff;border:3px solid #c00;width:7px;height:7px}
.note{color:#7a4a00}
.pop-site{stroke:#222;stroke-width:1.5;cursor:pointer}
.lbl{font-size:12px;font-weight:600;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.vlbl{font-size:10.5px;fill:#333;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
table{border-collapse:collapse;font-size:13px}td,th{padding:2px 8px;text-align:left;border-bottom:1px solid #eee}th{color:#555;font-weight:600}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.sw{display:inline-block;width:12px;height:12px;border-radius:50%;vertical-align:-1px;margin-right:5px}
.sw.sq{border-radius:2px}.sw.hollow{background:#fff!important;border:2px dashed #666;width:8px;height:8px}
ul.plain{list-style:none;padding:0;margin:4px 0}ul.plain li{margin:2px 0}
#detail{white-space:pre-wrap;font:12px/1.35 ui-monospace,Menlo,Consolas,monospace;background:#f6f8fa;border:1px solid #dde;border-radius:4px;padding:6px 8px;min-height:3em;margin-top:10px}
.lane-bg{fill:#f3f3f3}.seg{cursor:pointer}.gap{fill:url(#gap-hatch)}
.axis line{stroke:#999}.axis text,.lane-name{font-size:12.5px;fill:#333}.lane-name{font-weight:600}
.more{font-size:10px;fill:#666}.ev line{stroke:#111;stroke-width:1.5}.ev text{font-size:12.5px;fill:#111;paint-order:stroke;stroke:#fff;stroke-width:3px}
.ev.failover line,.ev.outage line{stroke:#c00}.ev.failover text,.ev.outage text{fill:#a00;font-weight:600}
.ev.unexpected line{stroke:#b35c00;stroke-width:2.5;stroke-dasharray:4 2}.ev.unexpected text{fill:#b35c00;font-weight:600}.ev.expected line{stroke:#2a7d2a}.ev.expected text{fill:#2a7d2a}
.ev{cursor:pointer}.bracket{fill:none;stroke:#c00;stroke-width:1.5}
.disc{fill-opacity:.08;stroke-opacity:.6;stroke-width:1}
.site{stroke:#000;stroke-width:1.5}
.moved{stroke:#000;stroke-width:2.5}
section.timeline .row{flex-direction:column}section.timeline .map{flex:none;width:100%}section.timeline .side{flex:none;max-width:none}
footer{color:#888;font-size:12px;margin-top:24px}
`

// click on any mark with a <title>: its text (already escaped in the page) goes to #detail
const SCRIPT = `document.addEventListener('click',function(e){var t=e.target;while(t&&t.nodeType===1&&!(t.querySelector&&t.querySelector(':scope > title')))t=t.parentNode;var d=document.getElementById('detail');if(!d)return;if(!t||t.nodeType!==1){d.textContent='';return}d.textContent=t.querySelector(':scope > title').textContent})`

export function htmlPage(title: string, sections: string[], note = ''): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title, 200)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(title, 200)}</h1>
${sections.join('\n')}
<div id="detail" aria-live="polite">click a mark for its evidence</div>
<footer>anyprobe${note ? ` · ${esc(note, 300)}` : ''}${sections.some((x) => x.includes('<path class="land"')) ? ' · map: Natural Earth via world-atlas' : ''}</footer>
<script>${SCRIPT}</script>
</body></html>
`
}
