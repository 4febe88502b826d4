import { describe, expect, it } from 'vitest';
import { absolutiseCss } from '../../src/dom/css-urls';

const BASE = 'https://site.test/css/theme/main.css';

describe('absolutiseCss', () => {
  it('makes relative url()s and @imports absolute against the stylesheet\'s URL', () => {
    const css = `@import "reset.css"; @import url(../base.css);
.a { background: url(../img/bg.png) no-repeat; }
.b { background-image: url( 'deep/x.svg' ); }
@font-face { font-family: T; src: url("/fonts/t.woff2") format("woff2"), url(t.woff); }`;
    expect(absolutiseCss(css, BASE)).toBe(`@import "https://site.test/css/theme/reset.css"; @import url("https://site.test/css/base.css");
.a { background: url("https://site.test/css/img/bg.png") no-repeat; }
.b { background-image: url('https://site.test/css/theme/deep/x.svg'); }
@font-face { font-family: T; src: url("https://site.test/fonts/t.woff2") format("woff2"), url("https://site.test/css/theme/t.woff"); }`);
  });
  it('leaves absolute, protocol-relative, data:, blob: and fragment URLs alone', () => {
    const css = '.a{background:url(https://cdn.test/a.png)} .b{background:url(//cdn.test/b.png)} .c{background:url(data:image/png;base64,AAAA)} .d{filter:url(#f)} .e{background:url(blob:https://site.test/1)}';
    expect(absolutiseCss(css, BASE)).toBe(css.replace('url(https://cdn.test/a.png)', 'url("https://cdn.test/a.png")').replace('url(//cdn.test/b.png)', 'url("//cdn.test/b.png")').replace('url(data:image/png;base64,AAAA)', 'url("data:image/png;base64,AAAA")').replace('url(#f)', 'url("#f")').replace('url(blob:https://site.test/1)', 'url("blob:https://site.test/1")'));
  });
});
