// Click-to-load players: the provider is contacted only after the reader asks for it.
document.addEventListener("click", (event) => {
  const poster = event.target.closest(".media-embed__poster");
  if (!poster) return;
  const figure = poster.closest(".media-embed");
  event.preventDefault();
  const frame = document.createElement("iframe");
  frame.src = figure.dataset.player;
  frame.title = `${figure.dataset.provider} player`;
  frame.allow = "autoplay; encrypted-media; picture-in-picture; fullscreen";
  frame.referrerPolicy = "strict-origin-when-cross-origin";
  frame.loading = "lazy";
  poster.replaceWith(frame);
});
