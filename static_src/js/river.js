// Infinite river: as the reader nears the "Older stories" link, fetch that page and
// append its teasers. Without JavaScript (or on any failure) the link still works.
(() => {
  const river = document.querySelector(".river");
  if (!river || !("IntersectionObserver" in window)) return;

  let loading = false;
  const observer = new IntersectionObserver(async (entries) => {
    if (!entries.some((entry) => entry.isIntersecting) || loading) return;
    const next = river.querySelector(".pagination a[rel=next]");
    if (!next) return observer.disconnect();
    loading = true;
    try {
      const response = await fetch(next.href, { credentials: "same-origin" });
      if (!response.ok) throw new Error(response.statusText);
      const html = new DOMParser().parseFromString(await response.text(), "text/html");
      const incoming = html.querySelector(".river");
      const nav = river.querySelector(".pagination");
      incoming.querySelectorAll(".teaser").forEach((teaser) => nav.before(teaser));
      const newNav = incoming.querySelector(".pagination");
      observer.unobserve(nav);
      if (newNav) {
        nav.replaceWith(newNav);
        observer.observe(newNav);
      } else {
        nav.remove();
      }
    } catch (error) {
      observer.disconnect(); // leave the plain link for the reader to follow
    } finally {
      loading = false;
    }
  }, { rootMargin: "600px 0px" });

  const nav = river.querySelector(".pagination");
  if (nav) observer.observe(nav);
})();
