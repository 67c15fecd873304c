// Donation widget: the slider and presets follow the amount, the currency sets the
// limits, "cover the fee" shows what it adds, and paying shows where things stand.
// Without JavaScript the form posts and the server answers with the same errors.
(() => {
  const forms = document.querySelectorAll("[data-donate]");

  const money = (symbol, amount) =>
    `${symbol}${Number.isInteger(amount) ? amount : amount.toFixed(2)}`;

  forms.forEach((widget) => {
    const options = JSON.parse(widget.dataset.options || "{}");
    const form = widget.querySelector(".donate__form");
    if (!form) return;
    const amount = form.querySelector("[data-amount]");
    const slider = form.querySelector("[data-slider]");
    const presets = form.querySelector("[data-presets]");
    const currency = form.querySelector("[data-currency]");
    const fee = form.querySelector("[data-fee]");
    const firstProvider = form.querySelector("button[name=provider]");

    const rules = () => options.currencies[currency.value];
    const showFee = () => {
      const [percent, fixed] = options.fees[firstProvider.value] || [0, 0];
      const value = Number(amount.value);
      if (!fee || !(value > 0) || (!percent && !fixed)) return fee && (fee.textContent = "");
      const cents = Math.ceil((value * 100 * percent) / 100) + fixed;
      fee.textContent = ` (about ${money(rules().symbol, cents / 100)})`;
    };
    const applyCurrency = () => {
      const { min, max, symbol, presets: amounts } = rules();
      for (const input of [amount, slider]) {
        input.min = min;
        input.max = max;
      }
      widget.querySelector("[data-currency-label]").textContent = `${currency.value}${symbol}`;
      widget.querySelector("[data-min]").textContent = money(symbol, min);
      widget.querySelector("[data-max]").textContent = money(symbol, max);
      presets.replaceChildren(
        ...amounts.map((value) => {
          const button = document.createElement("button");
          button.type = "button";
          button.className = "button--secondary";
          button.dataset.preset = value;
          button.textContent = money(symbol, value);
          return button;
        }),
      );
      const clamped = Math.min(max, Math.max(min, Number(amount.value) || min));
      amount.value = clamped;
      slider.value = clamped;
      markPreset();
      showFee();
    };
    const markPreset = () => {
      presets.querySelectorAll("[data-preset]").forEach((button) => {
        button.setAttribute("aria-pressed", String(Number(button.dataset.preset) === Number(amount.value)));
      });
    };

    slider.hidden = false;
    presets.hidden = false;
    slider.addEventListener("input", () => {
      amount.value = slider.value;
      markPreset();
      showFee();
    });
    amount.addEventListener("input", () => {
      slider.value = amount.value;
      markPreset();
      showFee();
    });
    presets.addEventListener("click", (event) => {
      const button = event.target.closest("[data-preset]");
      if (!button) return;
      amount.value = button.dataset.preset;
      slider.value = button.dataset.preset;
      markPreset();
      showFee();
    });
    currency.addEventListener("change", applyCurrency);
    applyCurrency();
  });

  // One checkout per showing of the form: a second submit of it (a double
  // click, a resent request, coming back from the provider with the Back
  // button) finds the same pending donation on the server. The token is made
  // here, never in the HTML, because a cached page is shared by every reader.
  const newAttempt = () => {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  };
  document.querySelectorAll("[data-attempt]").forEach((input) => {
    input.value = newAttempt();
  });

  // Paying: validate on the server, then go to the provider's page.
  document.querySelectorAll("[data-donate-form]").forEach((form) => {
    const status = form.querySelector("[data-donate-status]");
    const say = (text) => {
      status.textContent = text;
      status.hidden = !text;
    };
    const showErrors = (errors) => {
      form.querySelectorAll("[data-error-for]").forEach((element) => {
        const message = errors[element.dataset.errorFor] || "";
        element.textContent = message;
        element.hidden = !message;
      });
      const details = form.querySelector("details");
      if (details && (errors.email || errors.name)) details.open = true;
    };

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = event.submitter;
      const data = new FormData(form);
      if (button && button.name) data.set(button.name, button.value);
      const label = (button && button.dataset.providerLabel) || "the payment provider";
      const buttons = form.querySelectorAll("button[type=submit]");
      buttons.forEach((b) => (b.disabled = true));
      showErrors({});
      say("Validating payment information...");
      try {
        const response = await fetch(form.action, {
          method: "POST",
          body: data,
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        const answer = await response.json();
        if (!response.ok || !answer.redirect) {
          say("");
          showErrors(answer.errors || { form: "Something went wrong; nothing was charged." });
          buttons.forEach((b) => (b.disabled = false));
          return;
        }
        say(`Waiting for ${label}...`);
        window.location.assign(answer.redirect);
      } catch {
        say("");
        showErrors({ form: "We could not reach the server; nothing was charged. Please try again." });
        buttons.forEach((b) => (b.disabled = false));
      }
    });
  });
})();
