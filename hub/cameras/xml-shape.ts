// A cheap pre-scan of a camera's XML, byte by byte, before any parser builds objects from it: a
// reply under the size cap can still hold 100,000 nested elements, which cost the `onvif`
// package's parser (xml2js) seconds of CPU and hundreds of MB (issue 14, item 8). The scan counts
// start tags, attributes and nesting depth, streaming (chunks as they arrive), and says when a
// limit is passed.
// It errs on the side of counting too much: '<' inside a comment or CDATA counts as a tag.

export interface XmlShapeLimits {
  /** Deepest nesting of elements (a real ONVIF reply is under 15 levels). */
  maxDepth: number;
  /** Most start tags and attributes in one reply, together (a GetProfiles of 32 profiles has
   *  about 2,000; 60,000 attributes on one element cost xml2js a quarter of a second). */
  maxElements: number;
}

export const ONVIF_XML_LIMITS: XmlShapeLimits = { maxDepth: 32, maxElements: 10_000 };

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const BANG = 0x21;
const QUESTION = 0x3f;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const EQUALS = 0x3d;

// Where the scan is: between tags, just after '<', inside a start tag (or one of its quoted
// values), inside an end tag, or in a comment, processing instruction or declaration (skipped to '>').
const State = { Text: 0, Open: 1, StartTag: 2, InDouble: 3, InSingle: 4, Skip: 5, EndTag: 6 } as const;
type State = (typeof State)[keyof typeof State];

export class XmlShapeScanner {
  private state: State = State.Text;
  private depth = 0;
  private elements = 0;
  /** The last byte of the start tag so far was '/': `<a/>` opens and closes. */
  private slash = false;
  /** Set once a limit is passed; feeding more changes nothing. */
  exceeded: 'depth' | 'elements' | null = null;

  constructor(readonly limits: XmlShapeLimits = ONVIF_XML_LIMITS) {}

  /** Scans the next bytes (or text); true while the reply is still within the limits. */
  feed(chunk: Uint8Array | string): boolean {
    if (this.exceeded) return false;
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      switch (this.state) {
        case State.Text:
          if (b === LT) this.state = State.Open;
          break;
        case State.Open:
          if (b === SLASH) this.state = State.EndTag;
          else if (b === BANG || b === QUESTION) this.state = State.Skip;
          else {
            this.state = State.StartTag;
            this.slash = false;
            this.depth++;
            if (this.depth > this.limits.maxDepth) this.exceeded = 'depth';
            else if (!this.count()) this.exceeded = 'elements';
            if (this.exceeded) return false;
          }
          break;
        case State.StartTag:
          if (b === GT) {
            if (this.slash) this.depth--;
            this.state = State.Text;
          } else if (b === DQUOTE || b === SQUOTE) {
            this.state = b === DQUOTE ? State.InDouble : State.InSingle;
            this.slash = false;
          } else if (b === EQUALS && !this.count()) {
            this.exceeded = 'elements';
            return false;
          } else if (b > 0x20) this.slash = b === SLASH;
          break;
        case State.InDouble:
          if (b === DQUOTE) this.state = State.StartTag;
          break;
        case State.InSingle:
          if (b === SQUOTE) this.state = State.StartTag;
          break;
        case State.EndTag:
          if (b === GT) {
            if (this.depth > 0) this.depth--;
            this.state = State.Text;
          }
          break;
        case State.Skip:
          if (b === GT) this.state = State.Text;
          break;
      }
    }
    return true;
  }

  /** One more element or attribute; false past the limit. */
  private count(): boolean {
    return ++this.elements <= this.limits.maxElements;
  }
}

/** True when the whole text is within the limits. */
export function xmlShapeOk(xml: string, limits: XmlShapeLimits = ONVIF_XML_LIMITS): boolean {
  return new XmlShapeScanner(limits).feed(xml);
}
