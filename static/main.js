/**
 * Wires the pad to POST /predict (or /predict/number in number mode): live
 * answers while a stroke is drawn, one more when it ends, and Undo and Clear
 * from buttons or the keyboard.
 */

import { predict, readNumber } from './api.js';
import { DrawingPad } from './canvas.js';
import {
  setBusy, showEmpty, showError, showNumberResult, showResult,
} from './result.js';
import { onWhyToggle, wantsWhy } from './why.js';

// While a stroke is being drawn, ask at most this often (ms).
const LIVE_INTERVAL = 100;

const layout = document.getElementById('layout');
const modeFieldset = document.getElementById('mode');
const padCanvas = document.getElementById('pad');
const undoButton = document.getElementById('undo');
const clearButton = document.getElementById('clear');

// Requests are numbered; an answer older than the one on screen, or to a
// request sent before the last Clear, is dropped.
let sequence = 0;
let shown = 0;
let inFlight = 0;
let lastSent = -Infinity;
let liveTimer = null;
let liveWanted = false;

const pad = new DrawingPad(padCanvas, {
  onDraw: handleDraw,
  onStrokeEnd: handleStrokeEnd,
});

function handleDraw() {
  updateControls();
  liveWanted = true;
  scheduleLive();
}

function handleStrokeEnd() {
  cancelLive();
  requestPrediction();
}

function handleUndo() {
  if (pad.isEmpty) return;
  pad.undo();
  cancelLive();
  if (pad.isEmpty) reset();
  else requestPrediction();
}

function handleClear() {
  pad.clear();
  cancelLive();
  reset();
}

function handleModeChange(event) {
  layout.dataset.mode = event.target.value;
  padCanvas.setAttribute('aria-label', event.target.value === 'number'
    ? 'Drawing area: draw a number here, its digits side by side'
    : 'Drawing area: draw one digit here');
  handleClear();
}

function handleWhyToggle(on) {
  if (!on || pad.isEmpty || layout.dataset.mode !== 'digit') return;
  cancelLive();
  requestPrediction();
}

function handleKey(event) {
  if (event.key === 'Escape') {
    handleClear();
  } else if ((event.ctrlKey || event.metaKey) && !event.altKey &&
      !event.shiftKey && event.key.toLowerCase() === 'z') {
    event.preventDefault();
    handleUndo();
  }
}

/** One live request per LIVE_INTERVAL, and none while one is in flight. */
function scheduleLive() {
  if (!liveWanted || liveTimer !== null || inFlight > 0) return;
  if (!pad.isDrawing) return;
  const wait = Math.max(0, lastSent + LIVE_INTERVAL - performance.now());
  liveTimer = setTimeout(() => {
    liveTimer = null;
    if (liveWanted && pad.isDrawing) requestPrediction();
  }, wait);
}

function cancelLive() {
  clearTimeout(liveTimer);
  liveTimer = null;
  liveWanted = false;
}

async function requestPrediction() {
  liveWanted = false;
  sequence += 1;
  const id = sequence;
  lastSent = performance.now();
  inFlight += 1;
  setBusy(true);
  const drawing = pad.drawing();
  const mode = layout.dataset.mode;
  try {
    if (mode === 'number') {
      const result = await readNumber(drawing);
      if (id > shown) showNumberResult(result, drawing.width, drawing.height);
    } else {
      const result = await predict(drawing, { explain: wantsWhy() });
      if (id > shown) showResult(result);
    }
  } catch (error) {
    if (id > shown) showError(error);
  } finally {
    shown = Math.max(shown, id);
    inFlight -= 1;
    setBusy(inFlight > 0);
    scheduleLive();
  }
}

/** Empty pad: drop every answer still on its way and show the prompt. */
function reset() {
  sequence += 1;
  shown = sequence;
  showEmpty(layout.dataset.mode);
  updateControls();
}

function updateControls() {
  for (const button of [undoButton, clearButton]) {
    button.setAttribute('aria-disabled', String(pad.isEmpty));
  }
}

undoButton.addEventListener('click', handleUndo);
clearButton.addEventListener('click', handleClear);
modeFieldset.addEventListener('change', handleModeChange);
onWhyToggle(handleWhyToggle);
document.addEventListener('keydown', handleKey);
reset();
