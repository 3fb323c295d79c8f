import { LabIcon } from '@jupyterlab/ui-components';

/**
 * The extension's own icon: a notebook page with a clock, so "run this notebook as a job"
 * is not mistaken for "insert a cell" (+) nor the jobs sidebar for the table of contents.
 * Colours come from the theme (jp-icon3 / jp-icon-accent0 classes), so it follows dark mode.
 */
const SVG = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M5 2h10l4 4v6.3a6.5 6.5 0 0 0-2-.3V7h-3V4H7v16h4.3a6.5 6.5 0 0 0 1.2 2H5z"/>
    <rect x="9" y="8" width="5" height="1.6" rx=".5"/>
    <rect x="9" y="11.2" width="4" height="1.6" rx=".5"/>
    <path d="M17.5 13a4.5 4.5 0 1 1 0 9 4.5 4.5 0 0 1 0-9zm0 1.6a2.9 2.9 0 1 0 0 5.8 2.9 2.9 0 0 0 0-5.8z"/>
    <path d="M16.8 15.5h1.3v1.9l1.4 1-.7 1-2-1.4z"/>
  </g>
</svg>`;

export const nbjobsIcon = new LabIcon({ name: 'jupyterlab-nbjobs:jobs', svgstr: SVG });
