/**
 * The drawing pad: Pointer Events in (mouse, touch, pen), strokes out.
 *
 * Strokes are kept in CSS pixels of the canvas content box, y down, the units
 * POST /predict takes; the bitmap follows the device pixel ratio.
 */

import { paint } from './ink.js';

// A point closer than this (CSS px) to the previous one adds nothing.
const MIN_STEP = 0.75;

export class DrawingPad {
  constructor(canvas, { onDraw, onStrokeEnd }) {
    this.canvas = canvas;
    this.onDraw = onDraw;
    this.onStrokeEnd = onStrokeEnd;
    this.strokes = [];
    this.pointerId = null;
    this.width = 0;
    this.height = 0;
    this._listen();
  }

  get isEmpty() { return this.strokes.length === 0; }

  get isDrawing() { return this.pointerId !== null; }

  /** The body of POST /predict. */
  drawing() {
    return { strokes: this.strokes, width: this.width, height: this.height };
  }

  clear() {
    this.strokes = [];
    this.pointerId = null;
    this._redraw();
  }

  undo() {
    this.strokes.pop();
    this.pointerId = null;
    this._redraw();
  }

  _listen() {
    const canvas = this.canvas;
    canvas.addEventListener('pointerdown', (e) => this._handleDown(e));
    canvas.addEventListener('pointermove', (e) => this._handleMove(e));
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      canvas.addEventListener(type, (e) => this._handleUp(e));
    }
    new ResizeObserver(([entry]) => this._handleResize(entry)).observe(canvas);
    this._watchRatio();
  }

  /**
   * Zooming or moving to another screen changes the ratio, not the size.
   * Where no change event comes (emulated ratios), the next stroke refits.
   */
  _watchRatio() {
    const query = matchMedia(`(resolution: ${window.devicePixelRatio}dppx)`);
    query.addEventListener('change', () => {
      this._redraw();
      this._watchRatio();
    }, { once: true });
  }

  _handleDown(event) {
    if (this.isDrawing || !event.isPrimary) return;
    if (event.pointerType === 'mouse' && event.button !== 0) return;
    event.preventDefault();
    this.canvas.setPointerCapture(event.pointerId);
    this.pointerId = event.pointerId;
    const point = this._toPoint(event, this.canvas.getBoundingClientRect());
    this.strokes.push([point]);
    this._redraw();
    this.onDraw();
  }

  _handleMove(event) {
    if (event.pointerId !== this.pointerId) return;
    const rect = this.canvas.getBoundingClientRect();
    // Chromium delivers one move per frame; the ones in between are here.
    const coalesced = event.getCoalescedEvents?.() ?? [];
    let added = false;
    for (const move of coalesced.length > 0 ? coalesced : [event]) {
      added = this._addPoint(this._toPoint(move, rect)) || added;
    }
    if (!added) return;
    // Repainted whole: segments painted one by one show seams where their
    // anti-aliased edges overlap.
    this._redraw();
    this.onDraw();
  }

  _handleUp(event) {
    if (event.pointerId !== this.pointerId) return;
    this.pointerId = null;
    this.onStrokeEnd();
  }

  _handleResize(entry) {
    const { width, height } = entry.contentRect;
    if (width === 0 || height === 0) return;
    if (this.width > 0) this._rescale(width / this.width, height / this.height);
    this.width = width;
    this.height = height;
    const style = getComputedStyle(this.canvas);
    this.offsetX = this.canvas.clientLeft + parseFloat(style.paddingLeft);
    this.offsetY = this.canvas.clientTop + parseFloat(style.paddingTop);
    this._redraw();
  }

  /** Client coordinates -> CSS px in the content box, kept on the pad. */
  _toPoint(event, rect) {
    // rect is the transformed border box; offsetWidth is the untransformed one.
    const { offsetWidth, offsetHeight } = this.canvas;
    const x = (event.clientX - rect.left) * offsetWidth / rect.width;
    const y = (event.clientY - rect.top) * offsetHeight / rect.height;
    return [
      snap(x - this.offsetX, this.width),
      snap(y - this.offsetY, this.height),
    ];
  }

  _addPoint(point) {
    const stroke = this.strokes.at(-1);
    const last = stroke.at(-1);
    const [x, y] = point;
    if (Math.hypot(x - last[0], y - last[1]) < MIN_STEP) return false;
    stroke.push(point);
    return true;
  }

  _rescale(scaleX, scaleY) {
    this.strokes = this.strokes.map((stroke) =>
      stroke.map(([x, y]) => [snap(x * scaleX), snap(y * scaleY)]));
  }

  _redraw() {
    paint(this.canvas, this.strokes, this.width, this.height);
  }
}

/** Kept within [0, max] and rounded to 0.1 px, which is plenty. */
function snap(value, max = Infinity) {
  return Math.round(Math.min(Math.max(value, 0), max) * 10) / 10;
}
