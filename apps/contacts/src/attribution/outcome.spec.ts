import { attributionOf, Standing } from './outcome';

const live: Standing = { runContactId: 'live', retired: false, contactId: 'live', userId: null, conversationId: 'thread', closedContactId: null };

describe('attributionOf', () => {
  it('an event of the live anonymous contact counts for it and stands for no fold', () => {
    expect(attributionOf(live)).toEqual({ contactId: 'live', conversationId: 'thread', folds: [] });
  });

  it('a verified event stands for the fold of the run it closed', () => {
    const standing: Standing = { runContactId: 'user', retired: false, contactId: 'user', userId: 'usr_1', conversationId: 'thread', closedContactId: 'run' };
    expect(attributionOf(standing)).toEqual({
      contactId: 'user',
      userId: 'usr_1',
      conversationId: 'thread',
      folds: [{ fromContactId: 'run', intoContactId: 'user', userId: 'usr_1' }],
    });
  });

  it('a verified event that closed no run (nothing anonymous before it) stands for none', () => {
    expect(attributionOf({ ...live, runContactId: 'user', contactId: 'user', userId: 'usr_1' }).folds).toEqual([]);
  });

  it('an anonymous event of a retired run counts for the user it was retired into, and stands for that fold', () => {
    const standing: Standing = { runContactId: 'run', retired: true, contactId: 'user', userId: 'usr_1', conversationId: 'thread', closedContactId: null };
    expect(attributionOf(standing)).toEqual({
      contactId: 'user',
      userId: 'usr_1',
      conversationId: 'thread',
      folds: [{ fromContactId: 'run', intoContactId: 'user', userId: 'usr_1' }],
    });
  });
});
