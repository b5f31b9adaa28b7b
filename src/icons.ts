/**
 * Every icon of the extension, as `LabIcon`s so that they follow the theme
 * (`jp-icon3` fills are recoloured by JupyterLab).
 */
import {
  codeIcon,
  ellipsesIcon,
  errorIcon,
  imageIcon,
  infoIcon,
  jsonIcon,
  LabIcon,
  listIcon,
  tableRowsIcon,
  textEditorIcon
} from '@jupyterlab/ui-components';

import { ValueKind } from './tokens';

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

/** A tag with a rising line: names found in a folder, with their trend. */
const tagBrowserSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M2 3h8l9 9-8 8-9-9zm3.5 2A1.5 1.5 0 1 0 5.5 8 1.5 1.5 0 0 0 5.5 5z"/>
    <path d="M14 21.5l3.2-4 2.6 1.6 2.6-5.1 1.6.8-3.4 6.7-2.5-1.5-2.7 3.4z"/>
  </g>
</svg>`;

/** A push pin: the pinned baseline. */
const pinSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M16 3v2h-1v5.2l3 3V15h-5v6l-1 1-1-1v-6H6v-1.8l3-3V5H8V3z"/>
  </g>
</svg>`;

/** A hash: a single number (scalar). */
const scalarSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M9.5 3l-.7 5H5v2h3.5l-.6 4H4v2h3.6L7 21h2l.7-5h4L13 21h2l.7-5H19v-2h-3l.6-4H20V8h-4.1l.7-5h-2l-.7 5h-4l.7-5zm.9 7h4l-.6 4h-4z"/>
  </g>
</svg>`;

/** The sidebar icon of the tag browser. */
export const tagBrowserIcon = new LabIcon({
  name: 'jupyterlab-nbcompare:tag-browser',
  svgstr: tagBrowserSvg
});

/** The icon of "Pin as baseline" and of the pinned notebook's mark. */
export const pinIcon = new LabIcon({
  name: 'jupyterlab-nbcompare:pin',
  svgstr: pinSvg
});

/** The icon of a scalar (number or boolean) value. */
export const scalarIcon = new LabIcon({
  name: 'jupyterlab-nbcompare:kind-scalar',
  svgstr: scalarSvg
});

/** The icon that shows the kind of a name's values, at a glance. */
export function kindIcon(kind: ValueKind | 'mixed'): LabIcon {
  switch (kind) {
    case 'scalar':
      return scalarIcon;
    case 'mapping':
      return jsonIcon;
    case 'sequence':
      return listIcon;
    case 'table':
      return tableRowsIcon;
    case 'image':
      return imageIcon;
    case 'text':
      return textEditorIcon;
    case 'html':
      return codeIcon;
    case 'error':
      return errorIcon;
    case 'unsupported':
      return infoIcon;
    default:
      return ellipsesIcon;
  }
}
