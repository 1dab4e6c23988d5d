/**
 * The answer panel: the digit with a "sure" or "not sure" note, the ten
 * probabilities, the 28x28 image the model saw (with the why-view), or in
 * number mode the number and its digits; and the status line.
 */

import { createBars, showBars } from './bars.js';
import { clearNumber, describeNumber, showNumber } from './number.js';
import { showImage } from './preview.js';
import { showSaliency } from './why.js';

const WARNINGS = {
  tiny_drawing: 'The drawing is very small: draw the digit larger.',
  several_marks: 'Several separate marks: draw one digit at a time.',
  scribble: 'This looks like a scribble more than a digit.',
};

const resultSection = document.getElementById('result');
const promptText = document.getElementById('prompt');
const predictionOutput = document.getElementById('prediction');
const numberOutput = document.getElementById('number');
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
  showSaliency(result.saliency ?? null);
  const warnings = result.warnings ?? [];
  statusText.textContent = warnings.map((w) => WARNINGS[w] ?? w).join(' ');
}

/** Show an answer of POST /predict/number for a pad of width x height. */
export function showNumberResult(result, width, height) {
  resultSection.dataset.state = result.uncertain ? 'unsure' : 'sure';
  promptText.hidden = true;
  showNumber(result, width, height);
  noteText.textContent = describeNumber(result);
  statusText.textContent = '';
}

/** Keep the last answer, if any, dimmed, and say what went wrong. */
export function showError(error) {
  resultSection.dataset.state = 'error';
  promptText.hidden = true;
  const shown = predictionOutput.textContent + numberOutput.textContent;
  if (shown === '') noteText.textContent = 'No answer';
  // The page's own strokes are refused only for their number: say the way out.
  const hint = error.code === 'invalid_strokes'
    ? '. Undo or Clear to go on.'
    : '';
  statusText.textContent = `${error.message}${hint}`;
}

/** The prompt instead of a digit, for an empty pad in `mode`. */
export function showEmpty(mode = 'digit') {
  resultSection.dataset.state = 'empty';
  promptText.hidden = false;
  promptText.textContent = mode === 'number'
    ? 'Draw a number in the box, its digits side by side.'
    : 'Draw a digit in the box to start.';
  clearNumber();
  showSaliency(null);
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
  // one candidate is the digit already shown: no other digit to offer
  if (named.length === 1) return `Not sure: maybe ${named[0]}`;
  const last = named.pop();
  const list = named.length > 0 ? `${named.join(', ')} or ${last}` : last;
  return `Not sure: looks like ${list}`;
}
