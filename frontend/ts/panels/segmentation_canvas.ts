// Drawing panel for the segmentation demo: stamp squares, circles and triangles on a
// 128 x 128 canvas (the model's input size), the way the training images are made.
// Press where the shape's centre should be and drag to size it; release to place it.
//
//   const pad = mountShapeCanvas(host);
//   pad.toDataUrl()   // PNG data: URL for POST /api/segmentation/run/ (image_base64)

import { h } from "../ui/dom";

export type ShapeKind = "square" | "circle" | "triangle";

export interface DrawnShape {
  kind: ShapeKind;
  cx: number;
  cy: number;
  size: number; // side, diameter or triangle base, in canvas pixels
  colour: string;
}

export const CANVAS_SIZE = 128;
export const MIN_SHAPE = 6;

/** Size of a shape dragged from its centre to (x, y): twice the larger offset, clamped. */
export function dragSize(cx: number, cy: number, x: number, y: number, max = CANVAS_SIZE): number {
  const s = 2 * Math.max(Math.abs(x - cx), Math.abs(y - cy));
  return Math.min(max, Math.max(MIN_SHAPE, Math.round(s)));
}

/** Vertices of the upright equilateral triangle with base `size` centred at (cx, cy). */
export function trianglePoints(cx: number, cy: number, size: number): [number, number][] {
  const h = (size * Math.sqrt(3)) / 2;
  return [
    [cx, cy - h / 2],
    [cx + size / 2, cy + h / 2],
    [cx - size / 2, cy + h / 2],
  ];
}

export function drawShape(ctx: CanvasRenderingContext2D, s: DrawnShape): void {
  ctx.fillStyle = s.colour;
  ctx.beginPath();
  if (s.kind === "square") {
    ctx.rect(s.cx - s.size / 2, s.cy - s.size / 2, s.size, s.size);
  } else if (s.kind === "circle") {
    ctx.arc(s.cx, s.cy, s.size / 2, 0, 2 * Math.PI);
  } else {
    const pts = trianglePoints(s.cx, s.cy, s.size);
    ctx.moveTo(pts[0][0], pts[0][1]);
    for (const [x, y] of pts.slice(1)) ctx.lineTo(x, y);
    ctx.closePath();
  }
  ctx.fill();
}

const PALETTE = ["#d1495b", "#00798c", "#edae49", "#30638e", "#8e44ad", "#2e8b57", "#003d5b"];

export interface ShapeCanvas {
  canvas: HTMLCanvasElement;
  shapes(): DrawnShape[];
  clear(): void;
  undo(): void;
  toDataUrl(): string;
  onChange(cb: () => void): void;
}

export function mountShapeCanvas(host: HTMLElement): ShapeCanvas {
  host.classList.add("seg-draw");
  // Built as elements, not parsed from a string: no markup is ever made from text here.
  const shapeSel = h(
    "select",
    { name: "shape" },
    h("option", { value: "square", text: "square" }),
    h("option", { value: "circle", selected: true, text: "circle" }),
    h("option", { value: "triangle", text: "triangle" }),
  );
  const colourIn = h("input", { type: "color", name: "colour", value: PALETTE[0] });
  const bgIn = h("input", { type: "color", name: "background", value: "#f2efe6" });
  const tools = h(
    "div",
    { class: "seg-draw-tools" },
    h("label", {}, "Shape ", shapeSel),
    h("label", {}, "Colour ", colourIn),
    h("label", {}, "Background ", bgIn),
    h("button", { type: "button", name: "undo", text: "Undo" }),
    h("button", { type: "button", name: "clear", text: "Clear" }),
  );
  const canvas = document.createElement("canvas");
  canvas.width = CANVAS_SIZE;
  canvas.height = CANVAS_SIZE;
  canvas.className = "seg-draw-canvas";
  canvas.setAttribute("aria-label", "Drawing canvas: press and drag to stamp a shape");
  host.replaceChildren(tools, canvas);
  const ctx = canvas.getContext("2d")!;
  const shapes: DrawnShape[] = [];
  const listeners: (() => void)[] = [];
  let pending: DrawnShape | null = null;

  function redraw(): void {
    ctx.fillStyle = bgIn.value;
    ctx.fillRect(0, 0, CANVAS_SIZE, CANVAS_SIZE);
    for (const s of shapes) drawShape(ctx, s);
    if (pending) drawShape(ctx, pending);
  }
  function changed(): void {
    redraw();
    listeners.forEach((cb) => cb());
  }
  function toCanvas(ev: PointerEvent): [number, number] {
    const r = canvas.getBoundingClientRect();
    return [
      ((ev.clientX - r.left) / r.width) * CANVAS_SIZE,
      ((ev.clientY - r.top) / r.height) * CANVAS_SIZE,
    ];
  }

  canvas.addEventListener("pointerdown", (ev) => {
    const [x, y] = toCanvas(ev);
    canvas.setPointerCapture(ev.pointerId);
    pending = {
      kind: shapeSel.value as ShapeKind,
      cx: x,
      cy: y,
      size: 24,
      colour: colourIn.value,
    };
    redraw();
  });
  canvas.addEventListener("pointermove", (ev) => {
    if (!pending) return;
    const [x, y] = toCanvas(ev);
    pending.size = dragSize(pending.cx, pending.cy, x, y);
    redraw();
  });
  const finish = () => {
    if (!pending) return;
    shapes.push(pending);
    pending = null;
    // next shape gets the next palette colour, so neighbours stay distinguishable
    colourIn.value = PALETTE[shapes.length % PALETTE.length];
    changed();
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", () => {
    pending = null;
    redraw();
  });
  bgIn.addEventListener("input", changed);
  tools.querySelector("button[name=clear]")!.addEventListener("click", () => {
    shapes.length = 0;
    changed();
  });
  tools.querySelector("button[name=undo]")!.addEventListener("click", () => {
    shapes.pop();
    changed();
  });
  redraw();

  return {
    canvas,
    shapes: () => shapes.slice(),
    clear() {
      shapes.length = 0;
      changed();
    },
    undo() {
      shapes.pop();
      changed();
    },
    toDataUrl: () => canvas.toDataURL("image/png"),
    onChange(cb) {
      listeners.push(cb);
    },
  };
}
