/* Chorus's blog plugin (docs/embedding.md), served as /embed/<slug>.js with the article's
   data put in below by the server. A "Read in:" switcher of the published languages that
   swaps the post's text in place (or links), "Help translate this article", and on each
   translated paragraph a control to send feedback to its translators. Everything lives in
   shadow roots, so the host page's styles and ours never meet. No dependency, no eval:
   texts are set with textContent, and the only HTML put into the page is the server's
   sanitised rendering of a published translation. */
(function (data) {
  "use strict";
  var me = document.currentScript;
  if (!data || !me) return; // an unknown article: an empty widget
  var t = data.messages;
  var SEL = "h1,h2,h3,h4,h5,h6,p,li,blockquote,td,th,dt,dd,figcaption";

  function option(name) {
    return me.getAttribute("data-chorus-" + name);
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    for (var name in attrs || {}) node.setAttribute(name, attrs[name]);
    if (text) node.textContent = text;
    return node;
  }

  function shadow(host) {
    var root = host.attachShadow({ mode: "open" });
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(data.css);
      root.adoptedStyleSheets = [sheet];
    } catch (error) {
      root.append(el("style", {}, data.css));
    }
    return root;
  }

  // Letters and digits only: a blog's typography (quotes, dashes, spaces) does not count.
  function key(text) {
    return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "");
  }

  function keep(node, name, value) {
    if (value === null) node.removeAttribute(name);
    else node.setAttribute(name, value);
  }

  function start() {
    var target = null;
    try {
      var wanted = option("target");
      target = wanted
        ? document.querySelector(wanted)
        : document.querySelector("article") || document.querySelector("main");
    } catch (error) {
      target = null; // not a selector
    }
    var swap = target && option("mode") !== "link";
    var pattern = option("href");
    var host = document.querySelector("[data-chorus-embed]");
    if (!host || host.shadowRoot) {
      host = el("div", { "data-chorus-widget": data.slug });
      if (me.closest("head")) (target || document.body).prepend(host);
      else me.after(host);
    }
    var root = shadow(host);
    var box = el("div", { class: "chorus", lang: data.ui.code, dir: data.ui.dir });
    var links = {};
    var current = data.source.code;
    var cache = {};
    var originals = new Map();
    var before = target && { lang: target.getAttribute("lang"), dir: target.getAttribute("dir") };
    var said = el("p", { class: "muted", role: "status" });

    function restore() {
      originals.forEach(function (was, node) {
        node.replaceChildren.apply(node, was.children);
        keep(node, "lang", was.lang);
        keep(node, "dir", was.dir);
      });
      originals.clear();
      keep(target, "lang", before.lang);
      keep(target, "dir", before.dir);
    }

    function load(lang) {
      var url = data.api + "/" + encodeURIComponent(lang.code) + "/published";
      cache[lang.code] =
        cache[lang.code] ||
        fetch(url, { credentials: "omit" }).then(function (answer) {
          if (!answer.ok) throw new Error(String(answer.status));
          return answer.json();
        });
      return cache[lang.code];
    }

    function apply(lang, found) {
      var queues = Object.create(null);
      found.segments.forEach(function (row) {
        var k = key(row.text);
        (queues[k] = queues[k] || []).push(row);
      });
      target.querySelectorAll(SEL).forEach(function (node) {
        var k = key(node.textContent);
        var queue = k && queues[k];
        if (!queue || !queue.length || !target.contains(node)) return;
        var inner = node.querySelectorAll(SEL);
        for (var i = 0; i < inner.length; i++) if (key(inner[i].textContent) === k) return;
        var row = queue.shift();
        if (!row.html) return; // not translated: the source stays
        originals.set(node, {
          children: Array.prototype.slice.call(node.childNodes),
          lang: node.getAttribute("lang"),
          dir: node.getAttribute("dir"),
        });
        node.innerHTML = row.html; // Chorus's rendering, sanitised on the server
        node.setAttribute("lang", found.language);
        node.setAttribute("dir", found.direction);
        if (row.kind !== "title" && row.kind !== "heading") node.append(mark(lang, row.id));
      });
      target.setAttribute("lang", found.language);
      target.setAttribute("dir", found.direction);
    }

    function show(lang) {
      if (lang.code === current) return;
      var next = lang === data.source ? Promise.resolve(null) : load(lang);
      next.then(
        function (found) {
          restore();
          if (found) apply(lang, found);
          current = lang.code;
          said.textContent = "";
          for (var code in links) {
            if (code === lang.code) links[code].setAttribute("aria-current", "true");
            else links[code].removeAttribute("aria-current");
          }
        },
        function () {
          delete cache[lang.code];
          said.textContent = t.not_loaded;
        },
      );
    }

    if (data.languages.length) {
      var nav = el("nav", { class: "switch", "aria-label": t.languages });
      var list = el("ul");
      [data.source].concat(data.languages).forEach(function (lang) {
        var href = pattern
          ? pattern.split("{lang}").join(lang.code)
          : lang === data.source
            ? location.href
            : data.api + "/" + encodeURIComponent(lang.code) + ".html";
        var link = el("a", { href: href, hreflang: lang.code, lang: lang.code, dir: lang.dir });
        link.textContent = lang.name;
        if (lang === data.source) link.setAttribute("aria-current", "true");
        if (swap) {
          link.addEventListener("click", function (event) {
            event.preventDefault();
            show(lang);
          });
        }
        links[lang.code] = link;
        var item = el("li");
        item.append(link);
        list.append(item);
      });
      nav.append(el("span", {}, t.read_in), list);
      box.append(nav);
    }
    var reader = navigator.language || "";
    var primary = reader.split("-")[0].toLowerCase();
    var cta =
      reader && primary !== data.source.code
        ? data.translate + "?lang=" + encodeURIComponent(reader)
        : data.article;
    var help = el("p", { class: "help" });
    help.append(
      el("a", { class: "cta", href: cta, target: "_blank", rel: "noopener" }, t.help),
      el("span", { class: "muted" }, t.progress),
      el("progress", { max: String(data.target || 1), value: String(data.published) }),
    );
    help.lastChild.setAttribute("aria-label", t.progress);
    box.append(help, said);
    root.append(box);
  }

  // The control on a translated paragraph: feedback for that segment's translators.
  function mark(lang, id) {
    var holder = el("span", { class: "chorus-mark" });
    var root = shadow(holder);
    var flag = el("button", { type: "button", class: "flag", title: t.report }, "\u270e");
    flag.setAttribute("aria-label", t.report);
    flag.setAttribute("aria-expanded", "false");
    var form = el("form", { class: "report", lang: data.ui.code, dir: data.ui.dir });
    form.hidden = true;
    var label = el("label", {}, t.label);
    var text = el("textarea", { rows: "3", maxlength: "2000", required: "" });
    label.append(text);
    var send = el("button", { type: "submit" }, t.send);
    var cancel = el("button", { type: "button" }, t.cancel);
    var said = el("p", { role: "status" });
    form.append(label, send, cancel, said);

    function toggle(open) {
      form.hidden = !open;
      flag.setAttribute("aria-expanded", String(open));
      (open ? text : flag).focus();
    }

    function say(message, failed) {
      said.className = failed ? "error" : "";
      said.textContent = message;
    }

    flag.addEventListener("click", function () {
      toggle(form.hidden);
    });
    cancel.addEventListener("click", function () {
      toggle(false);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!text.value.trim()) return;
      var url = data.api + "/" + encodeURIComponent(lang.code) + "/segments/" + id + "/feedback";
      var failed = function (reason) {
        say(t.not_sent.split("{reason}").join(reason), true);
      };
      send.disabled = true;
      fetch(url, {
        method: "POST",
        credentials: "omit",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ text: text.value }),
      })
        .then(function (answer) {
          return answer
            .json()
            .catch(function () {
              return {};
            })
            .then(function (body) {
              if (!answer.ok) return failed(body.message || String(answer.status));
              text.value = "";
              say(t.thanks, false);
            });
        })
        .catch(function (error) {
          failed(String(error.message || error));
        })
        .then(function () {
          send.disabled = false;
        });
    });
    root.append(flag, form);
    return holder;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})(/*CHORUS_DATA*/ null);
