// A "Copy" button copies the text of the element its data-copy attribute names. A file, not an
// inline script (the pages' CSP allows none); without JavaScript the button stays hidden and the
// text can be selected by hand.
document.querySelectorAll("button[data-copy]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => {
    const source = document.getElementById(button.dataset.copy);
    const text = source.innerText.trim();
    const done = () => { button.textContent = "Copied"; };
    const select = () => { window.getSelection().selectAllChildren(source); button.textContent = "Press Ctrl+C to copy"; };
    if (navigator.clipboard) {
      navigator.clipboard.writeText(text).then(done, select);
    } else {
      select();
    }
  });
});
