"""Whether a page fits its window: no sideways scroll, no text cut off.

Measured in the browser, on the document as it is laid out now (a page or
one of its frames).
"""

from __future__ import annotations

from playwright.sync_api import Frame, Page

# An element may say that it scrolls sideways on purpose (the inspector's
# diagram): what lies beyond its edge is reached by scrolling it.
SCROLLS_ON_PURPOSE = "[role='region'][tabindex='0']"

_CUT_OFF = """(allowed) => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const element of document.body.querySelectorAll("*")) {
    const own = [...element.childNodes].some(
      (n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!own || element.closest(allowed)) continue;
    const box = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    if (!box.width || !box.height || style.visibility === "hidden") continue;
    // The nearest edges that clip this element: the window's, or those of a
    // box that hides or scrolls what overflows it.
    let left = 0;
    let right = width;
    for (let box2 = element.parentElement; box2; box2 = box2.parentElement) {
      if (getComputedStyle(box2).overflowX === "visible") continue;
      const edge = box2.getBoundingClientRect();
      left = Math.max(left, edge.left);
      right = Math.min(right, edge.right);
    }
    // 1 px of rounding; an element clipped to a pixel (screen-reader text) is
    // not shown at all, so not cut off either.
    if (box.width > 1 && (box.right > right + 1 || box.left < left - 1)) {
      const text = element.textContent.trim().replace(/\\s+/g, " ").slice(0, 40);
      found.push(`<${element.tagName.toLowerCase()}> "${text}"`);
    }
  }
  return found;
}"""


def overflow(document: Page | Frame) -> int:
    """How many pixels the document is wider than its window (0: it fits)."""
    return int(
        document.evaluate(
            "document.documentElement.scrollWidth"
            " - document.documentElement.clientWidth"
        )
    )


def cut_off(document: Page | Frame) -> list[str]:
    """Elements with text of their own that reach past an edge that clips them."""
    found: list[str] = document.evaluate(_CUT_OFF, SCROLLS_ON_PURPOSE)
    return found
