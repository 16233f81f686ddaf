import { CSS } from './styles';

export type Author = 'visitor' | 'operator';

/** One line of the conversation as shown; `state` only while it is not yet accepted. */
export interface Line {
  id: string;
  author: Author;
  text: string;
  at?: string;
  state?: 'sending' | 'waiting';
}

export interface UiEvents {
  send(text: string): void;
  opened(): void;
  older(): void;
}

const SVG = 'http://www.w3.org/2000/svg';
const STATE_TEXT = { sending: 'Sending…', waiting: 'Not sent yet: will send when the connection is back' };

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined) node.textContent = text;
  return node;
}

function icon(): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const path = document.createElementNS(SVG, 'path');
  path.setAttribute(
    'd',
    'M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2Zm3 6.5a1.5 1.5 0 1 0 0 .01Zm5 0a1.5 1.5 0 1 0 0 .01Zm5 0a1.5 1.5 0 1 0 0 .01Z',
  );
  svg.appendChild(path);
  return svg;
}

function styleSheet(root: ShadowRoot): void {
  try {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
    root.adoptedStyleSheets = [sheet];
  } catch {
    // Browsers without constructed stylesheets (before Safari 16.4): a <style>, which a strict CSP would block.
    root.appendChild(el('style', {}, CSS));
  }
}

/** The launcher and the chat panel, in a shadow root attached to <inviaro-chat> at the end of <body>. */
export class ChatUi {
  readonly host = el('inviaro-chat' as 'div');
  private readonly root: ShadowRoot;
  private readonly panel = el('div', {
    class: 'panel',
    id: 'panel',
    role: 'dialog',
    'aria-modal': 'false',
    'aria-labelledby': 'title',
    'data-verified': 'false',
  });
  private readonly launcher = el('button', { class: 'launcher', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'panel' });
  private readonly badge = el('span', { class: 'badge', 'aria-hidden': 'true' });
  private readonly sub = el('div', { class: 'sub' });
  private readonly log = el('div', { class: 'log', role: 'log', 'aria-live': 'polite', 'aria-relevant': 'additions', 'aria-label': 'Messages', tabindex: '0' });
  private readonly more = el('button', { class: 'more', type: 'button' }, 'Show earlier messages');
  private readonly empty = el('p', { class: 'empty' }, 'Ask us anything: we usually reply within a few minutes.');
  private readonly status = el('div', { class: 'status', role: 'status' });
  private readonly input = el('textarea', { 'aria-label': 'Message', placeholder: 'Write a message…', maxlength: '10000', rows: '1' });
  private readonly sendButton = el('button', { class: 'send', type: 'submit' }, 'Send');
  private readonly form = el('form', { 'aria-label': 'Send a message' });
  /** In place of the composer while the widget requires a signed-in user and the page has none. */
  private readonly signIn = el('p', { class: 'signin', role: 'note' });
  private readonly lines = new Map<string, HTMLElement>();
  private unread = 0;

  constructor(private readonly events: UiEvents) {
    this.root = this.host.attachShadow({ mode: 'open' });
    styleSheet(this.root);
    this.host.setAttribute('data-inviaro', 'v1');

    const header = el('header');
    const title = el('div', { class: 'title' });
    title.append(el('h2', { id: 'title' }, 'Chat with us'), this.sub);
    const close = el('button', { class: 'close', type: 'button', 'aria-label': 'Close chat' }, '×');
    header.append(title, close);

    const form = this.form;
    form.append(this.input, this.sendButton);
    this.signIn.hidden = true;

    this.log.append(this.more, this.empty);
    this.panel.append(header, this.log, this.status, this.signIn, form);
    this.panel.hidden = true;
    this.more.hidden = true;
    this.badge.hidden = true;
    this.launcher.append(icon(), this.badge);
    this.root.append(this.panel, this.launcher);
    this.setUnread(0);

    this.launcher.addEventListener('click', () => this.setOpen(this.panel.hidden, true));
    close.addEventListener('click', () => this.setOpen(false, true));
    this.more.addEventListener('click', () => this.events.older());
    this.panel.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        this.setOpen(false, true);
      }
    });
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      this.submit();
    });
    this.input.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
  }

  /** Attaches to the page once <body> exists. */
  mount(): void {
    const attach = () => {
      if (!this.host.isConnected) document.body.appendChild(this.host);
    };
    if (document.body) attach();
    else document.addEventListener('DOMContentLoaded', attach);
  }

  get isOpen(): boolean {
    return !this.panel.hidden;
  }

  /** `focus`: a person asked (move focus into the panel, or back to the launcher on close). */
  setOpen(open: boolean, focus = false): void {
    if (open === this.isOpen) return;
    const hadFocus = this.root.activeElement !== null && this.panel.contains(this.root.activeElement);
    this.panel.hidden = !open;
    this.launcher.setAttribute('aria-expanded', String(open));
    this.setUnread(open ? 0 : this.unread);
    if (open) {
      this.scrollToEnd();
      this.events.opened();
      if (focus) this.input.focus();
    } else if (focus || hadFocus) {
      this.launcher.focus();
    }
  }

  setUnread(count: number): void {
    this.unread = count;
    this.badge.hidden = count === 0;
    this.launcher.setAttribute(
      'aria-label',
      count ? `Open chat, ${count} new ${count === 1 ? 'message' : 'messages'}` : this.isOpen ? 'Close chat' : 'Open chat',
    );
  }

  addUnread(): void {
    if (!this.isOpen) this.setUnread(this.unread + 1);
  }

  /** A signed-in visitor is told that they are recognised (their conversation follows them to every device). */
  setVerified(verified: boolean): void {
    this.panel.setAttribute('data-verified', String(verified));
    this.sub.textContent = verified ? 'You’re signed in: we know it’s you' : '';
  }

  /** The sign-in prompt in place of the composer, or (undefined) the composer back. */
  setSignIn(prompt?: string): void {
    this.signIn.textContent = prompt ?? '';
    this.signIn.hidden = prompt === undefined;
    this.form.hidden = prompt !== undefined;
  }

  setStatus(text: string, kind: 'info' | 'error' = 'info'): void {
    if (this.status.textContent !== text) this.status.textContent = text;
    this.status.setAttribute('data-kind', kind);
  }

  /** The widget cannot be used on this page (origin not allowed, unknown key). */
  setUnavailable(text: string): void {
    this.setStatus(text, 'error');
    this.sub.textContent = 'Unavailable';
    this.input.disabled = true;
    this.sendButton.disabled = true;
  }

  setOlder(available: boolean): void {
    this.more.hidden = !available;
  }

  /** Shows exactly these lines, in this order, reusing what is already on screen. */
  render(lines: Line[], replacing = false): void {
    const nearEnd = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    if (replacing) this.log.setAttribute('aria-busy', 'true');
    const wanted = new Set<string>();
    let anchor: Node | null = this.more.nextSibling;
    for (const line of lines) {
      wanted.add(line.id);
      let node = this.lines.get(line.id);
      if (!node) {
        node = el('div', { class: 'm' });
        node.append(el('span'), el('span', { class: 't' }), el('time', { class: 'at' }), el('span', { class: 'st' }));
        this.lines.set(line.id, node);
      }
      this.fill(node, line);
      if (node !== anchor) this.log.insertBefore(node, anchor);
      anchor = node.nextSibling;
    }
    for (const [id, node] of this.lines) {
      if (wanted.has(id)) continue;
      node.remove();
      this.lines.delete(id);
    }
    this.empty.hidden = lines.length > 0;
    if (replacing) this.log.removeAttribute('aria-busy');
    if (nearEnd || replacing) this.scrollToEnd();
  }

  /** Nothing left on the page of whoever used it: lines, typed text, status. */
  clear(): void {
    this.render([], true);
    this.input.value = '';
    this.setOlder(false);
    this.setUnread(0);
    this.setVerified(false);
    this.setSignIn();
    this.setStatus('');
  }

  private fill(node: HTMLElement, line: Line): void {
    // A line is built with these four children (in `render`).
    const [who, text, time, state] = Array.from(node.children) as [HTMLElement, HTMLElement, HTMLElement, HTMLElement];
    node.setAttribute('data-author', line.author);
    node.setAttribute('data-id', line.id);
    if (line.state) node.setAttribute('data-state', line.state);
    else node.removeAttribute('data-state');
    // The operator's replies are labelled for everyone; the visitor's own lines for screen readers only.
    who.className = line.author === 'visitor' ? 'sr' : 'who';
    who.textContent = line.author === 'visitor' ? 'You: ' : 'Support';
    time.hidden = !line.at;
    if (line.at && time.getAttribute('datetime') !== line.at) {
      const at = new Date(line.at);
      time.setAttribute('datetime', line.at);
      time.title = at.toLocaleString();
      time.textContent = at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    }
    if (text.textContent !== line.text) text.textContent = line.text;
    state.textContent = line.state ? STATE_TEXT[line.state] : '';
    state.hidden = !line.state;
  }

  private submit(): void {
    const text = this.input.value.trim();
    if (!text || this.input.disabled) return;
    this.input.value = '';
    this.events.send(text);
    this.scrollToEnd();
  }

  private scrollToEnd(): void {
    this.log.scrollTop = this.log.scrollHeight;
  }
}
