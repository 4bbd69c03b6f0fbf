// Loads the vendored KaTeX and Mermaid (docs/assets/vendor/) only on pages that use them, so no
// page asks a CDN and pages without math or diagrams carry none of their weight.
// Diagrams use the class `kb-mermaid`, not `mermaid`, so Material's own loader (unpkg) never runs.
(function () {
  const base = new URL("../vendor/", document.currentScript.src);
  const pending = {};

  function loadScript(path) {
    pending[path] ??= new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = new URL(path, base).href;
      script.onload = resolve;
      script.onerror = () => reject(new Error("could not load " + script.src));
      document.head.appendChild(script);
    });
    return pending[path];
  }

  function loadStylesheet(path) {
    if (pending[path]) return;
    pending[path] = true;
    const link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = new URL(path, base).href;
    document.head.appendChild(link);
  }

  async function typesetMath() {
    const nodes = document.querySelectorAll(".arithmatex");
    if (!nodes.length) return;
    loadStylesheet("katex/katex.min.css");
    await loadScript("katex/katex.min.js");
    await loadScript("katex/auto-render.min.js");
    for (const node of nodes) {
      renderMathInElement(node, {
        delimiters: [
          { left: "\\(", right: "\\)", display: false },
          { left: "\\[", right: "\\]", display: true },
        ],
        throwOnError: false,
      });
    }
  }

  async function render(nodes) {
    await loadScript("mermaid/mermaid.min.js");
    const dark = document.body.getAttribute("data-md-color-scheme") === "slate";
    mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
    await mermaid.run({ nodes });
  }

  // Mermaid is 3.5 MB of script: fetch and run it only when a diagram comes near the screen.
  let observer = null;
  function watchDiagrams() {
    observer?.disconnect();
    const nodes = document.querySelectorAll("div.kb-mermaid:not([data-processed])");
    if (!nodes.length) return;
    observer = new IntersectionObserver(
      (entries, self) => {
        const near = entries.filter((entry) => entry.isIntersecting).map((entry) => entry.target);
        near.forEach((node) => self.unobserve(node));
        if (near.length) render(near).catch((error) => console.error(error));
      },
      { rootMargin: "600px 0px" },
    );
    nodes.forEach((node) => observer.observe(node));
  }

  document$.subscribe(() => {
    typesetMath().catch((error) => console.error(error));
    watchDiagrams();
  });
})();
