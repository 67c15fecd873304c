// Comments: fetch a form token when the reader starts writing, post without a
// page reload, reply in place, sort, vote, and let authors edit or delete their
// own comment for a few minutes. Without JavaScript every form still posts.
(() => {
  const section = document.querySelector("[data-comments]");
  if (!section) return;
  const form = section.querySelector("[data-comment-form]");
  const subscribe = section.querySelector("[data-subscribe-form]");
  const list = section.querySelector("[data-comment-list]");
  const store = {
    get(key) { try { return JSON.parse(localStorage.getItem(key)); } catch { return null; } },
    set(key, value) { try { localStorage.setItem(key, JSON.stringify(value)); } catch { /* private mode */ } },
    remove(key) { try { localStorage.removeItem(key); } catch { /* private mode */ } },
  };
  const TOKEN_LIFE_MS = 20 * 3600 * 1000;
  let tokenPromise = null;
  let tokenFetchedAt = 0;

  function setTokens(token) {
    section.querySelectorAll("input[name=token]").forEach((input) => {
      if (input.closest("[data-comment-form], [data-subscribe-form]")) input.value = token;
    });
  }

  function ensureToken() {
    if (tokenPromise && Date.now() - tokenFetchedAt < TOKEN_LIFE_MS) return tokenPromise;
    tokenFetchedAt = Date.now();
    tokenPromise = fetch(section.dataset.tokenUrl, { credentials: "same-origin", cache: "no-store" })
      .then((response) => response.json())
      .then((data) => {
        setTokens(data.token);
        if (!store.get("masthead:voter")) store.set("masthead:voter", data.voter);
        if (data.signed_in && form) {
          form.querySelector("[data-guest-fields]").hidden = true;
          const note = form.querySelector("[data-signed-in]");
          note.textContent = `Commenting as ${data.name}.`;
          note.hidden = false;
        }
        return data;
      })
      .catch(() => { tokenPromise = null; });
    return tokenPromise;
  }

  function showErrors(target, errors) {
    target.querySelectorAll("[data-error-for]").forEach((node) => {
      const message = errors[node.dataset.errorFor];
      node.textContent = message || "";
      node.hidden = !message;
    });
    const firstField = Object.keys(errors).find((name) => target.elements[name]);
    if (firstField) target.elements[firstField].focus();
  }

  function showStatus(target, message) {
    const status = target.querySelector("[data-form-status]");
    status.textContent = message;
    status.hidden = !message;
  }

  async function send(target, url) {
    await ensureToken();
    const response = await fetch(url, {
      method: "POST",
      body: new FormData(target),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
    const data = await response.json();
    if (data.token) setTokens(data.token);
    return data;
  }

  section.addEventListener("focusin", (event) => {
    if (event.target.closest("[data-comment-form], [data-subscribe-form]")) ensureToken();
  });

  function insertComment(data) {
    const holder = document.createElement("div");
    holder.innerHTML = data.html;
    const item = holder.firstElementChild;
    const parent = data.parent_id && list.querySelector(`#comment-${data.parent_id}`);
    let target = parent ? parent.querySelector(":scope > .comment-list") : list.querySelector(":scope > .comment-list");
    if (!target) {
      target = document.createElement("ol");
      target.className = parent ? "comment-list comment-list--replies" : "comment-list";
      if (parent) parent.append(target);
      else { list.replaceChildren(target); }
    }
    target.append(item);
    enhance(item);
  }

  if (form) {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      showStatus(form, "");
      try {
        const data = await send(form, form.action);
        if (!data.ok) {
          // The comment answered is gone: sending again posts a new comment.
          if (data.errors && data.errors.parent) {
            form.elements.parent.value = "";
            form.querySelector("[data-replying]").hidden = true;
          }
          return showErrors(form, data.errors || {});
        }
        showErrors(form, {});
        store.set(`masthead:edit:${data.comment_id}`, {
          token: data.edit_token, until: Date.now() + data.edit_seconds * 1000,
        });
        insertComment(data);
        form.elements.body.value = "";
        resetReply();
        showStatus(form, data.message);
      } catch {
        showErrors(form, { __all__: "We could not reach the site. Your text is still here: please try again." });
      } finally {
        button.disabled = false;
      }
    });
  }

  if (subscribe) {
    subscribe.addEventListener("submit", async (event) => {
      event.preventDefault();
      showStatus(subscribe, "");
      try {
        const data = await send(subscribe, subscribe.action);
        if (!data.ok) return showErrors(subscribe, { __all__: Object.values(data.errors || {}).join(" ") });
        showErrors(subscribe, {});
        showStatus(subscribe, data.message);
      } catch {
        showErrors(subscribe, { __all__: "We could not reach the site. Please try again." });
      }
    });
  }

  // Replies: move the one form under the comment being answered.
  const home = form && form.parentElement;
  const homeNext = form && form.nextSibling;
  function resetReply() {
    if (!form) return;
    form.elements.parent.value = "";
    form.querySelector("[data-replying]").hidden = true;
    home.insertBefore(form, homeNext);
  }
  function startReply(link) {
    const item = link.closest(".comment");
    form.elements.parent.value = link.dataset.replyTo;
    const note = form.querySelector("[data-replying]");
    note.firstChild.textContent = `Replying to ${link.dataset.replyName}. `;
    note.hidden = false;
    item.querySelector(":scope > .comment__card").after(form);
    form.elements.body.focus();
  }
  if (form) {
    form.querySelector("[data-cancel-reply]").addEventListener("click", (event) => {
      event.preventDefault();
      resetReply();
    });
  }

  async function vote(button) {
    const item = button.closest(".comment");
    const body = new FormData();
    await ensureToken();
    body.append("voter", store.get("masthead:voter") || "");
    body.append("value", button.dataset.vote);
    const response = await fetch(`/comments/${item.dataset.commentId}/vote/`, {
      method: "POST", body, headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    const data = await response.json();
    if (!data.ok) return;
    const votes = button.closest("[data-votes]");
    votes.querySelector("[data-count=up]").textContent = data.upvotes;
    votes.querySelector("[data-count=down]").textContent = data.downvotes;
    votes.querySelectorAll("[data-vote]").forEach((b) => b.setAttribute("aria-pressed", String(b === button)));
  }

  function ownToken(id) {
    const entry = store.get(`masthead:edit:${id}`);
    if (!entry) return null;
    if (entry.until < Date.now()) { store.remove(`masthead:edit:${id}`); return null; }
    return entry.token;
  }

  function editOwn(item, token) {
    const bodyNode = item.querySelector("[data-comment-body]");
    if (item.querySelector("[data-edit-form]")) return;
    const editor = document.createElement("form");
    editor.dataset.editForm = "";
    editor.innerHTML = `<div class="field"><label>Edit your comment<textarea name="body" rows="5"></textarea></label>
      <p class="form-error" data-error-for="body" hidden></p><p class="form-error" data-error-for="__all__" hidden></p></div>
      <button class="button" type="submit">Save</button> <button class="button button--secondary" type="button" data-cancel>Cancel</button>`;
    editor.elements.body.value = bodyNode.innerText.trim();
    bodyNode.after(editor);
    bodyNode.hidden = true;
    editor.querySelector("[data-cancel]").addEventListener("click", () => { editor.remove(); bodyNode.hidden = false; });
    editor.addEventListener("submit", async (event) => {
      event.preventDefault();
      const body = new FormData(editor);
      body.append("token", token);
      const response = await fetch(`/comments/${item.dataset.commentId}/edit/`, {
        method: "POST", body, headers: { Accept: "application/json" }, credentials: "same-origin",
      });
      const data = await response.json();
      if (!data.ok) return showErrors(editor, data.errors || {});
      bodyNode.innerHTML = data.body_html;
      editor.remove();
      bodyNode.hidden = false;
    });
  }

  async function deleteOwn(item, token) {
    if (!window.confirm("Delete your comment? This cannot be undone.")) return;
    const body = new FormData();
    body.append("token", token);
    const response = await fetch(`/comments/${item.dataset.commentId}/delete/`, {
      method: "POST", body, headers: { Accept: "application/json" }, credentials: "same-origin",
    });
    const data = await response.json();
    if (data.ok) {
      store.remove(`masthead:edit:${item.dataset.commentId}`);
      item.querySelector("[data-comment-body]").innerHTML = "<p>This comment was deleted by its author.</p>";
      item.querySelector(".comment__actions").remove();
    }
  }

  function enhance(root) {
    root.querySelectorAll("[data-votes]").forEach((node) => { node.hidden = false; });
    const items = root.matches && root.matches(".comment") ? [root] : root.querySelectorAll(".comment");
    items.forEach((item) => {
      const own = item.querySelector(":scope > .comment__card [data-own]");
      if (own && ownToken(item.dataset.commentId)) own.hidden = false;
    });
  }

  section.addEventListener("click", (event) => {
    const reply = event.target.closest("[data-reply-to]");
    if (reply && form) { event.preventDefault(); return startReply(reply); }
    const voteButton = event.target.closest("[data-vote]");
    if (voteButton) return vote(voteButton);
    const item = event.target.closest(".comment");
    const token = item && ownToken(item.dataset.commentId);
    if (event.target.closest("[data-edit]") && token) return editOwn(item, token);
    if (event.target.closest("[data-delete]") && token) return deleteOwn(item, token);
    const sort = event.target.closest("[data-sort]");
    if (sort) {
      event.preventDefault();
      fetch(`${section.dataset.listUrl}?sort=${sort.dataset.sort}`, { credentials: "same-origin", cache: "no-cache" })
        .then((response) => response.text())
        .then((html) => {
          list.innerHTML = html;
          section.querySelectorAll("[data-sort]").forEach((link) => {
            if (link === sort) link.setAttribute("aria-current", "true");
            else link.removeAttribute("aria-current");
          });
          enhance(list);
        });
    }
    return undefined;
  });

  enhance(list);
})();
