/**
 * The answer panel: the digit with a "sure" or "not sure" note, the ten
 * probabilities, the 28x28 image the model saw, and the status line.
 */

import { createBars, showBars } from './bars.js';
import { showImage } from './preview.js';

const WARNINGS = {
  tiny_drawing: 'The drawing is very small: draw the digit larger.',
  several_marks: 'Several separate marks: draw one digit at a time.',
  scribble: 'This looks like a scribble more than a digit.',
};

const resultSection = document.getElementById('result');
const promptText = document.getElementById('prompt');
const predictionOutput = document.getElementById('prediction');
const noteText = document.getElementById('note');
const previewCanvas = document.getElementById('preview');
const barsList = document.getElementById('bars');
const statusText = document.getElementById('status');

createBars(barsList);

/** Show an answer of POST /predict. */
export function showResult(result) {
  resultSection.dataset.state = result.uncertain ? 'unsure' : 'sure';
  promptText.hidden = true;
  predictionOutput.textContent = String(result.digit);
  noteText.textContent = describe(result);
  showBars(barsList, result.probabilities, result.digit);
  showImage(previewCanvas, result.image);
  const warnings = result.warnings ?? [];
  statusText.textContent = warnings.map((w) => WARNINGS[w] ?? w).join(' ');
}

/** Keep the last answer, if any, dimmed, and say what went wrong. */
export function showError(error) {
  resultSection.dataset.state = 'error';
  promptText.hidden = true;
  if (predictionOutput.textContent === '') noteText.textContent = 'No answer';
  statusText.textContent = error.message;
}

/** The prompt instead of a digit, for an empty pad. */
export function showEmpty() {
  resultSection.dataset.state = 'empty';
  promptText.hidden = false;
  predictionOutput.textContent = '';
  noteText.textContent = '';
  statusText.textContent = '';
  showBars(barsList, null, null);
  showImage(previewCanvas, null);
}

export function setBusy(busy) {
  resultSection.setAttribute('aria-busy', String(busy));
}

function describe({ uncertain, alternatives, confidence }) {
  if (!uncertain) return `${Math.round(confidence * 100)}% sure`;
  const named = (alternatives ?? []).map((d) => `${d === 8 ? 'an' : 'a'} ${d}`);
  if (named.length === 0) return 'Not sure';
  const last = named.pop();
  const list = named.length > 0 ? `${named.join(', ')} or ${last}` : last;
  return `Not sure: looks like ${list}`;
}
