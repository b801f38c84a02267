// The inspector's sequence diagram: Mermaid text in, an SVG out, drawn in the
// browser only, in the page's light or dark theme. Reflex loads this file (and
// Mermaid with it) lazily, when a page first shows a diagram, so the sign-in and
// checkout pages never carry it.
import React, { useEffect, useState } from "react";
import mermaid from "mermaid";

// strict: labels stay text (never HTML) and nothing is clickable. The portal
// decides what to draw and when, so nothing is drawn on load by itself.
function configure(dark) {
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    theme: dark ? "dark" : "neutral",
    sequence: { mirrorActors: false },
  });
}

// Mermaid needs a fresh element id for each drawing.
let drawings = 0;

// The page's theme (Reflex puts "dark" on <html>), followed as it changes.
const isDark = () => document.documentElement.classList.contains("dark");

function useDarkTheme() {
  const [dark, setDark] = useState(isDark);
  useEffect(() => {
    const observer = new MutationObserver(() => setDark(isDark()));
    observer.observe(document.documentElement, { attributeFilter: ["class"] });
    return () => observer.disconnect();
  }, []);
  return dark;
}

export function SequenceDiagram({ chart, label }) {
  const [svg, setSvg] = useState("");
  const [error, setError] = useState("");
  const dark = useDarkTheme();

  useEffect(() => {
    if (!chart) {
      setSvg("");
      return undefined;
    }
    // A newer chart may arrive while this one is drawn: only the latest shows.
    let latest = true;
    drawings += 1;
    configure(dark);
    mermaid
      .render(`ia-sequence-${drawings}`, chart)
      .then((result) => {
        if (!latest) return;
        setSvg(result.svg);
        setError("");
      })
      .catch((reason) => {
        if (latest) setError(String(reason?.message ?? reason).slice(0, 200));
      });
    return () => {
      latest = false;
    };
  }, [chart, dark]);

  if (error) {
    return (
      <p role="alert" className="ia-sequence__error">
        The diagram could not be drawn: {error}
      </p>
    );
  }
  return (
    <figure
      className="ia-sequence"
      role="img"
      aria-label={label}
      data-drawn={svg ? "yes" : "no"}
      style={{ margin: 0 }}
      // Mermaid's own output, sanitised by it in strict mode.
      dangerouslySetInnerHTML={{ __html: svg }}
    />
  );
}
