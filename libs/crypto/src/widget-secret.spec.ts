import { generateWidgetSecret } from './widget-secret';

describe('generateWidgetSecret', () => {
  it('is 64 lowercase hex characters', () => {
    expect(generateWidgetSecret()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is different every time', () => {
    const secrets = new Set(Array.from({ length: 100 }, generateWidgetSecret));
    expect(secrets.size).toBe(100);
  });
});
