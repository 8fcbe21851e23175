import { readableOn } from './contrast';
import type { CareersSettings } from './settings';

/** The careers site's stylesheet: the brand's colours (validated #rrggbb, so nothing else can enter) over one base. */
export function stylesheet({ colours }: CareersSettings): string {
  return `:root{--primary:${colours.primary};--on-primary:${readableOn(colours.primary)};--bg:${colours.background};--text:${colours.text}}
${BASE}`;
}

const BASE = `*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--text);font:1rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
a{color:var(--primary)}
h1,h2,h3,.meta li,.facts li,.section{overflow-wrap:anywhere}
a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible{outline:3px solid var(--primary);outline-offset:2px}
.wrap{max-width:60rem;margin:0 auto;padding:0 1rem}
.skip{position:absolute;left:-999px;top:0;background:var(--bg);color:var(--primary);padding:.5rem 1rem;z-index:1}
.skip:focus{left:1rem}
.site{background:var(--primary);color:var(--on-primary)}
.site .wrap{display:flex;align-items:center;gap:1rem;min-height:4rem}
.brand{color:var(--on-primary);font-weight:700;font-size:1.25rem;text-decoration:none;display:inline-flex;align-items:center;gap:.75rem}
.brand img{max-height:2.5rem;width:auto;display:block}
main{padding:1.5rem 1rem 3rem}
h1{font-size:1.9rem;line-height:1.2;margin:.5rem 0 1rem}
h2{font-size:1.3rem;line-height:1.3;margin:1.5rem 0 .5rem}
.intro p{margin:.25rem 0 .75rem;max-width:45rem}
.search{display:grid;grid-template-columns:1fr 1fr;gap:1rem;margin:1.5rem 0;padding:1rem;border:1px solid currentColor;border-radius:.5rem}
.field{display:flex;flex-direction:column;gap:.25rem;min-width:0}
fieldset.field{border:0;margin:0;padding:0;min-width:0;flex-direction:row;flex-wrap:wrap;gap:.25rem 1rem}
fieldset.field legend{padding:0;margin-bottom:.25rem;font-weight:600;width:100%}
.field>label{font-weight:600}
.check{display:inline-flex;align-items:center;gap:.4rem;min-height:2.75rem}
.check input{width:1.25rem;height:1.25rem}
input[type=search],input[type=text],select{font:inherit;color:var(--text);background:var(--bg);border:1px solid currentColor;border-radius:.375rem;padding:.55rem .65rem;min-height:2.75rem;width:100%}
.actions{display:flex;align-items:flex-end;gap:1rem;flex-wrap:wrap}
button,.button{font:inherit;font-weight:600;background:var(--primary);color:var(--on-primary);border:0;border-radius:.375rem;padding:.7rem 1.4rem;min-height:2.75rem;cursor:pointer;text-decoration:none;display:inline-flex;align-items:center}
.count{font-weight:600}
.jobs{list-style:none;margin:0;padding:0}
.job{border-top:1px solid currentColor;padding:1rem 0}
.job h2{margin:0 0 .35rem;font-size:1.2rem}
.meta,.facts{display:flex;flex-wrap:wrap;gap:.35rem 1rem;margin:0;padding:0;list-style:none}
.badge{display:inline-block;border:2px solid var(--primary);color:var(--primary);border-radius:1rem;padding:0 .6rem;font-size:.9rem;font-weight:700}
.pager{display:flex;justify-content:space-between;align-items:center;gap:1rem;margin-top:1.5rem;flex-wrap:wrap}
.posting .facts{margin:0 0 1.25rem}
.posting .apply{margin:1rem 0}
.section h3{font-size:1.1rem}
.closed{font-weight:600}
footer{padding:2rem 1rem;font-size:.9rem}
@media (max-width:40rem){
  .search{grid-template-columns:1fr}
  h1{font-size:1.6rem}
  .pager{justify-content:center}
}
`;
