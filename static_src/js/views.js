// View beacon: tells the server this story was read, once the reader can see it.
// The page itself carries nothing per reader, so it can come from any cache; the
// count arrives here. Readers without JavaScript load the <noscript> image instead.
(() => {
  const article = document.querySelector("[data-view-beacon]");
  if (!article) return;
  const url = article.dataset.viewBeacon;

  const send = () => {
    const body = new URLSearchParams({
      r: document.referrer,
      // Automation tools set navigator.webdriver; those views are not readers'.
      a: navigator.webdriver ? "1" : "",
    });
    if (navigator.sendBeacon && navigator.sendBeacon(url, body)) return;
    fetch(url, { method: "POST", body, keepalive: true, credentials: "omit" }).catch(() => {});
  };

  // A tab opened in the background or prerendered counts when it is first shown.
  if (document.visibilityState === "visible" && !document.prerendering) {
    send();
  } else {
    const onShow = () => {
      if (document.visibilityState !== "visible" || document.prerendering) return;
      document.removeEventListener("visibilitychange", onShow);
      document.removeEventListener("prerenderingchange", onShow);
      send();
    };
    document.addEventListener("visibilitychange", onShow);
    document.addEventListener("prerenderingchange", onShow);
  }
})();
