// For a vendored library that builds markup with style="..." attributes (dmn-js's bpmn.io logo and
// drag image): the page's policy (style-src 'self') refuses inline style attributes, but not styles
// set through the CSSOM. Loaded before the library, this moves each style attribute of an innerHTML
// string into element.style, so the markup looks as its authors meant and nothing is refused.
(function () {
  'use strict';
  var own = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML');
  var STYLE = /\sstyle="([^"]*)"/g;
  Object.defineProperty(Element.prototype, 'innerHTML', {
    configurable: true,
    enumerable: own.enumerable,
    get: own.get,
    set: function (html) {
      if (typeof html !== 'string' || html.indexOf('style="') === -1) {
        own.set.call(this, html);
        return;
      }
      own.set.call(this, html.replace(STYLE, ' data-inline-style="$1"'));
      this.querySelectorAll('[data-inline-style]').forEach(function (el) {
        el.style.cssText = el.getAttribute('data-inline-style');
        el.removeAttribute('data-inline-style');
      });
    }
  });
}());
