import { LabIcon } from '@jupyterlab/ui-components';

// A server with two slots, drawn in the theme's icon color so it suits light and dark.
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M4 3h16a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1zm1 2v4h14V5H5zm1 1h2v2H6V6z"/>
    <path d="M4 13h16a1 1 0 0 1 1 1v6a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1v-6a1 1 0 0 1 1-1zm1 2v4h14v-4H5zm1 1h2v2H6v-2z"/>
  </g>
</svg>`;

/** The icon of notebook instances (their tabs in the main area). */
export const instanceIcon = new LabIcon({ name: 'jupyterlab-nbjobs:instance', svgstr: SVG });
