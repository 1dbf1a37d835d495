// The copy buttons beside a secret (portal/includes/secret.html): a file, never inline (the
// pages' CSP). Without JavaScript the buttons stay hidden and the secret is selected by a click.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  const source = document.getElementById(button.dataset.copy);
  if (!source) return;
  button.hidden = false;
  button.addEventListener("click", () => {
    const done = () => { button.textContent = "Copied"; };
    const select = () => {
      window.getSelection().selectAllChildren(source);
      button.textContent = "Press Ctrl+C to copy";
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(source.textContent.trim()).then(done, select);
    } else {
      select();
    }
  });
});
