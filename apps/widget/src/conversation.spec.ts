import { describe, expect, it } from '@jest/globals';
import { Conversation, History, Message } from './conversation';

function message(id: string, author: Message['author'] = 'visitor', text = id): Message {
  return { message_id: id, author, text, created_at: '2026-01-01T00:00:00.000Z' };
}

function history(messages: Message[], verified = false, cursor: string | null = null): History {
  return { contact: { is_verified: verified }, messages, next_cursor: cursor };
}

const nothingPending = { outbox: [], waiting: false };
const ids = (conversation: Conversation) => conversation.visible(nothingPending).map((line) => line.id);

describe('Conversation', () => {
  it('shows a message the stream delivered during a history read beside what the read returned, once', () => {
    const conversation = new Conversation();
    conversation.readStarted();
    conversation.receive(message('m2'));
    conversation.receive(message('m3'));
    conversation.showHistory(history([message('m1'), message('m2')]));
    conversation.readEnded();
    expect(ids(conversation)).toEqual(['m1', 'm2', 'm3']);
  });

  it('shows an accepted message until history or the stream brings it, then only theirs', () => {
    const conversation = new Conversation();
    conversation.accept('m1', 'hello');
    expect(conversation.visible(nothingPending)).toEqual([{ id: 'm1', author: 'visitor', text: 'hello' }]);
    conversation.receive(message('m1', 'visitor', 'hello'));
    expect(conversation.visible(nothingPending)).toEqual([{ id: 'm1', author: 'visitor', text: 'hello', at: '2026-01-01T00:00:00.000Z' }]);
  });

  it('drops what was accepted under a claim that stopped verifying', () => {
    const conversation = new Conversation();
    expect(conversation.showHistory(history([], true))).toBe(true);
    conversation.accept('m1', 'sent while verified');
    expect(conversation.showHistory(history([], false))).toBe(false);
    expect(ids(conversation)).toEqual([]);
  });

  it('counts a new operator message as unread, not a repeat, a visitor message or a malformed event', () => {
    const conversation = new Conversation();
    expect(conversation.receive(message('o1', 'operator'))).toEqual({ shown: true, unread: true });
    expect(conversation.receive(message('o1', 'operator'))).toEqual({ shown: true, unread: false });
    expect(conversation.receive(message('v1', 'visitor'))).toEqual({ shown: true, unread: false });
    expect(conversation.receive({} as Message)).toEqual({ shown: false, unread: false });
    expect(ids(conversation)).toEqual(['o1', 'v1']);
  });

  it('puts older pages first, skipping what is shown, and follows their cursor', () => {
    const conversation = new Conversation();
    conversation.showHistory(history([message('m3'), message('m4')], false, 'c1'));
    expect(conversation.olderCursor).toBe('c1');
    conversation.showOlder(history([message('m1'), message('m2'), message('m3')], false, null));
    expect(ids(conversation)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(conversation.hasOlder).toBe(false);
  });

  it('shows the outbox last: the entry on its way as sending, the others waiting while a retry waits', () => {
    const conversation = new Conversation();
    conversation.receive(message('m1'));
    const outbox = [
      { c: 'a', x: 'first' },
      { c: 'b', x: 'second' },
    ];
    expect(conversation.visible({ outbox, waiting: true, sending: 'a' }).map((line) => [line.id, line.state])).toEqual([
      ['m1', undefined],
      ['pending-a', 'sending'],
      ['pending-b', 'waiting'],
    ]);
    expect(conversation.visible({ outbox, waiting: false }).map((line) => line.state)).toEqual([undefined, 'sending', 'sending']);
  });

  it('forgets everything on clear', () => {
    const conversation = new Conversation();
    conversation.showHistory(history([message('m1')], true, 'c1'));
    conversation.accept('m2', 'x');
    conversation.clear();
    expect(ids(conversation)).toEqual([]);
    expect(conversation.hasOlder).toBe(false);
  });
});
