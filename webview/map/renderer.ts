/**
 * Point renderers for the map. WebGL2 draws hundreds of thousands of points in one call; the
 * canvas-2D fallback rasterises straight into an ImageData buffer (per-point fill calls would be
 * ten times slower), so even without a GPU a 200k-point frame stays within a frame budget.
 */

/** Screen (CSS px) = (ax·wx + bx, ay·wy + by) for world coordinates (wx, wy). */
export interface ScreenMap {
  ax: number;
  bx: number;
  ay: number;
  by: number;
}

export interface PointRenderer {
  readonly kind: 'webgl2' | 'canvas2d';
  readonly canvas: HTMLCanvasElement;
  /** World positions before and after the current animation (n×2 each). */
  setPositions(from: Float32Array, to: Float32Array): void;
  /** RGBA per point (n×4) and the order to draw them in (muted first, so coloured points sit on top). */
  setColors(colors: Uint8Array, order: Uint32Array): void;
  resize(width: number, height: number, dpr: number): void;
  /** t ∈ [0, 1] mixes from → to. Returns the number of points submitted. */
  draw(map: ScreenMap, t: number, pointSizePx: number): number;
  /** Blocks until the GPU has finished the last draw (benchmarks; a no-op for canvas 2D). */
  finish(): void;
  dispose(): void;
}

export type RendererChoice = 'auto' | 'webgl2' | 'canvas2d';

export function createRenderer(choice: RendererChoice, make: () => HTMLCanvasElement): PointRenderer {
  if (choice !== 'canvas2d') {
    const canvas = make();
    const gl = canvas.getContext('webgl2', { antialias: false, premultipliedAlpha: true, alpha: true });
    try {
      // Software GL (SwiftShader, llvmpipe) rasterises points far slower than the ImageData path
      // below — 240 ms against 9 ms per 200k-point frame measured here — so 'auto' skips it.
      if (gl && (choice === 'webgl2' || !isSoftwareGl(gl))) return new WebGlRenderer(canvas, gl);
    } catch (e) {
      // A driver that offers WebGL2 but fails to compile or link: fall back rather than show nothing.
      if (choice === 'webgl2') throw e;
      console.warn(`WebGL2 renderer failed, using canvas 2D: ${(e as Error).message}`);
    }
    if (choice === 'webgl2') throw new Error('WebGL2 is not available in this browser');
    // A canvas that handed out a WebGL context cannot give a 2D one.
    canvas.remove();
  }
  return new Canvas2dRenderer(make());
}

export function isSoftwareGl(gl: WebGL2RenderingContext): boolean {
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const name = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  return /swiftshader|llvmpipe|softpipe|software|basic render/i.test(name);
}

const VERT = `#version 300 es
in vec2 a_from;
in vec2 a_to;
in vec4 a_color;
uniform float u_t;
uniform vec2 u_scale;
uniform vec2 u_offset;
uniform float u_size;
out vec4 v_color;
void main() {
  vec2 p = mix(a_from, a_to, u_t);
  gl_Position = vec4(p * u_scale + u_offset, 0.0, 1.0);
  gl_PointSize = u_size;
  v_color = a_color;
}`;

const FRAG = `#version 300 es
precision highp float;
in vec4 v_color;
uniform float u_size;
out vec4 o;
void main() {
  vec2 c = gl_PointCoord * 2.0 - 1.0;
  float r = dot(c, c);
  if (r > 1.0) discard;
  // One pixel of soft edge whatever the point size.
  float edge = 1.0 - smoothstep(max(0.0, 1.0 - 2.0 / u_size), 1.0, sqrt(r));
  float a = v_color.a * edge;
  o = vec4(v_color.rgb * a, a);
}`;

class WebGlRenderer implements PointRenderer {
  readonly kind = 'webgl2' as const;
  private program: WebGLProgram;
  private vao: WebGLVertexArrayObject;
  private fromBuf: WebGLBuffer;
  private toBuf: WebGLBuffer;
  private colorBuf: WebGLBuffer;
  private indexBuf: WebGLBuffer;
  private n = 0;
  private u: Record<'t' | 'scale' | 'offset' | 'size', WebGLUniformLocation | null>;
  private width = 1;
  private height = 1;
  private dpr = 1;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private gl: WebGL2RenderingContext,
  ) {
    this.program = link(gl, VERT, FRAG);
    this.vao = gl.createVertexArray()!;
    this.fromBuf = gl.createBuffer()!;
    this.toBuf = gl.createBuffer()!;
    this.colorBuf = gl.createBuffer()!;
    this.indexBuf = gl.createBuffer()!;
    gl.bindVertexArray(this.vao);
    const attr = (name: string, buf: WebGLBuffer, size: number, type: number, normalized: boolean) => {
      const loc = gl.getAttribLocation(this.program, name);
      gl.bindBuffer(gl.ARRAY_BUFFER, buf);
      gl.enableVertexAttribArray(loc);
      gl.vertexAttribPointer(loc, size, type, normalized, 0, 0);
    };
    attr('a_from', this.fromBuf, 2, gl.FLOAT, false);
    attr('a_to', this.toBuf, 2, gl.FLOAT, false);
    attr('a_color', this.colorBuf, 4, gl.UNSIGNED_BYTE, true);
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.indexBuf);
    gl.bindVertexArray(null);
    this.u = {
      t: gl.getUniformLocation(this.program, 'u_t'),
      scale: gl.getUniformLocation(this.program, 'u_scale'),
      offset: gl.getUniformLocation(this.program, 'u_offset'),
      size: gl.getUniformLocation(this.program, 'u_size'),
    };
  }

  setPositions(from: Float32Array, to: Float32Array): void {
    const gl = this.gl;
    this.n = from.length / 2;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.fromBuf);
    gl.bufferData(gl.ARRAY_BUFFER, from, gl.STATIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.toBuf);
    gl.bufferData(gl.ARRAY_BUFFER, to, gl.STATIC_DRAW);
  }

  setColors(colors: Uint8Array, order: Uint32Array): void {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.colorBuf);
    gl.bufferData(gl.ARRAY_BUFFER, colors, gl.DYNAMIC_DRAW);
    gl.bindVertexArray(this.vao);
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.indexBuf);
    gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, order, gl.DYNAMIC_DRAW);
    gl.bindVertexArray(null);
  }

  resize(width: number, height: number, dpr: number): void {
    this.width = width;
    this.height = height;
    this.dpr = dpr;
    this.canvas.width = Math.max(1, Math.round(width * dpr));
    this.canvas.height = Math.max(1, Math.round(height * dpr));
  }

  draw(m: ScreenMap, t: number, size: number): number {
    const gl = this.gl;
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    gl.clearColor(0, 0, 0, 0);
    gl.clear(gl.COLOR_BUFFER_BIT);
    if (this.n === 0) return 0;
    gl.useProgram(this.program);
    gl.enable(gl.BLEND);
    gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
    gl.uniform1f(this.u.t, t);
    gl.uniform2f(this.u.scale, (m.ax * 2) / this.width, (-m.ay * 2) / this.height);
    gl.uniform2f(this.u.offset, (m.bx * 2) / this.width - 1, 1 - (m.by * 2) / this.height);
    gl.uniform1f(this.u.size, size * this.dpr);
    gl.bindVertexArray(this.vao);
    gl.drawElements(gl.POINTS, this.n, gl.UNSIGNED_INT, 0);
    gl.bindVertexArray(null);
    return this.n;
  }

  finish(): void {
    // readPixels waits for every queued command; gl.finish() alone may return early in Chromium.
    this.gl.readPixels(0, 0, 1, 1, this.gl.RGBA, this.gl.UNSIGNED_BYTE, new Uint8Array(4));
  }

  dispose(): void {
    const gl = this.gl;
    for (const b of [this.fromBuf, this.toBuf, this.colorBuf, this.indexBuf]) gl.deleteBuffer(b);
    gl.deleteVertexArray(this.vao);
    gl.deleteProgram(this.program);
  }
}

function link(gl: WebGL2RenderingContext, vs: string, fs: string): WebGLProgram {
  const compile = (type: number, src: string) => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS)) throw new Error(`shader: ${gl.getShaderInfoLog(s)}`);
    return s;
  };
  const p = gl.createProgram()!;
  gl.attachShader(p, compile(gl.VERTEX_SHADER, vs));
  gl.attachShader(p, compile(gl.FRAGMENT_SHADER, fs));
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS)) throw new Error(`program: ${gl.getProgramInfoLog(p)}`);
  return p;
}

class Canvas2dRenderer implements PointRenderer {
  readonly kind = 'canvas2d' as const;
  private ctx: CanvasRenderingContext2D;
  private from: Float32Array = new Float32Array(0);
  private to: Float32Array = new Float32Array(0);
  private colors32: Uint32Array = new Uint32Array(0);
  private order: Uint32Array = new Uint32Array(0);
  private image: ImageData | null = null;
  private pixels: Uint32Array = new Uint32Array(0);
  private dpr = 1;
  private stampSize = -1;
  private stamp: Int32Array = new Int32Array(0);

  constructor(readonly canvas: HTMLCanvasElement) {
    this.ctx = canvas.getContext('2d')!;
  }

  setPositions(from: Float32Array, to: Float32Array): void {
    this.from = from;
    this.to = to;
  }

  setColors(colors: Uint8Array, order: Uint32Array): void {
    // Little-endian RGBA bytes read as one uint32 per pixel: same layout ImageData uses.
    this.colors32 = new Uint32Array(colors.buffer.slice(colors.byteOffset, colors.byteOffset + colors.byteLength));
    this.order = order;
  }

  resize(width: number, height: number, dpr: number): void {
    this.dpr = dpr;
    this.canvas.width = Math.max(1, Math.round(width * dpr));
    this.canvas.height = Math.max(1, Math.round(height * dpr));
    this.image = this.ctx.createImageData(this.canvas.width, this.canvas.height);
    this.pixels = new Uint32Array(this.image.data.buffer);
  }

  /** Pixel offsets (dx, dy pairs) of a disc of the given diameter in device pixels. */
  private stampFor(diameter: number): Int32Array {
    const d = Math.max(1, Math.round(diameter));
    if (d === this.stampSize) return this.stamp;
    const r = d / 2;
    const offs: number[] = [];
    const lo = -Math.floor(r);
    for (let dy = lo; dy < lo + d; dy++) {
      for (let dx = lo; dx < lo + d; dx++) {
        const cx = dx + 0.5 - (d % 2 ? 0.5 : 0);
        const cy = dy + 0.5 - (d % 2 ? 0.5 : 0);
        if (d <= 2 || cx * cx + cy * cy <= r * r + 0.25) offs.push(dx, dy);
      }
    }
    this.stampSize = d;
    this.stamp = Int32Array.from(offs);
    return this.stamp;
  }

  draw(m: ScreenMap, t: number, size: number): number {
    const img = this.image;
    if (!img) return 0;
    const W = img.width;
    const H = img.height;
    const px = this.pixels;
    px.fill(0);
    const n = this.order.length;
    const dpr = this.dpr;
    const ax = m.ax * dpr,
      bx = m.bx * dpr,
      ay = m.ay * dpr,
      by = m.by * dpr;
    const from = this.from,
      to = this.to,
      order = this.order,
      col = this.colors32;
    const stamp = this.stampFor(size * dpr);
    const s = 1 - t;
    for (let o = 0; o < n; o++) {
      const i = order[o];
      const wx = from[2 * i] * s + to[2 * i] * t;
      const wy = from[2 * i + 1] * s + to[2 * i + 1] * t;
      const x = (ax * wx + bx) | 0;
      const y = (ay * wy + by) | 0;
      if (x < -8 || y < -8 || x >= W + 8 || y >= H + 8) continue;
      const c = col[i];
      for (let k = 0; k < stamp.length; k += 2) {
        const xx = x + stamp[k];
        const yy = y + stamp[k + 1];
        if (xx >= 0 && yy >= 0 && xx < W && yy < H) px[yy * W + xx] = c;
      }
    }
    this.ctx.putImageData(img, 0, 0);
    return n;
  }

  finish(): void {}

  dispose(): void {
    this.image = null;
  }
}
