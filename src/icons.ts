import { LabIcon } from '@jupyterlab/ui-components';

/** Two columns with a balance line: the "compare" action and panel icon. */
const compareSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M3 4h7v16H3zM5 6v12h3V6zM14 4h7v16h-7zm2 2v12h3V6z"/>
    <path d="M11 11h2v2h-2z"/>
  </g>
</svg>`;

/** The icon of the compare command and of comparison panels. */
export const compareIcon = new LabIcon({
  name: 'jupyterlab-nbcompare:compare',
  svgstr: compareSvg
});
