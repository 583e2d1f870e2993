import { expect } from 'chai';
import { RecommendError, type RecommendErrorCode } from './errors';
import { parseRatings } from './parse';

function fails(text: string): { code: RecommendErrorCode; line: unknown } {
  try { parseRatings(text); } catch (e) {
    if (e instanceof RecommendError) return { code: e.code, line: e.details.line };
    throw e;
  }
  throw new Error('expected a RecommendError');
}

describe('recommend/parse', () => {
  const expectSame = (text: string, layout: string, header = false): void => {
    const p = parseRatings(text);
    expect(p.layout).to.equal(layout);
    expect(p.hadHeader).to.equal(header);
    expect(p.users.ids()).to.deep.equal(['1', '2']);
    expect(p.items.ids()).to.deep.equal(['0120735', '2592910']);
    expect([...p.ratings.users]).to.deep.equal([0, 1, 1]);
    expect([...p.ratings.items]).to.deep.equal([0, 1, 0]);
    expect([...p.ratings.values]).to.deep.equal([9, 3.5, 10]);
    expect(p.ratings.userCount).to.equal(2);
    expect(p.ratings.itemCount).to.equal(2);
  };

  it('reads ::-separated lines (MovieTweetings / MovieLens-1M)', () => {
    expectSame('1::0120735::9::1363245118\n2::2592910::3.5::1362901837\n2::0120735::10::1\n', '::');
    expect([...parseRatings('1::a::9::1363245118\n').ratings.timestamps!]).to.deep.equal([1363245118]);
  });

  it('reads tab-separated lines (u.data) with CRLF and blank lines', () => {
    expectSame('1\t0120735\t9\t5\r\n\r\n2\t2592910\t3.5\t6\r\n2\t0120735\t10\t7\r\n', '\t');
  });

  it('reads comma-separated lines with and without a header', () => {
    expectSame('userId,movieId,rating,timestamp\n1,0120735,9,5\n2,2592910,3.5,6\n2,0120735,10,7\n', ',', true);
    expectSame('1,0120735,9\n2,2592910,3.5\n2,0120735,10\n', ',');
    expect(parseRatings('1,0120735,9\n').ratings.timestamps).to.equal(undefined);
  });

  it('reports bad lines with their 1-based line number', () => {
    expect(fails('1::a::9::1\n2::b::NaN::2\n')).to.deep.equal({ code: 'PARSE_BAD_RATING', line: 2 });
    expect(fails('1::a::NaN::1\n')).to.deep.equal({ code: 'PARSE_BAD_RATING', line: 1 });
    expect(fails('u,i,r\n1,a,5\n\n2,b\n')).to.deep.equal({ code: 'PARSE_MISSING_FIELD', line: 4 });
    expect(fails('1\ta\t\t5\n')).to.deep.equal({ code: 'PARSE_MISSING_FIELD', line: 1 });
    expect(fails('1,a,4,yesterday\n')).to.deep.equal({ code: 'PARSE_BAD_TIMESTAMP', line: 1 });
    expect(fails('1,a,four\n2,b,3\n')).to.deep.equal({ code: 'PARSE_BAD_RATING', line: 1 });
    expect(fails('\n\n').code).to.equal('PARSE_EMPTY');
  });
});
